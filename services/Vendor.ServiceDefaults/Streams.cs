using JasperFx;
using Marten;
using Marten.Exceptions;

namespace Vendor.ServiceDefaults;

public static class Streams
{
    /// <summary>
    /// For a consumer: the stream of an aggregate the message is about, which must exist already. When the message overtook
    /// the one creating it, this throws, so the bus redelivers it later instead of dropping it.
    /// </summary>
    public static async Task<JasperFx.Events.IEventStream<T>> FetchExistingAsync<T>(this IDocumentSession session, string streamKey,
        CancellationToken ct) where T : class
    {
        var stream = await session.Events.FetchForWriting<T>(streamKey, ct);
        return stream.Aggregate is null ? throw new InvalidOperationException($"'{streamKey}' does not exist (yet); retried later.") : stream;
    }

    /// <summary>
    /// Loads a stream, decides, appends and commits. When another request wrote the stream in between (two identical
    /// posts at once), the decision runs again on the fresh state, so an idempotent repeat answers Unchanged instead of
    /// a 409. With <paramref name="expectedVersion"/> (If-Match) a concurrent change is reported as Stale instead.
    /// </summary>
    public static async Task<(Decision Decision, T? State)> DecideAsync<T>(this IDocumentStore store, string streamKey,
        Func<T?, Decision> decide, long? expectedVersion, CancellationToken ct) where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<T>(streamKey, ct);
            var current = stream.CurrentVersion ?? 0;
            if (expectedVersion is { } expected && expected != current) return (new Decision.Stale(current), stream.Aggregate);
            var decision = decide(stream.Aggregate);
            if (decision is not Decision.Append append) return (decision, stream.Aggregate);
            stream.AppendMany(append.Events);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (e is ConcurrencyException or ExistingStreamIdCollisionException)
            {
                if (expectedVersion is not null) return (new Decision.Stale(current + 1), stream.Aggregate);
                if (attempt < 3) continue;
                throw;
            }
            return (decision, await session.LoadAsync<T>(streamKey, ct));
        }
    }
}
