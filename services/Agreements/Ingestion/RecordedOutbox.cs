using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Marten;
using MassTransit;
using MassTransit.RabbitMqTransport;
using Npgsql;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Ingestion;

/// <summary>
/// The outbox of what an ingestion request publishes (ConversationsRecordedV2 and ConversationArrivals): a row per message, written
/// in the request's transaction, holding the message as
/// UTF-8 JSON bytes that PostgreSQL keeps as they are (a large one lz4-compressed out of line, about a tenth of the size). Every other integration
/// event goes out through the Marten event store; this one did too until PostgreSQL was seen parsing each ~250 KB message into jsonb
/// and printing it back to text for the publisher: with the jsonb the append and the read cost ~2.2 ms of PostgreSQL a request
/// alone, as bytes ~0.5 ms (psql, 50-200 copies of a real message), and the append was a quarter of PostgreSQL's busy samples under
/// ./vendor bench ingest. Events appended before this table existed still go out through the Marten subscription.
/// </summary>
public static class RecordedOutbox
{
    private const string Table = $"{ConversationLedger.Schema}.recorded_outbox";

    public static readonly string CreateTables = $"""
        CREATE SCHEMA IF NOT EXISTS {ConversationLedger.Schema};
        CREATE TABLE IF NOT EXISTS {Table} (
            position bigserial PRIMARY KEY, message_id uuid NOT NULL UNIQUE, message_type text NOT NULL, store_id text NOT NULL,
            traceparent text NULL, body bytea NOT NULL,
            attempts int NOT NULL DEFAULT 0, not_before timestamptz NOT NULL DEFAULT now());
        -- lz4 where the server has it (a build without lz4 refuses the method; pglz, the fallback, is far slower on 250 KB). Set once:
        -- the ALTER locks the table, which replicas publishing from it would wait for at every start.
        DO $lz4$ BEGIN
            IF (SELECT attcompression FROM pg_attribute WHERE attrelid = '{Table}'::regclass AND attname = 'body') IS DISTINCT FROM 'l' THEN
                ALTER TABLE {Table} ALTER COLUMN body SET COMPRESSION lz4;
            END IF;
        EXCEPTION WHEN OTHERS THEN NULL;
        END $lz4$;
        """;

    /// <summary>The messages this outbox carries, by the name a row stores (a row of a type unknown here is left to a newer replica).</summary>
    private static readonly Dictionary<string, Type> Types =
        new[] { typeof(Contracts.ConversationsRecordedV2), typeof(Contracts.ConversationArrivals) }.ToDictionary(t => t.Name);

    /// <summary>Queues the message in the session's transaction; it is published after the commit with <paramref name="messageId"/>.</summary>
    public static void Enqueue(IDocumentSession session, string storeId, object message, Guid messageId)
    {
        var type = message.GetType();
        if (!Types.ContainsKey(type.Name)) throw new ArgumentException($"{type.Name} is not published through this outbox.");
        session.QueueSqlCommand($"INSERT INTO {Table} (message_id, message_type, store_id, traceparent, body) VALUES (?, ?, ?, NULLIF(?, ''), ?)",
            messageId, type.Name, storeId, Activity.Current is { IdFormat: ActivityIdFormat.W3C } request ? request.Id! : "",
            JsonSerializer.SerializeToUtf8Bytes(message, type, ConversationLedger.Json));
    }

