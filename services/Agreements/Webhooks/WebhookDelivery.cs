using Marten;
using Npgsql;

namespace Vendor.Agreements.Webhooks;

public static class DeliveryStatus
{
    public const string Pending = "pending", Delivered = "delivered", Failed = "failed";
}

/// <summary>When a failed attempt is tried again: exponential back-off with jitter, capped, for at least <see cref="RetryFor"/>.</summary>
public sealed record RetryPolicy(TimeSpan First, TimeSpan Max, TimeSpan RetryFor)
{
    public static readonly RetryPolicy Default = new(TimeSpan.FromSeconds(5), TimeSpan.FromHours(1), TimeSpan.FromHours(24));

    /// <summary>The wait after the given number of failed attempts; <paramref name="jitter"/> in [0, 1) spreads it by ±20 % (pure).</summary>
    public TimeSpan Delay(int failedAttempts, double jitter)
    {
        var exponential = First.TotalSeconds * Math.Pow(2, Math.Min(30, Math.Max(0, failedAttempts - 1)));
        return TimeSpan.FromSeconds(Math.Min(Max.TotalSeconds, exponential) * (0.8 + 0.4 * jitter));
    }
}

/// <summary>
/// One event to one webhook. <see cref="Id"/> is the Standard Webhooks <c>webhook-id</c>: the same on every retry, so the store
/// can drop repeats. Written in the transaction of the change that causes it, sent by <see cref="WebhookSender"/> until the store's
/// endpoint answers 2xx, or failed once retries have run for <see cref="RetryPolicy.RetryFor"/>.
/// </summary>
public sealed record WebhookDelivery(string Id, string WebhookId, string StoreId, string Type, string Body, DateTimeOffset CreatedAt,
    string Status, int Attempts, DateTimeOffset NextAttemptAt, int? LastStatusCode, string? LastError, DateTimeOffset? DeliveredAt,
    string? ReplayOf)
{
    public static string NewId() => $"msg_{Guid.NewGuid():N}";

    public static WebhookDelivery New(string webhookId, string storeId, string type, string body, DateTimeOffset now, string? replayOf = null) =>
        new(NewId(), webhookId, storeId, type, body, now, DeliveryStatus.Pending, 0, now, null, null, null, replayOf);

    public WebhookDelivery Succeeded(int statusCode, DateTimeOffset now) => this with
    {
        Status = DeliveryStatus.Delivered, Attempts = Attempts + 1, LastStatusCode = statusCode, LastError = null, DeliveredAt = now,
    };

    /// <summary>A failed attempt: retried after the back-off, or failed for good once retries have run for the policy's period (pure).</summary>
    public WebhookDelivery FailedAttempt(int? statusCode, string error, DateTimeOffset now, RetryPolicy policy, double jitter)
    {
        var attempts = Attempts + 1;
        var givingUp = now >= CreatedAt + policy.RetryFor;
        return this with
        {
            Attempts = attempts, LastStatusCode = statusCode, LastError = error,
            Status = givingUp ? DeliveryStatus.Failed : DeliveryStatus.Pending,
            NextAttemptAt = givingUp ? now : now + policy.Delay(attempts, jitter),
        };
    }

    /// <summary>No more attempts (the webhook was removed or disabled, or the endpoint said 410 Gone).</summary>
    public WebhookDelivery Abandoned(int? statusCode, string error, bool attempted) => this with
    {
        Status = DeliveryStatus.Failed, Attempts = attempted ? Attempts + 1 : Attempts, LastStatusCode = statusCode ?? LastStatusCode, LastError = error,
    };
}

/// <summary>The deliveries table (plain SQL beside Marten's, like the conversation ledger): written in the causing transaction, claimed with SKIP LOCKED.</summary>
public static class WebhookDeliveries
{
    private const string Table = "agreements.webhook_deliveries";

    public const string CreateTables = $"""
        CREATE SCHEMA IF NOT EXISTS agreements;
        CREATE TABLE IF NOT EXISTS {Table} (
            id text PRIMARY KEY, webhook_id text NOT NULL, store_id text NOT NULL, type text NOT NULL, body text NOT NULL,
            created_at timestamptz NOT NULL, status text NOT NULL, attempts int NOT NULL, next_attempt_at timestamptz NOT NULL,
            last_status_code int NULL, last_error text NULL, delivered_at timestamptz NULL, replay_of text NULL,
            claim uuid NULL, dedupe_key text NULL UNIQUE);
        CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON {Table} (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX IF NOT EXISTS webhook_deliveries_webhook ON {Table} (webhook_id, created_at DESC);
        """;

    private const string Columns = "id, webhook_id, store_id, type, body, created_at, status, attempts, next_attempt_at, last_status_code, " +
                                   "last_error, delivered_at, replay_of";

