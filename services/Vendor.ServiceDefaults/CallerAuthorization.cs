using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Vendor.ServiceDefaults;

/// <summary>Defence in depth behind the gateway: every /api call must carry a gateway-signed caller.</summary>
public static class CallerAuthorization
{
    public static string GatewaySecret(this IConfiguration configuration) =>
        configuration["Vendor:GatewaySecret"] is { Length: >= 16 } secret
            ? secret
            : throw new InvalidOperationException(
                "Vendor:GatewaySecret (env Vendor__GatewaySecret) must be set to at least 16 characters; ./vendor up sets it.");

    public static IApplicationBuilder UseGatewayCallers(this IApplicationBuilder app)
    {
        if (ServiceDefaultsExtensions.GeneratingDocuments) return app; // the build reading the OpenAPI documents serves no request
        var secret = app.ApplicationServices.GetRequiredService<IConfiguration>().GatewaySecret();
        var clock = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }
            var caller = GatewayHeaders.Read(context.Request.Headers, secret, clock.GetUtcNow(), context.Request.Method,
                context.Request.Path.Value ?? "/");
            if (caller is null)
            {
                await Problems.Write(context, StatusCodes.Status401Unauthorized, "Unauthenticated",
                    "Calls must come through the gateway with an API key.");
                return;
            }
            context.Items[typeof(CallerIdentity)] = caller;
            await next(context);
        });
    }

    public static CallerIdentity Caller(this HttpContext context) =>
        context.Items[typeof(CallerIdentity)] as CallerIdentity
        ?? throw new InvalidOperationException("No caller: UseGatewayCallers() must run before the endpoints.");

    /// <summary>
    /// Only the given roles may call; when the route has a {storeId}, a store-bound key must match it.
    /// </summary>
    public static TBuilder RequireCaller<TBuilder>(this TBuilder builder, params string[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        // The roles as metadata too: an endpoint a store or ingest key may call is published in the store API document.
        builder.WithMetadata(new CallerRoles(roles)).AddEndpointFilter(async (invocation, next) =>
        {
            var http = invocation.HttpContext;
            var caller = http.Caller();
            if (!roles.Contains(caller.Role))
                return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden",
                    $"The '{caller.Role}' role may not call this endpoint.");
            if (http.Request.RouteValues["storeId"] is string storeId && !caller.MaySee(storeId))
                return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden",
                    "This key is bound to another store.");
            return await next(invocation);
        });
}

/// <summary>The roles <see cref="CallerAuthorization.RequireCaller{TBuilder}"/> lets call an endpoint (the last one set counts).</summary>
public sealed record CallerRoles(IReadOnlyList<string> Roles);