    /// <summary>
    /// Publishes up to <paramref name="limit"/> of the oldest queued messages and deletes those that went out, in one transaction
    /// holding their rows (SKIP LOCKED: replicas share the table, never a row). A crash after publishing leaves the rows, which go out
    /// again with the same MessageIds; the consumers drop the repeats. Each message is published mandatory: one no queue is bound for
    /// yet (a consumer not deployed yet, say during a rolling update that started Agreements first) comes back from RabbitMQ, stays
    /// in the table and is tried again after a pause that doubles with each failure (200 ms to 30 s), while the rows behind it go
    /// on. A message this process committed and still holds (<paramref name="held"/>) is published as held, its bytes neither read
    /// nor parsed.
    /// </summary>
    public static async Task<OutboxRound> PublishNextAsync(NpgsqlConnection connection, IBus bus, int limit,
        IReadOnlyDictionary<Guid, object> held, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rows = new List<(Guid Id, Type Type, byte[]? Body, string? TraceParent)>();
        await using (var select = new NpgsqlCommand($"""
                         SELECT message_id, message_type, CASE WHEN message_id = ANY($2) THEN NULL ELSE body END, traceparent FROM {Table}
                         WHERE message_type = ANY($3) AND not_before <= now() ORDER BY position LIMIT $1 FOR UPDATE SKIP LOCKED
                         """, connection, transaction)
                     { Parameters = { new() { Value = limit }, new() { Value = held.Keys.ToArray() }, new() { Value = Types.Keys.ToArray() } } })
        await using (var reader = await select.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                rows.Add((reader.GetGuid(0), Types[reader.GetString(1)], reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3)));
        if (rows.Count == 0) return new OutboxRound([], [], null);

        var published = new ConcurrentBag<Guid>();
        Exception? failure = null;
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = limit, CancellationToken = ct }, async (row, token) =>
        {
            try
            {
                var message = row.Body is null ? held[row.Id] : JsonSerializer.Deserialize(row.Body, row.Type, ConversationLedger.Json)!;
                using var trace = TraceContext.StartPublish(row.TraceParent);
                await bus.Publish(message, row.Type, context =>
                {
                    context.MessageId = row.Id;
                    if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.Mandatory = true;
                }, token);
                published.Add(row.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        });

        await using (var delete = new NpgsqlCommand($"DELETE FROM {Table} WHERE message_id = ANY($1)", connection, transaction)
                     { Parameters = { new() { Value = published.ToArray() } } })
            await delete.ExecuteNonQueryAsync(ct);
        var failed = rows.Select(r => r.Id).Except(published).ToArray();
        if (failed.Length > 0)
            await using (var later = new NpgsqlCommand($"""
                             UPDATE {Table} SET attempts = attempts + 1,
                                 not_before = now() + least(interval '30 seconds', interval '200 milliseconds' * power(2, least(attempts, 10)))
                             WHERE message_id = ANY($1)
                             """, connection, transaction) { Parameters = { new() { Value = failed } } })
                await later.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return new OutboxRound([.. published], [.. rows.Select(r => r.Id)], failure);
    }
}

/// <summary>What one round of the outbox did: the rows it took, those it published (and deleted), and why the others failed.</summary>
public sealed record OutboxRound(IReadOnlyList<Guid> Published, IReadOnlyList<Guid> Taken, Exception? Failure);

/// <summary>
/// Runs <see cref="RecordedOutbox.PublishNextAsync"/>: at once when this replica's ingestion commits (<see cref="Committed"/>), else every
/// quarter second (rows another replica committed, left by a crash, or due again after a failed publish). A message that could not be
/// published waits out its own pause; a database outage pauses the whole loop, growing up to 30 s; nothing is dropped. Off with <c>Vendor:Outbox:Daemon=Disabled</c>, like the Marten outbox (tests stop both that way).
/// </summary>
public sealed class RecordedOutboxPublisher(IDocumentStore documents, IServiceProvider services, IConfiguration configuration,
    ILogger<RecordedOutboxPublisher> logger) : BackgroundService
{
    private const int BatchSize = 16;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);
    /// <summary>Messages committed here and not yet published: an optimisation only (the rows are the outbox), so it is bounded.</summary>
    private const int MaxHeld = 256;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<Guid, object> _held = new();

    /// <summary>A message was committed: publish it now rather than at the next poll, from memory rather than from its bytes.</summary>
    public void Committed(Guid messageId, object message)
    {
        // Rows another replica published (or a stopped publisher) would leave their messages here: past the bound, start afresh.
        if (_held.Count >= MaxHeld) _held.Clear();
        _held[messageId] = message;
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configuration["Vendor:Outbox:Daemon"] is "Disabled") return;
        // Resolved here, not injected: the build's OpenAPI generator builds the host without a bus.
        var bus = services.GetRequiredService<IBus>();
        var retry = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = documents.Storage.Database.CreateConnection();
                await connection.OpenAsync(stoppingToken);
                // A full batch means more may be waiting: keep going on the same connection.
                OutboxRound round;
                do
                {
                    var held = new Dictionary<Guid, object>(_held);
                    round = await RecordedOutbox.PublishNextAsync(connection, bus, BatchSize, held, stoppingToken);
                    foreach (var id in round.Published) _held.TryRemove(id, out _);
                    // A short round took every row free to take: a held message not among them was published (and deleted) by another
                    // replica or an earlier poll, or another replica holds its row; it need not wait here.
                    if (round.Taken.Count < BatchSize)
                        foreach (var id in held.Keys.Except(round.Taken)) _held.TryRemove(id, out _);
                    // Each failed row waits out its own pause (not_before); the rows behind it are not held up.
                    if (round.Failure is not null)
                        logger.LogWarning(round.Failure, "{Failed} of {Taken} outbox messages were not published; they stay queued and are tried again",
                            round.Taken.Count - round.Published.Count, round.Taken.Count);
                }
                while (round.Taken.Count == BatchSize && !stoppingToken.IsCancellationRequested);
                retry = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                retry = retry == TimeSpan.Zero ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
                logger.LogWarning(e, "Publishing recorded conversations failed; retrying in {Delay}", retry);
            }
            try
            {
                // While the database is out of reach, pokes do not cut the pause short.
                if (retry > TimeSpan.Zero) await Task.Delay(retry, stoppingToken);
                else await _wake.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
