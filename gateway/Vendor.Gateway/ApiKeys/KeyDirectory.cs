using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Finds the key of a presented secret by its hash. Answers (found or not) are cached briefly in a size-bounded
/// cache, so the hot path rarely reads PostgreSQL; a revocation reaches every gateway replica within <see cref="CacheFor"/>.
/// </summary>
public sealed class KeyDirectory(IDocumentStore store) : IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    private sealed record Entry(ApiKey? Key);

    public async ValueTask<ApiKey?> FindAsync(string secret, CancellationToken ct)
    {
        var hash = Secrets.Hash(secret);
        if (_cache.TryGetValue(hash, out Entry? cached)) return cached!.Key;

        await using var session = store.QuerySession();
        var key = await session.Query<ApiKey>().FirstOrDefaultAsync(k => k.SecretHash == hash, ct);
        var active = key is { Active: true } ? key : null;
        _cache.Set(hash, new Entry(active), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CacheFor });
        return active;
    }

    /// <summary>This replica forgets a key at once (others within the cache time).</summary>
    public void Forget(string secretHash) => _cache.Remove(secretHash);

    public void Dispose() => _cache.Dispose();
}
