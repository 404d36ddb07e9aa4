using System.Text.Json;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Vendor.Agreements.Sla;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Ingestion;

/// <summary>A stored conversation with its store-local start date and what it contributes to that day's rollup.</summary>
public sealed record LedgerRow(RecordedConversation Conversation, DateOnly LocalDate, DailyCounts Counts, int Revision)
{
    /// <summary>Set when the row was just measured (not when loaded).</summary>
    public ConversationFacts? Facts { get; init; }

    /// <summary>The first message on the store's wall clock; set when the row was just measured (not when loaded).</summary>
    public DateTimeOffset? LocalStart { get; init; }

    /// <summary>The conversation as the ledger stores it (UTF-8 JSON), when serialized ahead of the write.</summary>
    public byte[]? Body { get; init; }
}

/// <summary>
/// The hot path's tables, written with plain SQL in the Marten session's transaction: one row per conversation
/// (the merged conversation and its contribution) and the per-store/day rollups the SLA API reads.
/// </summary>
public static class ConversationLedger
{
    public const string Schema = "agreements";
    /// <summary>
    /// The ledger's and the ingestion API's JSON shape (web defaults: camelCase). Chinese text is stored as UTF-8, not as \uXXXX escapes
    /// (half the size, and cheaper for PostgreSQL to parse); nulls are left out of what is written (the ledger body, the outbox rows), as
    /// an absent field reads back as null and most messages have no agentId.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
    private static readonly string CountColumns = string.Join(", ", DailyCounts.Columns);

