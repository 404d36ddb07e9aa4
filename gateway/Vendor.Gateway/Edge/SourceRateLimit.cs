using System.Globalization;
using System.Threading.RateLimiting;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Edge;

/// <summary>
/// A token bucket per client address (Gateway:RateLimit:PerSource:TokensPerSecond / Burst; 0 turns it off), before any key is
/// looked at: many keys (or none) from one address share it. Health probes are exempt. The address is the connection's peer:
/// behind a load balancer, configure forwarded headers so it is the client's.
/// </summary>
public sealed class SourceRateLimit : IDisposable
{
    public static readonly RateLimitSettings Defaults = new(TokensPerSecond: 200, Burst: 400);

    private readonly RequestDelegate _next;
    private readonly PartitionedRateLimiter<string>? _limiter;

    public SourceRateLimit(RequestDelegate next, IConfiguration configuration)
    {
        _next = next;
        var settings = configuration.GetSection("Gateway:RateLimit:PerSource").Get<RateLimitSettings>() ?? Defaults;
        if (settings.TokensPerSecond > 0) _limiter = TokenBuckets.Create(settings);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (_limiter is null || context.Request.Path.StartsWithSegments("/health"))
        {
            await _next(context);
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        using var lease = _limiter.AttemptAcquire(address);
        if (!lease.IsAcquired)
        {
            await TokenBuckets.TooManyRequests(context, lease, "Too many requests from this address; retry after the time in Retry-After.");
            return;
        }
        await _next(context);
    }

    public void Dispose() => _limiter?.Dispose();
}

public static class TokenBuckets
{
    /// <summary>A bucket per partition; replenished in small steps for smooth limits (slow rates add one token per period).</summary>
    public static PartitionedRateLimiter<string> Create(RateLimitSettings limits)
    {
        var period = TimeSpan.FromSeconds(Math.Max(0.1, 1 / Math.Max(limits.TokensPerSecond, 0.001)));
        var perPeriod = Math.Max(1, (int)Math.Round(limits.TokensPerSecond * period.TotalSeconds));
        return PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, limits.Burst),
                TokensPerPeriod = perPeriod,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public static Task TooManyRequests(HttpContext context, RateLimitLease lease, string detail)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Problems.Write(context, StatusCodes.Status429TooManyRequests, "Too many requests", detail);
    }
}
