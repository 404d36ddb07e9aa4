namespace Vendor.Gateway.Edge;

/// <summary>
/// Headers on every answer of the gateway, its own and proxied ones alike (set as the response starts, after YARP copied the
/// service's headers). HSTS only over https: over plain http a browser ignores it, and a local http install must stay reachable.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>What the dashboard lives with: its own scripts and styles (inline styles allowed), data: images, its own API.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>
    /// The store API's reference page only (Scalar): its page configures the viewer in an inline script. Nothing else changes: the
    /// viewer's script is the gateway's own (no CDN), and the page reaches only the gateway.
    /// </summary>
    public const string ReferencePagePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public const string StrictTransportSecurity = "max-age=31536000; includeSubDomains";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            Apply((HttpContext)state);
            return Task.CompletedTask;
        }, context);
        return next(context);
    }

    internal static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the sign-in form's POST, and the
        // dashboard refuses sign-ins it cannot tell apart from another site's. Other sites still get no referrer.
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(StoreApi.StoreApiModule.DocsPath, StringComparison.OrdinalIgnoreCase)
            ? ReferencePagePolicy
            : ContentSecurityPolicy;
        if (context.Request.IsHttps) headers.StrictTransportSecurity = StrictTransportSecurity;
        else headers.Remove("Strict-Transport-Security");
    }
}
