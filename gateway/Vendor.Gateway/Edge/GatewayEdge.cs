using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Vendor.Gateway.Edge;

/// <summary>What every request meets around the key check: security headers, CORS, per-source limits, body limits.</summary>
public static class GatewayEdge
{
    /// <summary>Gateway:Cors:AllowedOrigins; none (the default) means no CORS at all: browsers keep the same-origin rule.</summary>
    public static string[] AllowedOrigins(IConfiguration configuration) =>
        configuration.GetSection("Gateway:Cors:AllowedOrigins").Get<string[]>()?.Where(o => !string.IsNullOrWhiteSpace(o))
            .Select(o => o.Trim().TrimEnd('/')).ToArray() ?? [];

    public static WebApplicationBuilder AddGatewayEdge(this WebApplicationBuilder builder)
    {
        builder.Services.AddCors();
        return builder;
    }

    /// <summary>Security headers and CORS (only on /api, only for the configured origins).</summary>
    public static WebApplication UseGatewayHeaders(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        var origins = AllowedOrigins(app.Configuration);
        if (origins.Length > 0)
            app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseCors(Policy(origins)));
        return app;
    }

    /// <summary>Per-source rate limit: before any key is looked up.</summary>
    public static WebApplication UseSourceRateLimit(this WebApplication app)
    {
        app.UseMiddleware<SourceRateLimit>();
        return app;
    }

    /// <summary>Body size limits: after the key check, so a refused body is audited with its caller.</summary>
    public static WebApplication UseBodySizeLimits(this WebApplication app)
    {
        app.UseMiddleware<BodySizeLimits>();
        return app;
    }

    /// <summary>API keys in a header, never cookies: no credentials mode. Preflights are answered here, before any key check.</summary>
    public static Action<CorsPolicyBuilder> Policy(string[] origins) => policy => policy
        .WithOrigins(origins)
        .WithMethods("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        .WithHeaders(ApiKeyAuthentication.Header, "Content-Type", "If-Match", "Accept", "Accept-Language")
        .WithExposedHeaders("ETag", "Location", "Retry-After", RateLimitFields.PolicyHeader, RateLimitFields.Header)
        .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
}
