using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Finds the key of a presented secret by its hash (current secret, or the previous one during a rotation's overlap). Answers
/// (found or not) are cached in a size-bounded cache, so the hot path rarely reads PostgreSQL. Every replica listens for key
/// changes (<see cref="KeyChangeListener"/>) and forgets its cache on each one, so a revocation or the end of a rotation reaches
/// all replicas within the notification's delivery (milliseconds); while a replica cannot listen, it caches for
/// <see cref="CacheWhileDeaf"/> only. Expiry and overlap ends are a matter of time, checked on every request.
/// </summary>
public sealed class KeyDirectory(IDocumentStore store, TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan CacheWhileDeaf = TimeSpan.FromSeconds(1);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private long _generation;
    private volatile bool _listening;

    private sealed record Entry(ApiKey? Key);

    /// <summary>Whether this replica hears key changes right now.</summary>
    public bool Listening => _listening;

    /// <summary>The key the secret opens now, or null (unknown, revoked, expired, or a replaced secret past its overlap).</summary>
    public async ValueTask<ApiKey?> FindAsync(string secret, CancellationToken ct)
    {
        var hash = Secrets.Hash(secret);
        if (!_cache.TryGetValue(hash, out Entry? entry))
        {
            // A change heard while the lookup ran must not leave the older answer cached.
            var generation = Interlocked.Read(ref _generation);
            await using var session = store.QuerySession();
            var key = await session.Query<ApiKey>().FirstOrDefaultAsync(k => k.SecretHash == hash || k.PreviousSecretHash == hash, ct);
            entry = new Entry(key);
            _cache.Set(hash, entry, new MemoryCacheEntryOptions
            {
                Size = 1, AbsoluteExpirationRelativeToNow = _listening ? CacheFor : CacheWhileDeaf,
            });
            if (Interlocked.Read(ref _generation) != generation) _cache.Remove(hash);
        }
        return entry!.Key is { } found && found.Accepts(hash, clock.GetUtcNow()) ? found : null;
    }

    /// <summary>A key changed (here or on another replica): forget every cached answer. Key changes are rare; lookups are cheap.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _cache.Clear();
    }

    /// <summary>The listener (re)connected or lost its connection: changes may have been missed, so start afresh either way.</summary>
    internal void SetListening(bool listening)
    {
        _listening = listening;
        ForgetAll();
    }

    public void Dispose() => _cache.Dispose();
}
