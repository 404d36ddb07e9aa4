using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Edge;

/// <param name="DefaultBytes">Every request but conversation ingest.</param>
/// <param name="IngestBytes">POST /api/sla/stores/{storeId}/conversations (batches of conversations).</param>
public sealed record BodyLimitSettings(long DefaultBytes = 1024 * 1024, long IngestBytes = 5 * 1024 * 1024);

/// <summary>
/// Request body limits per route: a declared Content-Length over the limit is refused at once (413 problem+json, nothing read or
/// forwarded); a chunked body is cut off by the server when it crosses the limit (the same 413).
/// </summary>
public sealed class BodySizeLimits(RequestDelegate next, IConfiguration configuration)
{
    private readonly BodyLimitSettings _limits = configuration.GetSection("Gateway:BodyLimits").Get<BodyLimitSettings>() ?? new BodyLimitSettings();

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = LimitFor(_limits, context.Request.Method, context.Request.Path.Value ?? "/");
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature) feature.MaxRequestBodySize = limit;
        if (context.Request.ContentLength > limit)
        {
            await TooLarge(context, limit);
            return;
        }
        await next(context);
    }

    public static long LimitFor(BodyLimitSettings limits, string method, string path) =>
        HttpMethods.IsPost(method) && path.Trim('/').Split('/') is ["api", "sla", "stores", _, "conversations"]
            ? limits.IngestBytes
            : limits.DefaultBytes;

    public static Task TooLarge(HttpContext context, long limit) =>
        Problems.Write(context, StatusCodes.Status413PayloadTooLarge, "Payload too large",
            $"The request body may be at most {limit.ToString(CultureInfo.InvariantCulture)} bytes on this route.");
}
