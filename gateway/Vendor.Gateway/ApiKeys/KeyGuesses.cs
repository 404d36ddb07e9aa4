using System.Threading.RateLimiting;
using Vendor.Gateway.Edge;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Guessing keys costs a database lookup each: a client address gets few unknown-key attempts, 30 at once and 5 more a second.
/// ApiKeyAuthentication keeps one for /api; the alert stream, outside /api, keeps its own.
/// </summary>
public sealed class KeyGuesses : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = 30, TokensPerPeriod = 5, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    /// <summary>What a caller refused for guessing is told: the "guesses" policy (30 at once, 5 more a second), none left.</summary>
    public static QuotaState ExhaustedQuota => new("guesses", 30, 6, 0, 1);

    public bool Exhausted(string address) => _limiter.GetStatistics(address)?.CurrentAvailablePermits == 0;

    public void Count(string address) => _limiter.AttemptAcquire(address).Dispose();

    public void Dispose() => _limiter.Dispose();
}
