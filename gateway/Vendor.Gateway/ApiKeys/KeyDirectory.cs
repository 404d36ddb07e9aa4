using System.Collections.Concurrent;
using Marten;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Finds the key of a presented secret by its hash. Answers are cached briefly so the hot path rarely reads
/// PostgreSQL; a revocation reaches every gateway replica within <see cref="CacheFor"/>.
/// </summary>
public sealed class KeyDirectory(IDocumentStore store, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, (ApiKey? Key, DateTimeOffset Until)> _cache = new();

    public async ValueTask<ApiKey?> FindAsync(string secret, CancellationToken ct)
    {
        var hash = Secrets.Hash(secret);
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now) return cached.Key;

        await using var session = store.QuerySession();
        var key = await session.Query<ApiKey>().FirstOrDefaultAsync(k => k.SecretHash == hash, ct);
        if (_cache.Count >= MaxEntries) _cache.Clear();
        _cache[hash] = (key is { Active: true } ? key : null, now + CacheFor);
        return key is { Active: true } ? key : null;
    }

    /// <summary>This replica forgets a key at once (others within the cache time).</summary>
    public void Forget(string secretHash) => _cache.TryRemove(secretHash, out _);
}