    /// <summary>
    /// Queues the delivery into the session's unit of work: it commits with the change that caused it, or not at all. A
    /// <paramref name="dedupeKey"/> makes it once-only (report.ready of a month, whichever replica or restart gets there first).
    /// </summary>
    public static void Enqueue(IDocumentOperations session, WebhookDelivery d, string? dedupeKey = null) =>
        session.QueueSqlCommand(
            $"INSERT INTO {Table} (id, webhook_id, store_id, type, body, created_at, status, attempts, next_attempt_at, replay_of, dedupe_key) " +
            "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, NULLIF(?, ''), NULLIF(?, '')) ON CONFLICT DO NOTHING",
            d.Id, d.WebhookId, d.StoreId, d.Type, d.Body, d.CreatedAt.ToUniversalTime(), d.NextAttemptAt.ToUniversalTime(), d.ReplayOf ?? "",
            dedupeKey ?? "");

    /// <summary>Fails the pending deliveries of a webhook that was removed, in the removing transaction.</summary>
    public static void AbandonPending(IDocumentOperations session, string webhookId, string reason) =>
        session.QueueSqlCommand($"UPDATE {Table} SET status = 'failed', last_error = ? WHERE webhook_id = ? AND status = 'pending'", reason, webhookId);

    /// <summary>Webhooks with due deliveries (now ≥ next attempt).</summary>
    public static async Task<List<string>> DueWebhooksAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            // Longest waiting first: with more due webhooks than sending slots, none is starved by the same few.
            $"SELECT webhook_id FROM {Table} WHERE status = 'pending' AND next_attempt_at <= $1 GROUP BY webhook_id ORDER BY min(next_attempt_at) LIMIT 1000",
            connection)
        {
            Parameters = { new() { Value = now.ToUniversalTime() } },
        };
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>
    /// Claims the webhook's oldest due delivery: row-locked with SKIP LOCKED (two replicas never take the same row) and leased by
    /// moving its next attempt past the send's timeout, so a crash mid-send leaves it due again after the lease.
    /// </summary>
    public static async Task<(WebhookDelivery Delivery, Guid Claim)?> ClaimAsync(NpgsqlConnection connection, string webhookId, DateTimeOffset now,
        TimeSpan lease, CancellationToken ct)
    {
        var claim = Guid.NewGuid();
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE {Table} SET next_attempt_at = $3, claim = $4 WHERE id = (
                SELECT id FROM {Table} WHERE webhook_id = $1 AND status = 'pending' AND next_attempt_at <= $2
                ORDER BY next_attempt_at, created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING {Columns}
            """, connection)
        {
            Parameters =
            {
                new() { Value = webhookId }, new() { Value = now.ToUniversalTime() }, new() { Value = (now + lease).ToUniversalTime() },
                new() { Value = claim },
            },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (Read(reader), claim) : null;
    }

    /// <summary>Records an attempt's outcome, only while the claim is still ours (a lease that ran out was claimed again).</summary>
    public static async Task<bool> CompleteAsync(NpgsqlConnection connection, WebhookDelivery d, Guid claim, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            UPDATE {Table} SET status = $3, attempts = $4, next_attempt_at = $5, last_status_code = $6, last_error = $7, delivered_at = $8, claim = NULL
            WHERE id = $1 AND claim = $2
            """, connection)
        {
            Parameters =
            {
                new() { Value = d.Id }, new() { Value = claim }, new() { Value = d.Status }, new() { Value = d.Attempts },
                new() { Value = d.NextAttemptAt.ToUniversalTime() },
                new() { Value = (object?)d.LastStatusCode ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer },
                new() { Value = (object?)d.LastError ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
                new() { Value = (object?)d.DeliveredAt?.ToUniversalTime() ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz },
            },
        };
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// The endpoint failed an attempt: its other due deliveries wait until <paramref name="until"/> (the failed one's next attempt)
    /// instead of each spending a timeout on an endpoint that is down, so a dead endpoint takes a sending slot once per back-off step.
    /// </summary>
    public static async Task DeferAsync(NpgsqlConnection connection, string webhookId, DateTimeOffset until, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"UPDATE {Table} SET next_attempt_at = $2 WHERE webhook_id = $1 AND status = 'pending' AND claim IS NULL AND next_attempt_at < $2",
            connection)
        {
            Parameters = { new() { Value = webhookId }, new() { Value = until.ToUniversalTime() } },
        };
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The latest <paramref name="perWebhook"/> deliveries of each of the store's webhooks, newest first.</summary>
    public static async Task<List<WebhookDelivery>> LatestAsync(IQuerySession session, string storeId, int perWebhook, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            SELECT {Columns} FROM (SELECT *, row_number() OVER (PARTITION BY webhook_id ORDER BY created_at DESC, id) AS n
                                   FROM {Table} WHERE store_id = $1) d
            WHERE n <= $2 ORDER BY created_at DESC, id
            """)
        {
            Parameters = { new() { Value = storeId }, new() { Value = perWebhook } },
        };
        var list = new List<WebhookDelivery>();
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct)) list.Add(Read(reader));
        return list;
    }

    public static async Task<WebhookDelivery?> LoadAsync(IQuerySession session, string deliveryId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM {Table} WHERE id = $1")
        {
            Parameters = { new() { Value = deliveryId } },
        };
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static WebhookDelivery Read(System.Data.Common.DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetFieldValue<DateTimeOffset>(5), r.GetString(6),
        r.GetInt32(7), r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetInt32(9), r.IsDBNull(10) ? null : r.GetString(10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), r.IsDBNull(12) ? null : r.GetString(12));
}