    public static readonly string CreateTables = $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE IF NOT EXISTS {Schema}.conversations (
            store_id text NOT NULL, conversation_id text NOT NULL, local_date date NOT NULL, started_at timestamptz NOT NULL,
            channel text NOT NULL, kind text NOT NULL, body jsonb NOT NULL, revision int NOT NULL, updated_at timestamptz NOT NULL,
            {string.Join(", ", DailyCounts.Columns.Select(c => $"{c} {SqlType(c)} NOT NULL"))},
            PRIMARY KEY (store_id, conversation_id));
        CREATE TABLE IF NOT EXISTS {Schema}.sla_daily (
            store_id text NOT NULL, local_date date NOT NULL,
            {string.Join(", ", DailyCounts.Columns.Select(c => $"{c} {SqlType(c)} NOT NULL DEFAULT 0"))},
            PRIMARY KEY (store_id, local_date));
        CREATE TABLE IF NOT EXISTS {Schema}.qc_reviews (
            review_id text PRIMARY KEY, store_id text NOT NULL, conversation_id text NOT NULL, local_date date NOT NULL,
            score double precision NOT NULL);
        CREATE INDEX IF NOT EXISTS qc_reviews_conversation ON {Schema}.qc_reviews (store_id, conversation_id);
        ALTER TABLE {Schema}.qc_reviews ADD COLUMN IF NOT EXISTS revision int NOT NULL DEFAULT 1;
        -- The conversation list (GET .../conversations) pages by conversation_id, the one key that never moves. The period and
        -- the filters are key columns, checked inside the index, so a page touches about one heap page per conversation it returns
        -- whatever the period (EXPLAIN (ANALYZE, BUFFERS), 200,000 conversations of a store over 90 days: 500-1,800 buffers a page
        -- of 500, from a month unfiltered to one day of unresolved).
        -- No statistics on the body: no query filters on it, and ANALYZE sorting 30,000 sampled jsonb bodies (compareJsonbContainers) was
        -- 7 % of PostgreSQL's CPU under ./vendor bench ingest (perf). Set once: the ALTER locks the table.
        DO $stats$ BEGIN
            IF (SELECT attstattarget FROM pg_attribute WHERE attrelid = '{Schema}.conversations'::regclass AND attname = 'body') IS DISTINCT FROM 0 THEN
                ALTER TABLE {Schema}.conversations ALTER COLUMN body SET STATISTICS 0;
            END IF;
        END $stats$;
        DROP INDEX IF EXISTS {Schema}.conversations_listed;
        DROP INDEX IF EXISTS {Schema}.conversations_unsatisfied;
        CREATE INDEX IF NOT EXISTS conversations_listed_v2 ON {Schema}.conversations
            (store_id, conversation_id, local_date, missed, slow, resolved, presales, converted, rated, satisfied);
        -- Counts every write of a store's rollups (ingestion, re-posts, QC reviews): the ETags of the SLA answers are made from it.
        CREATE TABLE IF NOT EXISTS {Schema}.ledger_versions (store_id text PRIMARY KEY, version bigint NOT NULL);
        """;

    private static string SqlType(string column) => column.EndsWith("_sum") ? "double precision" : "bigint";

    /// <summary>
    /// Rows of the store ($1) for each conversation id in $2, looked up one id at a time. A plain
    /// <c>conversation_id = ANY($2)</c> lets the planner, which thinks a new store holds one row, scan the whole store
    /// and filter (600 ms instead of 1 ms at 150,000 conversations); the LIMIT/OFFSET keeps the lookup per id.
    /// </summary>
    private static string ForEachId(string selectFromTable, string fence) =>
        $"unnest($2::text[]) AS wanted(id) CROSS JOIN LATERAL ({selectFromTable} WHERE store_id = $1 AND conversation_id = wanted.id {fence}) AS r";

    /// <param name="forUpdate">Lock the rows found until the transaction ends (a writer that merges into them), taken in id order so
    /// that two writers never lock the same rows in crossed order.</param>
    public static async Task<Dictionary<string, LedgerRow>> LoadAsync(IQuerySession session, string storeId,
        IReadOnlyCollection<string> conversationIds, CancellationToken ct, bool forUpdate = false)
    {
        var rows = new Dictionary<string, LedgerRow>();
        if (conversationIds.Count == 0) return rows;
        await using var command = new NpgsqlCommand(
            $"SELECT r.* FROM {ForEachId($"SELECT body, local_date, revision, {CountColumns} FROM {Schema}.conversations", forUpdate ? "LIMIT 1 FOR UPDATE" : "LIMIT 1")}")
        {
            Parameters = { new() { Value = storeId }, new() { Value = conversationIds.Order(StringComparer.Ordinal).ToArray() } },
        };
        // A writer's lookup (forUpdate) runs in its transaction, prepared; a reader's through Marten, which opens none.
        await using var reader = forUpdate ? await session.ExecuteReaderPreparedAsync(command, ct) : await session.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct))
        {
            var conversation = JsonSerializer.Deserialize<RecordedConversation>(reader.GetString(0), Json)!;
            var counts = DailyCounts.From(i => reader.GetValue(3 + i));
            rows[conversation.ConversationId] = new LedgerRow(conversation, reader.GetFieldValue<DateOnly>(1), counts, reader.GetInt32(2));
        }
        return rows;
    }

    /// <summary>
    /// Writes conversation rows. New ones (revision 1) go straight in with binary COPY, in id order: the caller has seen they do not
    /// exist, and another ingest inserting one of them at the same time makes the COPY fail on the primary key (in id order, at once,
    /// not after a deadlock timeout; see <see cref="IsCollision"/>). Updated ones go through a temporary table and one
    /// INSERT ... ON CONFLICT DO UPDATE.
    /// </summary>
    public static async Task WriteAsync(IDocumentSession session, string storeId, IReadOnlyList<LedgerRow> rows, DateTimeOffset now,
        CancellationToken ct)
    {
        var connection = session.Connection!;
        var fresh = rows.Where(r => r.Revision == 1).OrderBy(r => r.Conversation.ConversationId, StringComparer.Ordinal).ToList();
        var updated = rows.Where(r => r.Revision > 1).ToList();
        if (fresh.Count > 0) await CopyAsync(connection, $"{Schema}.conversations", storeId, fresh, now, ct);
        if (updated.Count == 0) return;

        await using (var create = new NpgsqlCommand(
                         $"CREATE TEMP TABLE IF NOT EXISTS incoming_conversations (LIKE {Schema}.conversations) ON COMMIT DELETE ROWS", connection))
            await create.ExecuteNonQueryAsync(ct);
        await CopyAsync(connection, "incoming_conversations", storeId, updated, now, ct);
        var updates = string.Join(", ", new[] { "local_date", "started_at", "channel", "kind", "body", "revision", "updated_at" }
            .Concat(DailyCounts.Columns).Select(c => $"{c} = excluded.{c}"));
        await using var upsert = new NpgsqlCommand(
            $"INSERT INTO {Schema}.conversations SELECT * FROM incoming_conversations ON CONFLICT (store_id, conversation_id) DO UPDATE SET {updates}",
            connection);
        await upsert.ExecuteNonQueryAsync(ct);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, string storeId, IReadOnlyList<LedgerRow> rows,
        DateTimeOffset now, CancellationToken ct)
    {
        await using var import = await connection.BeginBinaryImportAsync(
            $"COPY {table} (store_id, conversation_id, local_date, started_at, channel, kind, body, revision, updated_at, {CountColumns}) FROM STDIN (FORMAT BINARY)", ct);
        var updatedAt = now.ToUniversalTime();
        foreach (var row in rows)
        {
            var c = row.Conversation;
            await import.StartRowAsync(ct);
            await import.WriteAsync(storeId, NpgsqlDbType.Text, ct);
            await import.WriteAsync(c.ConversationId, NpgsqlDbType.Text, ct);
            await import.WriteAsync(row.LocalDate, NpgsqlDbType.Date, ct);
            await import.WriteAsync(c.StartedAt, NpgsqlDbType.TimestampTz, ct);
            await import.WriteAsync(c.Channel, NpgsqlDbType.Text, ct);
            await import.WriteAsync(c.Kind, NpgsqlDbType.Text, ct);
            // UTF-8 as PostgreSQL takes it: a string would be encoded to UTF-16 by the serializer and back to UTF-8 by Npgsql.
            await import.WriteAsync(row.Body ?? JsonSerializer.SerializeToUtf8Bytes(c, Json), NpgsqlDbType.Jsonb, ct);
            await import.WriteAsync(row.Revision, NpgsqlDbType.Integer, ct);
            await import.WriteAsync(updatedAt, NpgsqlDbType.TimestampTz, ct);
            foreach (var value in row.Counts.Values())
            {
                if (value is double d) await import.WriteAsync(d, NpgsqlDbType.Double, ct);
                else await import.WriteAsync((long)value, NpgsqlDbType.Bigint, ct);
            }
        }
        await import.CompleteAsync(ct);
    }

    /// <summary>Adds per-day deltas to the store's rollups (negative parts remove a re-posted conversation's old contribution).</summary>
    public static async Task AddToRollupsAsync(IDocumentSession session, string storeId, IReadOnlyDictionary<DateOnly, DailyCounts> deltas,
        CancellationToken ct)
    {
        if (deltas.Count == 0) return;
        // Days in one order for every writer: concurrent ingests of a store lock the same rollup rows in the same order.
        var days = deltas.Keys.Order().ToArray();
        var command = new NpgsqlCommand
        {
            // The same statement counts the store's ledger version up (one round trip; see ledger_versions).
            CommandText = $"""
                WITH bumped AS (
                    INSERT INTO {Schema}.ledger_versions (store_id, version) VALUES ($1, 1)
                    ON CONFLICT (store_id) DO UPDATE SET version = ledger_versions.version + 1)
                INSERT INTO {Schema}.sla_daily (store_id, local_date, {CountColumns})
                SELECT $1, d.* FROM unnest($2::date[], {string.Join(", ", DailyCounts.Columns.Select((c, i) => $"${i + 3}::{SqlType(c)}[]"))})
                    AS d(local_date, {CountColumns})
                ON CONFLICT (store_id, local_date) DO UPDATE SET {string.Join(", ", DailyCounts.Columns.Select(c => $"{c} = sla_daily.{c} + excluded.{c}"))}
                """,
        };
        command.Parameters.Add(new NpgsqlParameter { Value = storeId });
        command.Parameters.Add(new NpgsqlParameter { Value = days });
        for (var i = 0; i < DailyCounts.Columns.Length; i++)
        {
            var column = i;
            var values = days.Select(d => deltas[d].Values()[column]).ToArray();
            command.Parameters.Add(new NpgsqlParameter
            {
                Value = values[0] is double ? values.Select(v => (double)v).ToArray() : values.Select(v => (long)v).ToArray(),
            });
        }
        await using (command) await session.ExecutePreparedAsync(command, ct);
    }

    /// <summary>
    /// Folds a QC review score into the conversation's row and its day's rollup; a re-scored review replaces its old score.
    /// Runs in the caller's transaction. A review of a conversation not (yet) stored counts on <paramref name="fallbackDate"/>.
    /// </summary>
    public static async Task FoldReviewAsync(IDocumentSession session, Contracts.QcReviewCompleted review, DateOnly fallbackDate, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        // The store's ingestion lock: a review and a re-post of its conversation (or two reviews) never interleave.
        await LockStoreAsync(session, review.StoreId, ct);
        DateOnly? conversationDate = null;
        await using (var find = new NpgsqlCommand($"SELECT local_date FROM {Schema}.conversations WHERE store_id = $1 AND conversation_id = $2 FOR UPDATE")
                     { Parameters = { new() { Value = review.StoreId }, new() { Value = review.ConversationId } } })
        await using (var reader = await session.ExecuteReaderAsync(find, ct))
            if (await reader.ReadAsync(ct)) conversationDate = reader.GetFieldValue<DateOnly>(0);
        double? oldScore = null;
        DateOnly? oldDay = null;
        var oldRevision = 0;
        await using (var old = new NpgsqlCommand($"SELECT score, local_date, revision FROM {Schema}.qc_reviews WHERE review_id = $1 FOR UPDATE")
                     { Parameters = { new() { Value = review.ReviewId } } })
        await using (var reader = await session.ExecuteReaderAsync(old, ct))
            if (await reader.ReadAsync(ct)) (oldScore, oldDay, oldRevision) = (reader.GetDouble(0), reader.GetFieldValue<DateOnly>(1), reader.GetInt32(2));
        // A dispute's correction (higher revision) replaces the score; an older revision arriving late changes nothing.
        if (oldScore is not null && review.Revision <= oldRevision) return;

        // A re-score changes the day the review is already counted on.
        var day = oldDay ?? conversationDate ?? fallbackDate;
        var (countDelta, sumDelta) = oldScore is { } previous ? (0L, review.Score - previous) : (1L, review.Score);
        await using (var upsert = new NpgsqlCommand($"""
                         INSERT INTO {Schema}.qc_reviews (review_id, store_id, conversation_id, local_date, score, revision) VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (review_id) DO UPDATE SET score = excluded.score, revision = excluded.revision
                         """)
                     {
                         Parameters =
                         {
                             new() { Value = review.ReviewId }, new() { Value = review.StoreId }, new() { Value = review.ConversationId },
                             new() { Value = day }, new() { Value = review.Score }, new() { Value = review.Revision },
                         },
                     })
            await session.ExecuteAsync(upsert, ct);
        await using (var conversation = new NpgsqlCommand(
                         $"UPDATE {Schema}.conversations SET qc_count = qc_count + $1, qc_sum = qc_sum + $2 WHERE store_id = $3 AND conversation_id = $4")
                     {
                         Parameters =
                         {
                             new() { Value = countDelta }, new() { Value = sumDelta }, new() { Value = review.StoreId },
                             new() { Value = review.ConversationId },
                         },
                     })
            await session.ExecuteAsync(conversation, ct);
        await AddToRollupsAsync(session, review.StoreId,
            new Dictionary<DateOnly, DailyCounts> { [day] = default(DailyCounts) with { QcCount = countDelta, QcSum = sumDelta } }, ct);
    }

    /// <summary>The store's ingestion lock, exclusive: QC reviews, and an ingest retried after it collided with another.</summary>
    public static Task LockStoreAsync(IDocumentSession session, string storeId, CancellationToken ct) =>
        session.HoldForTransactionAsync(StoreLock(storeId), ct);

    /// <summary>
    /// The same lock shared: ingests of one store run side by side. What they touch in common is locked by row: conversations merged
    /// into (FOR UPDATE, in id order), the store's rollup days (in date order) and its ledger version, so they queue only from the
    /// rollups to their commit. Two that insert the same new conversation collide on the primary key; see <see cref="IsCollision"/>.
    /// </summary>
    public static Task ShareStoreLockAsync(IDocumentSession session, string storeId, CancellationToken ct) =>
        session.HoldSharedForTransactionAsync(StoreLock(storeId), ct);

    private static string StoreLock(string storeId) => $"ingest:{storeId}";

    /// <summary>
    /// A unique violation (another transaction inserted the same conversation first) or a deadlock between two writers of a store:
    /// the transaction is rolled back and the work can be done again under the exclusive lock.
    /// </summary>
    public static bool IsCollision(Exception e) =>
        e.PostgresErrorsWithin().Any(p => p.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected);

    /// <summary>
    /// Reviews of conversations not stored when the reviews arrived, counted on their fallback days: (day, count, sum)
    /// per conversation. The caller moves them onto the conversation's own day.
    /// </summary>
    public static async Task<Dictionary<string, List<(DateOnly Day, long Count, double Sum)>>> OrphanReviewsAsync(IDocumentSession session,
        string storeId, IReadOnlyCollection<string> newConversationIds, CancellationToken ct)
    {
        var orphans = new Dictionary<string, List<(DateOnly, long, double)>>();
        if (newConversationIds.Count == 0) return orphans;
        await using var command = new NpgsqlCommand(
            $"SELECT r.conversation_id, r.local_date, count(*), sum(r.score) FROM {ForEachId($"SELECT conversation_id, local_date, score FROM {Schema}.qc_reviews", "OFFSET 0")} GROUP BY 1, 2")
        {
            Parameters = { new() { Value = storeId }, new() { Value = newConversationIds.ToArray() } },
        };
        await using var reader = await session.ExecuteReaderPreparedAsync(command, ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (!orphans.TryGetValue(id, out var list)) orphans[id] = list = [];
            list.Add((reader.GetFieldValue<DateOnly>(1), reader.GetInt64(2), reader.GetDouble(3)));
        }
        return orphans;
    }

    /// <summary>Keeps each review's day equal to its conversation's day (a re-post may move the conversation to another day).</summary>
    public static async Task AlignReviewDaysAsync(IDocumentSession session, string storeId, IReadOnlyList<LedgerRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var command = new NpgsqlCommand($"""
            UPDATE {Schema}.qc_reviews r SET local_date = d.day FROM unnest($2::text[], $3::date[]) AS d(id, day)
            WHERE r.store_id = $1 AND r.conversation_id = d.id AND r.local_date <> d.day
            """)
        {
            Parameters =
            {
                new() { Value = storeId }, new() { Value = rows.Select(r => r.Conversation.ConversationId).ToArray() },
                new() { Value = rows.Select(r => r.LocalDate).ToArray() },
            },
        };
        await session.ExecuteAsync(command, ct);
    }

    /// <summary>The store's rollups for store-local dates from..to inclusive, one entry per day that has data.</summary>
    public static async Task<SortedDictionary<DateOnly, DailyCounts>> DailyAsync(IQuerySession session, string storeId, DateOnly from,
        DateOnly to, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT local_date, {CountColumns} FROM {Schema}.sla_daily WHERE store_id = $1 AND local_date BETWEEN $2 AND $3")
        {
            Parameters = { new() { Value = storeId }, new() { Value = from }, new() { Value = to } },
        };
        var days = new SortedDictionary<DateOnly, DailyCounts>();
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct)) days[reader.GetFieldValue<DateOnly>(0)] = DailyCounts.From(i => reader.GetValue(1 + i));
        return days;
    }
}
