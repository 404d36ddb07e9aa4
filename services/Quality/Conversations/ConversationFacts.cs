using Marten;
using Npgsql;
using NpgsqlTypes;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Conversations;

/// <summary>
/// What Quality keeps of each conversation Agreements recorded: one row per (conversation, agent who answered in it), in a plain
/// table fed by ConversationsRecorded (5,000 conversations a second arrive as 500-conversation messages). A row is replaced only
/// by a later revision of its conversation. Scorecards read it per agent and month; sampling writes its decision beside it.
/// </summary>
public static class ConversationFacts
{
    public const string Schema = "quality";

    public static readonly string CreateTables = $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE IF NOT EXISTS {Schema}.agent_conversations (
            store_id text NOT NULL, conversation_id text NOT NULL, agent_id text NOT NULL,
            revision int NOT NULL, local_date date NOT NULL, started_at timestamptz NOT NULL,
            channel text NOT NULL, kind text NOT NULL, message_count int NOT NULL,
            first_response_seconds double precision NULL,
            response_seconds_sum double precision NOT NULL, response_count int NOT NULL,
            missed boolean NOT NULL, slow boolean NOT NULL, resolved boolean NOT NULL,
            rating text NULL, converted boolean NOT NULL,
            decided_at timestamptz NOT NULL,
            PRIMARY KEY (store_id, conversation_id, agent_id));
        CREATE INDEX IF NOT EXISTS agent_conversations_by_agent ON {Schema}.agent_conversations (agent_id, local_date);
        CREATE TABLE IF NOT EXISTS {Schema}.samples (
            store_id text NOT NULL, conversation_id text NOT NULL, agent_id text NOT NULL,
            local_date date NOT NULL, started_at timestamptz NOT NULL,
            reason text NOT NULL, risk_score double precision NOT NULL, risk_reasons text[] NOT NULL,
            inspector_id text NULL, sampled_at timestamptz NOT NULL,
            review_id text NULL,
            PRIMARY KEY (store_id, conversation_id, agent_id));
        CREATE INDEX IF NOT EXISTS samples_pending ON {Schema}.samples (inspector_id, started_at) WHERE review_id IS NULL;
        ALTER TABLE {Schema}.samples ADD COLUMN IF NOT EXISTS priority smallint NOT NULL DEFAULT 0;
        ALTER TABLE {Schema}.samples ADD COLUMN IF NOT EXISTS seed text NULL;
        CREATE TABLE IF NOT EXISTS {Schema}.priority_requests (
            store_id text NOT NULL, conversation_id text NOT NULL, reason text NOT NULL, requested_at timestamptz NOT NULL,
            PRIMARY KEY (store_id, conversation_id));
        """;

    /// <summary>The row's columns in the order both writers (COPY and the upsert) supply them.</summary>
    private static readonly string[] Columns =
    [
        "store_id", "conversation_id", "agent_id", "revision", "local_date", "started_at", "channel", "kind", "message_count",
        "first_response_seconds", "response_seconds_sum", "response_count", "missed", "slow", "resolved", "rating", "converted", "decided_at",
    ];
    private static readonly string ColumnList = string.Join(", ", Columns);

    /// <summary>
    /// Writes each (conversation, agent) row unless a later revision of the conversation is stored already. Runs in the caller's
    /// transaction. A batch of first revisions only (nearly every message) goes in with binary COPY, which costs PostgreSQL about a
    /// third less than an INSERT ... ON CONFLICT of the same rows; if one is already stored (a later revision overtook it on the
    /// bus), the COPY is rolled back to its savepoint and the batch takes the upsert, which keeps the later revision, as does any
    /// batch holding a later revision.
    /// </summary>
    public static async Task UpsertAsync(IDocumentSession session, IReadOnlyList<(Contracts.ConversationRecorded C, string AgentId)> rows,
        DateTimeOffset now, CancellationToken ct)
    {
        // One order for every writer, so two messages touching the same rows never deadlock.
        var sorted = rows.OrderBy(r => r.C.StoreId, StringComparer.Ordinal).ThenBy(r => r.C.ConversationId, StringComparer.Ordinal)
            .ThenBy(r => r.AgentId, StringComparer.Ordinal).ToArray();
        // One statement over the whole sorted batch either way: split in two, two messages could lock their rows in crossed order.
        if (sorted.All(r => r.C.Revision == 1) && await TryCopyAsync(session.Connection!, sorted, now, ct)) return;
        await UpsertRowsAsync(session, sorted, now, ct);
    }

    /// <summary>COPY of rows none of which may be stored yet; false (and nothing written) when one is.</summary>
    private static async Task<bool> TryCopyAsync(NpgsqlConnection connection, IReadOnlyList<(Contracts.ConversationRecorded C, string AgentId)> rows,
        DateTimeOffset now, CancellationToken ct)
    {
        await using (var savepoint = new NpgsqlCommand("SAVEPOINT first_revisions", connection)) await savepoint.ExecuteNonQueryAsync(ct);
        try
        {
            var decidedAt = now.ToUniversalTime();
            await using (var import = await connection.BeginBinaryImportAsync(
                             $"COPY {Schema}.agent_conversations ({ColumnList}) FROM STDIN (FORMAT BINARY)", ct))
            {
                foreach (var (c, agentId) in rows)
                {
                    await import.StartRowAsync(ct);
                    await import.WriteAsync(c.StoreId, NpgsqlDbType.Text, ct);
                    await import.WriteAsync(c.ConversationId, NpgsqlDbType.Text, ct);
                    await import.WriteAsync(agentId, NpgsqlDbType.Text, ct);
                    await import.WriteAsync(c.Revision, NpgsqlDbType.Integer, ct);
                    await import.WriteAsync(c.LocalDate, NpgsqlDbType.Date, ct);
                    await import.WriteAsync(c.StartedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
                    await import.WriteAsync(c.Channel, NpgsqlDbType.Text, ct);
                    await import.WriteAsync(c.Kind, NpgsqlDbType.Text, ct);
                    await import.WriteAsync(c.MessageCount, NpgsqlDbType.Integer, ct);
                    if (c.FirstResponseSeconds is { } first) await import.WriteAsync(first, NpgsqlDbType.Double, ct);
                    else await import.WriteNullAsync(ct);
                    await import.WriteAsync(c.ResponseSeconds.Sum(), NpgsqlDbType.Double, ct);
                    await import.WriteAsync(c.ResponseSeconds.Count, NpgsqlDbType.Integer, ct);
                    await import.WriteAsync(c.Missed, NpgsqlDbType.Boolean, ct);
                    await import.WriteAsync(c.Slow, NpgsqlDbType.Boolean, ct);
                    await import.WriteAsync(c.Resolved, NpgsqlDbType.Boolean, ct);
                    if (c.Rating is { } rating) await import.WriteAsync(rating, NpgsqlDbType.Text, ct);
                    else await import.WriteNullAsync(ct);
                    await import.WriteAsync(c.Converted, NpgsqlDbType.Boolean, ct);
                    await import.WriteAsync(decidedAt, NpgsqlDbType.TimestampTz, ct);
                }
                await import.CompleteAsync(ct);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK TO SAVEPOINT first_revisions", connection);
            await rollback.ExecuteNonQueryAsync(ct);
            return false;
        }
        await using (var release = new NpgsqlCommand("RELEASE SAVEPOINT first_revisions", connection)) await release.ExecuteNonQueryAsync(ct);
        return true;
    }

    private static async Task UpsertRowsAsync(IDocumentSession session, IReadOnlyList<(Contracts.ConversationRecorded C, string AgentId)> sorted,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Schema}.agent_conversations AS a ({ColumnList})
            SELECT r.*, $18 FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::date[], $6::timestamptz[], $7::text[], $8::text[],
                $9::int[], $10::double precision[], $11::double precision[], $12::int[], $13::boolean[], $14::boolean[], $15::boolean[],
                $16::text[], $17::boolean[]) AS r
            ON CONFLICT (store_id, conversation_id, agent_id) DO UPDATE SET revision = excluded.revision, local_date = excluded.local_date,
                started_at = excluded.started_at, channel = excluded.channel, kind = excluded.kind, message_count = excluded.message_count,
                first_response_seconds = excluded.first_response_seconds, response_seconds_sum = excluded.response_seconds_sum,
                response_count = excluded.response_count, missed = excluded.missed, slow = excluded.slow, resolved = excluded.resolved,
                rating = excluded.rating, converted = excluded.converted, decided_at = excluded.decided_at
            WHERE a.revision < excluded.revision
            """)
        {
            Parameters =
            {
                new() { Value = sorted.Select(r => r.C.StoreId).ToArray() },
                new() { Value = sorted.Select(r => r.C.ConversationId).ToArray() },
                new() { Value = sorted.Select(r => r.AgentId).ToArray() },
                new() { Value = sorted.Select(r => r.C.Revision).ToArray() },
                new() { Value = sorted.Select(r => r.C.LocalDate).ToArray() },
                new() { Value = sorted.Select(r => r.C.StartedAt.ToUniversalTime()).ToArray() },
                new() { Value = sorted.Select(r => r.C.Channel).ToArray() },
                new() { Value = sorted.Select(r => r.C.Kind).ToArray() },
                new() { Value = sorted.Select(r => r.C.MessageCount).ToArray() },
                new() { Value = sorted.Select(r => r.C.FirstResponseSeconds).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Double },
                new() { Value = sorted.Select(r => r.C.ResponseSeconds.Sum()).ToArray() },
                new() { Value = sorted.Select(r => r.C.ResponseSeconds.Count).ToArray() },
                new() { Value = sorted.Select(r => r.C.Missed).ToArray() },
                new() { Value = sorted.Select(r => r.C.Slow).ToArray() },
                new() { Value = sorted.Select(r => r.C.Resolved).ToArray() },
                new() { Value = sorted.Select(r => r.C.Rating).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = sorted.Select(r => r.C.Converted).ToArray() },
                new() { Value = now.ToUniversalTime() },
            },
        };
        await session.ExecuteAsync(command, ct);
    }

    /// <summary>Adds new samples; a conversation already sampled for the agent keeps its first decision (and its review).</summary>
    public static async Task InsertSamplesAsync(IDocumentSession session,
        IReadOnlyList<(Contracts.ConversationRecorded C, SampleDecision D, string? Inspector)> samples, string seed, DateTimeOffset now,
        CancellationToken ct)
    {
        if (samples.Count == 0) return;
        // The seed is kept with each pick, so an audit can recompute the decision (Sampling.Decide) under the policy then in force.
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Schema}.samples (store_id, conversation_id, agent_id, local_date, started_at, reason, risk_score, risk_reasons,
                inspector_id, sampled_at, seed)
            SELECT s.store_id, s.conversation_id, s.agent_id, s.local_date, s.started_at, s.reason, s.risk_score,
                string_to_array(s.risk_reasons, ','), s.inspector_id, $10, $11
            FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::timestamptz[], $6::text[], $7::double precision[], $8::text[], $9::text[])
                AS s(store_id, conversation_id, agent_id, local_date, started_at, reason, risk_score, risk_reasons, inspector_id)
            ON CONFLICT (store_id, conversation_id, agent_id) DO NOTHING
            """)
        {
            Parameters =
            {
                new() { Value = samples.Select(s => s.C.StoreId).ToArray() },
                new() { Value = samples.Select(s => s.C.ConversationId).ToArray() },
                new() { Value = samples.Select(s => s.D.AgentId).ToArray() },
                new() { Value = samples.Select(s => s.C.LocalDate).ToArray() },
                new() { Value = samples.Select(s => s.C.StartedAt.ToUniversalTime()).ToArray() },
                new() { Value = samples.Select(s => s.D.Reason).ToArray() },
                new() { Value = samples.Select(s => s.D.RiskScore).ToArray() },
                new() { Value = samples.Select(s => string.Join(',', s.D.RiskReasons)).ToArray() },
                new() { Value = samples.Select(s => s.Inspector).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = now.ToUniversalTime() },
                new() { Value = seed },
            },
        };
        await session.ExecutePreparedAsync(command, ct);
    }

    /// <summary>
    /// Puts a conversation at the head of the QC queue (a store's complaint about it, say): each agent's part is sampled as a risk pick
    /// with priority, now if Quality holds the conversation, else when it arrives. A part already reviewed stays as it is. Runs in the
    /// caller's transaction (begun by the caller), which commits with the caller's own Marten changes.
    /// </summary>
    public static async Task PrioritizeAsync(IDocumentSession session, string storeId, string conversationId, string reason, DateTimeOffset now,
        CancellationToken ct)
    {
        await session.HoldForTransactionAsync(PrioritiesLock(storeId), ct);
        await using (var request = new NpgsqlCommand($"""
                         INSERT INTO {Schema}.priority_requests (store_id, conversation_id, reason, requested_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (store_id, conversation_id) DO NOTHING
                         """)
                     {
                         Parameters = { new() { Value = storeId }, new() { Value = conversationId }, new() { Value = reason }, new() { Value = now.ToUniversalTime() } },
                     })
            await session.ExecuteAsync(request, ct);
        await SamplePrioritizedAsync(session, storeId, [conversationId], now, ct);
    }

    /// <summary>
    /// A request and the conversation's arrival committing at the same moment would each miss the other's uncommitted row: a request
    /// takes this lock exclusively and an arrival shares it (until their transaction ends) before looking, so the later one always sees
    /// the earlier one's rows, while arrivals of the same store (which cannot miss each other's requests) never wait for each other.
    /// </summary>
    private static string PrioritiesLock(string storeId) => $"quality-priorities:{storeId}";

    /// <summary>
    /// Samples with priority the parts of these conversations someone asked to put first (see <see cref="PrioritizeAsync"/>); called by
    /// the consumer after it wrote the conversations.
    /// </summary>
    public static async Task ApplyPrioritiesAsync(IDocumentSession session, string storeId, IReadOnlyCollection<string> conversationIds,
        DateTimeOffset now, CancellationToken ct)
    {
        await session.HoldSharedForTransactionAsync(PrioritiesLock(storeId), ct);
        await SamplePrioritizedAsync(session, storeId, conversationIds, now, ct);
    }

    /// <summary>
    /// The requests are looked up first (almost always none) and each one's agent parts by the primary key: joined the other way round,
    /// the planner walked every agent_conversations row of the store for each 500-conversation message (84 ms each at 2.4 M rows).
    /// </summary>
    private static async Task SamplePrioritizedAsync(IDocumentSession session, string storeId, IReadOnlyCollection<string> conversationIds,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            WITH p AS MATERIALIZED (
                SELECT conversation_id, reason FROM {Schema}.priority_requests WHERE store_id = $1 AND conversation_id = ANY($2))
            INSERT INTO {Schema}.samples AS s (store_id, conversation_id, agent_id, local_date, started_at, reason, risk_score, risk_reasons,
                inspector_id, sampled_at, priority)
            SELECT a.store_id, a.conversation_id, a.agent_id, a.local_date, a.started_at, 'risk', 1, ARRAY[p.reason], NULL, $3, 1
            FROM p CROSS JOIN LATERAL (
                SELECT * FROM {Schema}.agent_conversations WHERE store_id = $1 AND conversation_id = p.conversation_id OFFSET 0) AS a
            ON CONFLICT (store_id, conversation_id, agent_id) DO UPDATE SET priority = 1,
                risk_reasons = CASE WHEN excluded.risk_reasons[1] = ANY(s.risk_reasons) THEN s.risk_reasons ELSE s.risk_reasons || excluded.risk_reasons END
            WHERE s.review_id IS NULL AND s.priority = 0
            """)
        {
            Parameters = { new() { Value = storeId }, new() { Value = conversationIds.ToArray() }, new() { Value = now.ToUniversalTime() } },
        };
        await session.ExecutePreparedAsync(command, ct);
    }

    /// <summary>Every sample of a store's day (reviewed or not), for audit: why it was picked, under which seed, and its review.</summary>
    public static async Task<IReadOnlyList<AuditedSample>> SamplesOfDayAsync(IQuerySession session, string storeId, DateOnly date, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT conversation_id, agent_id, reason, risk_score, risk_reasons, seed, priority > 0, inspector_id, sampled_at, review_id
            FROM {Schema}.samples WHERE store_id = $1 AND local_date = $2 ORDER BY started_at, conversation_id, agent_id
            """)
        {
            Parameters = { new() { Value = storeId }, new() { Value = date } },
        };
        var samples = new List<AuditedSample>();
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct))
            samples.Add(new AuditedSample(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetDouble(3),
                reader.GetFieldValue<string[]>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetBoolean(6),
                reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetString(9)));
        return samples;
    }

    private const string QueueColumns = """
        s.store_id, s.conversation_id, s.agent_id, s.local_date, s.started_at, s.reason, s.risk_score, s.risk_reasons, s.inspector_id,
        s.sampled_at, a.channel, a.kind, a.rating, a.missed, a.slow, a.first_response_seconds, s.priority > 0
        """;

    /// <summary>
    /// Pending samples, prioritized first, then oldest conversation first: the inspector's own plus, in the stores they cover, the
    /// unassigned ones and those of inspectors no longer active (so nobody's leaving strands their queue).
    /// </summary>
    public static async Task<IReadOnlyList<QueueItem>> QueueAsync(IQuerySession session, string? inspectorId, string[]? coveredStores,
        string[] activeInspectors, int limit, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {QueueColumns}
            FROM {Schema}.samples s JOIN {Schema}.agent_conversations a USING (store_id, conversation_id, agent_id)
            WHERE s.review_id IS NULL AND ($1::text IS NULL OR s.inspector_id = $1
                OR (s.inspector_id IS NULL OR s.inspector_id <> ALL($4)) AND (cardinality($2::text[]) = 0 OR s.store_id = ANY($2)))
            ORDER BY s.priority DESC, s.started_at, s.store_id, s.conversation_id, s.agent_id
            LIMIT $3
            """)
        {
            Parameters =
            {
                new() { Value = (object?)inspectorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new() { Value = coveredStores ?? [], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = limit },
                new() { Value = activeInspectors },
            },
        };
        return await ReadItemsAsync(session, command, ct);
    }

    /// <summary>The sample of one agent's part in one conversation (reviewed or not), or null when it was not sampled.</summary>
    public static async Task<(QueueItem Item, string? ReviewId)?> SampleAsync(IQuerySession session, string storeId, string conversationId,
        string agentId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {QueueColumns}, s.review_id
            FROM {Schema}.samples s JOIN {Schema}.agent_conversations a USING (store_id, conversation_id, agent_id)
            WHERE s.store_id = $1 AND s.conversation_id = $2 AND s.agent_id = $3
            """)
        {
            Parameters = { new() { Value = storeId }, new() { Value = conversationId }, new() { Value = agentId } },
        };
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        if (!await reader.ReadAsync(ct)) return null;
        return (Item(reader), reader.IsDBNull(17) ? null : reader.GetString(17));
    }

    /// <summary>Marks the sample reviewed in the caller's transaction; false when another review got there first.</summary>
    public static async Task<bool> MarkReviewedAsync(IDocumentSession session, string storeId, string conversationId, string agentId,
        string reviewId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            UPDATE {Schema}.samples SET review_id = $4 WHERE store_id = $1 AND conversation_id = $2 AND agent_id = $3 AND review_id IS NULL
            RETURNING 1
            """)
        {
            Parameters = { new() { Value = storeId }, new() { Value = conversationId }, new() { Value = agentId }, new() { Value = reviewId } },
        };
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        return await reader.ReadAsync(ct);
    }

    private static async Task<IReadOnlyList<QueueItem>> ReadItemsAsync(IQuerySession session, NpgsqlCommand command, CancellationToken ct)
    {
        var items = new List<QueueItem>();
        await using (command)
        await using (var reader = await session.ExecuteReaderAsync(command, ct))
            while (await reader.ReadAsync(ct)) items.Add(Item(reader));
        return items;
    }

    private static QueueItem Item(System.Data.Common.DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateOnly>(3),
        r.GetFieldValue<DateTimeOffset>(4), r.GetString(5), r.GetDouble(6), r.GetFieldValue<string[]>(7), r.IsDBNull(8) ? null : r.GetString(8),
        r.GetFieldValue<DateTimeOffset>(9), r.GetString(10), r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12), r.GetBoolean(13),
        r.GetBoolean(14), r.IsDBNull(15) ? null : r.GetDouble(15), r.GetBoolean(16));
}
