using Vendor.ServiceDefaults;

namespace Vendor.Gateway;

/// <summary>
/// The gateway's own ops routes (keys, audit) check the caller again at the endpoint: an ops key, or a signed-in user in the ops
/// role. The gateway policy refuses others first; this holds should another way in be added before it.
/// </summary>
public static class OpsOnly
{
    public static bool IsOps(HttpContext context) =>
        context.Items[typeof(CallerIdentity)] is CallerIdentity { IsOps: true } || context.User.IsInRole(Roles.Ops);

    public static TBuilder RequireOps<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (invocation, next) => IsOps(invocation.HttpContext)
            ? await next(invocation)
            : Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", "Only ops may call this endpoint."));
}
