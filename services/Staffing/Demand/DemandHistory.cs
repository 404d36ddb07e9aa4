using Marten;
using Npgsql;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Demand;

/// <summary>Arrivals and handle time in one 30-minute interval of a store-local day.</summary>
public readonly record struct IntervalDemand(long Contacts, double HandleSeconds, long Handled)
{
    public static IntervalDemand operator +(IntervalDemand a, IntervalDemand b) =>
        new(a.Contacts + b.Contacts, a.HandleSeconds + b.HandleSeconds, a.Handled + b.Handled);
}

/// <summary>
/// Demand history per store, store-local date and 30-minute interval, counted from Agreements' ConversationsRecorded in a plain
/// table (a 500-conversation message becomes a handful of upserts). A conversation counts once, when first recorded
/// (revision 1): later revisions add messages or outcomes, not arrivals.
/// </summary>
public static class DemandHistory
{
    public const string Schema = "staffing";

    public static readonly string CreateTables = $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE IF NOT EXISTS {Schema}.demand (
            store_id text NOT NULL, local_date date NOT NULL, interval smallint NOT NULL,
            contacts bigint NOT NULL, handle_seconds double precision NOT NULL, handled bigint NOT NULL,
            PRIMARY KEY (store_id, local_date, interval));
        """;

    /// <summary>Per (local date, interval) what a batch of recorded conversations adds (first revisions only).</summary>
    public static Dictionary<(DateOnly Date, int Interval), IntervalDemand> Arrivals(IEnumerable<Contracts.ConversationRecorded> conversations,
        TimeZoneInfo zone)
    {
        var added = new Dictionary<(DateOnly, int), IntervalDemand>();
        foreach (var c in conversations.Where(c => c.Revision == 1))
        {
            var key = (c.LocalDate, OpeningHours.IntervalOf(c.StartedAt, zone));
            var handle = c.EndedAt is { } ended && ended > c.StartedAt ? (ended - c.StartedAt).TotalSeconds : (double?)null;
            added[key] = added.GetValueOrDefault(key) + new IntervalDemand(1, handle ?? 0, handle is null ? 0 : 1);
        }
        return added;
    }

    /// <summary>Per (local date, interval) what Agreements' 5-minute arrival slots add (they hold first revisions only).</summary>
    public static Dictionary<(DateOnly Date, int Interval), IntervalDemand> Arrivals(IEnumerable<Contracts.ArrivalSlot> slots)
    {
        var added = new Dictionary<(DateOnly, int), IntervalDemand>();
        foreach (var slot in slots)
        {
            var key = (slot.LocalDate, slot.Minute / OpeningHours.IntervalMinutes);
            added[key] = added.GetValueOrDefault(key) + new IntervalDemand(slot.Contacts, slot.HandleSeconds, slot.Handled);
        }
        return added;
    }

    public static async Task AddAsync(IDocumentSession session, string storeId, IReadOnlyDictionary<(DateOnly Date, int Interval), IntervalDemand> added,
        CancellationToken ct)
    {
        if (added.Count == 0) return;
        // One order for every writer: arrivals of one store are now published by ingests running side by side, and two messages
        // adding to the same intervals in crossed order would deadlock.
        var keys = added.Keys.OrderBy(k => k.Date).ThenBy(k => k.Interval).ToArray();
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Schema}.demand (store_id, local_date, interval, contacts, handle_seconds, handled)
            SELECT $1, d.* FROM unnest($2::date[], $3::smallint[], $4::bigint[], $5::double precision[], $6::bigint[])
                AS d(local_date, interval, contacts, handle_seconds, handled)
            ON CONFLICT (store_id, local_date, interval) DO UPDATE SET contacts = demand.contacts + excluded.contacts,
                handle_seconds = demand.handle_seconds + excluded.handle_seconds, handled = demand.handled + excluded.handled
            """)
        {
            Parameters =
            {
                new() { Value = storeId }, new() { Value = keys.Select(k => k.Date).ToArray() },
                new() { Value = keys.Select(k => (short)k.Interval).ToArray() }, new() { Value = keys.Select(k => added[k].Contacts).ToArray() },
                new() { Value = keys.Select(k => added[k].HandleSeconds).ToArray() }, new() { Value = keys.Select(k => added[k].Handled).ToArray() },
            },
        };
        await session.ExecutePreparedAsync(command, ct);
    }

    /// <summary>The store's history on the given dates (missing days are absent from the answer).</summary>
    public static async Task<Dictionary<(DateOnly Date, int Interval), IntervalDemand>> LoadAsync(IQuerySession session, string storeId,
        IReadOnlyCollection<DateOnly> dates, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT local_date, interval, contacts, handle_seconds, handled FROM {Schema}.demand WHERE store_id = $1 AND local_date = ANY($2)")
        {
            Parameters = { new() { Value = storeId }, new() { Value = dates.ToArray() } },
        };
        var history = new Dictionary<(DateOnly, int), IntervalDemand>();
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct))
            history[(reader.GetFieldValue<DateOnly>(0), reader.GetInt16(1))] = new IntervalDemand(reader.GetInt64(2), reader.GetDouble(3), reader.GetInt64(4));
        return history;
    }

    /// <summary>The first date the store has any demand on (older weeks are not averaged in as zeros).</summary>
    public static async Task<DateOnly?> FirstDateAsync(IQuerySession session, string storeId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT min(local_date) FROM {Schema}.demand WHERE store_id = $1")
        {
            Parameters = { new() { Value = storeId } },
        };
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        return await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? reader.GetFieldValue<DateOnly>(0) : null;
    }
}

/// <summary>
/// Arrivals as Agreements publishes them since ConversationsRecordedV2: already per store-local date and 5-minute slot, so Staffing no
/// longer parses every conversation (it read 4 fields of each ~500-byte record, ~10 µs of CPU a conversation under ./vendor bench ingest).
/// </summary>
public sealed class ConversationArrivalsConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.ConversationArrivals>(session, clock)
{
    protected override async Task Handle(Contracts.ConversationArrivals message, IDocumentSession session, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await DemandHistory.AddAsync(session, message.StoreId, DemandHistory.Arrivals(message.Slots), ct);
    }
}

/// <summary>The first version, still published by an Agreements older than ConversationArrivals (and queued before it).</summary>
public sealed class ConversationsRecordedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.ConversationsRecorded>(session, clock)
{
    protected override async Task Handle(Contracts.ConversationsRecorded message, IDocumentSession session, CancellationToken ct)
    {
        // Conversations of a store Staffing has not registered yet: the bus redelivers after the onboarding arrives.
        var store = await session.LoadAsync<StaffedStore>(StaffedStore.StreamKey(message.StoreId), ct)
                    ?? throw new InvalidOperationException($"Store '{message.StoreId}' is not registered in Staffing yet.");
        await session.BeginTransactionAsync(ct);
        await DemandHistory.AddAsync(session, message.StoreId, DemandHistory.Arrivals(message.Conversations, OpeningHours.Zone(store.TimeZone)), ct);
    }
}
