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
    private readonly TokenBuckets? _buckets;

    public SourceRateLimit(RequestDelegate next, IConfiguration configuration)
    {
        _next = next;
        var settings = configuration.GetSection("Gateway:RateLimit:PerSource").Get<RateLimitSettings>() ?? Defaults;
        if (settings.TokensPerSecond > 0) _buckets = new TokenBuckets("address", settings);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        if (_buckets is null || context.Request.Path.StartsWithSegments("/health"))
        {
            await _next(context);
            return;
        }
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (!_buckets.TryAcquire(context, address, out var retryAfter))
        {
            await TokenBuckets.TooManyRequests(context, retryAfter, "Too many requests from this address; retry after the time in Retry-After.");
            return;
        }
        await _next(context);
    }

    public void Dispose() => _buckets?.Dispose();
}

/// <summary>
/// A named token-bucket policy ("key", "address"): a bucket per partition, replenished in small steps for smooth limits (slow rates
/// add one token per period). Each attempt records what the caller has left (RateLimit-Policy / RateLimit on the answer).
/// </summary>
public sealed class TokenBuckets : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly long _quota, _window, _refillSeconds;

    public TokenBuckets(string policy, RateLimitSettings limits)
    {
        Policy = policy;
        var period = TimeSpan.FromSeconds(Math.Max(0.1, 1 / Math.Max(limits.TokensPerSecond, 0.001)));
        var perPeriod = Math.Max(1, (int)Math.Round(limits.TokensPerSecond * period.TotalSeconds));
        (_quota, _window) = RateLimitFields.PolicyOf(limits);
        _refillSeconds = RateLimitFields.RetryAfterSeconds(period);
        _limiter = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = (int)_quota,
                TokensPerPeriod = perPeriod,
                ReplenishmentPeriod = period,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public string Policy { get; }

    /// <summary>Takes a token from the partition's bucket; false (and a 429 to write) when it is empty.</summary>
    public bool TryAcquire(HttpContext context, string partition, out TimeSpan retryAfter)
    {
        using var lease = _limiter.AttemptAcquire(partition);
        if (lease.IsAcquired)
        {
            retryAfter = TimeSpan.Zero;
            var left = _limiter.GetStatistics(partition)?.CurrentAvailablePermits ?? 0;
            CallerQuotas.Add(context, new QuotaState(Policy, _quota, _window, left, _refillSeconds));
            return true;
        }
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        CallerQuotas.Add(context, new QuotaState(Policy, _quota, _window, 0, RateLimitFields.RetryAfterSeconds(retryAfter)));
        return false;
    }

    /// <summary>429 problem+json with Retry-After in whole seconds (at least 1); the rate-limit fields come with it.</summary>
    public static Task TooManyRequests(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers.RetryAfter = RateLimitFields.RetryAfterSeconds(retryAfter).ToString(CultureInfo.InvariantCulture);
        return Problems.Write(context, StatusCodes.Status429TooManyRequests, "Too many requests", detail);
    }

    public void Dispose() => _limiter.Dispose();
}
