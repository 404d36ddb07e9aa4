using System.Globalization;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Vendor.Ops.ErrorQueues;

/// <summary>
/// Reads and replays MassTransit's <c>&lt;queue&gt;_error</c> and <c>&lt;queue&gt;_skipped</c> queues over AMQP.
/// Reading takes each message without acknowledging it and gives them all back (same order), so it moves nothing.
/// Replaying moves one message at a time: republish to its input queue with publisher confirms (mandatory, so a
/// missing queue is a failure, not a silent drop), then acknowledge it on the error queue. A tool that dies between
/// the two leaves the message in both queues: the consumers are idempotent by message id, so the second replay is harmless.
/// </summary>
public sealed class ErrorQueueClient(Uri broker) : IAsyncDisposable
{
    public const string ErrorSuffix = "_error";
    public const string SkippedSuffix = "_skipped";

    private IConnection? _connection;

    public static bool IsParkedQueue(string name) => name.EndsWith(ErrorSuffix, StringComparison.Ordinal) || name.EndsWith(SkippedSuffix, StringComparison.Ordinal);

    public static ParkedKind KindOf(string queue) => queue.EndsWith(SkippedSuffix, StringComparison.Ordinal) ? ParkedKind.Skipped : ParkedKind.Error;

    /// <summary>The queue a parked queue's messages came from, by name alone.</summary>
    public static string InputQueueOf(string queue) =>
        queue.EndsWith(ErrorSuffix, StringComparison.Ordinal) ? queue[..^ErrorSuffix.Length]
        : queue.EndsWith(SkippedSuffix, StringComparison.Ordinal) ? queue[..^SkippedSuffix.Length]
        : queue;

    /// <summary>The messages of a parked queue (the first <paramref name="limit"/>), in order, left where they are. Null: no such queue.</summary>
    public async Task<ParkedQueue?> InspectAsync(string queue, int limit = int.MaxValue, CancellationToken ct = default)
    {
        await using var channel = await OpenChannelAsync(ct);
        if (await CountAsync(channel, queue, ct) is not { } count) return null;
        var messages = new List<ParkedMessage>();
        ulong last = 0;
        for (var i = 0; i < Math.Min(count, limit); i++)
        {
            var got = await channel.BasicGetAsync(queue, autoAck: false, ct);
            if (got is null) break;
            last = got.DeliveryTag;
            messages.Add(Explain(queue, got.BasicProperties, got.Body));
        }
        // Give every message back: requeued messages keep their place in the queue.
        if (last > 0) await channel.BasicNackAsync(last, multiple: true, requeue: true, ct);
        return new ParkedQueue(queue, KindOf(queue), count, messages);
    }

    /// <summary>
    /// Moves the messages that are in <paramref name="queue"/> now back to their input queues, one at a time.
    /// </summary>
    /// <param name="beforeAck">Runs after a republish was confirmed and before the parked copy is acknowledged (tests
    /// use it to stop the tool at the worst moment).</param>
    public async Task<ReplayResult> ReplayAsync(string queue, Func<ParkedMessage, Task>? beforeAck = null, CancellationToken ct = default)
    {
        await using var channel = await OpenChannelAsync(ct);
        if (await CountAsync(channel, queue, ct) is not { } count)
            return new ReplayResult(queue, 0, [new ReplayFailure(queue, null, InputQueueOf(queue), "no such queue")]);
        var replayed = 0;
        var failed = new List<ReplayFailure>();
        var held = new List<ulong>();
        try
        {
            // Only what is there now: a message that fails again and comes back is not replayed in a loop.
            for (var i = 0; i < count; i++)
            {
                var got = await channel.BasicGetAsync(queue, autoAck: false, ct);
                if (got is null) break;
                var body = got.Body.ToArray();
                var message = Explain(queue, got.BasicProperties, body);
                if (message.InputQueue == queue)
                {
                    failed.Add(new ReplayFailure(queue, message.MessageId, message.InputQueue, "its input queue is the error queue itself"));
                    held.Add(got.DeliveryTag);
                    continue;
                }
                try
                {
                    // The default exchange routes by queue name: straight to the input queue, not to other subscribers.
                    await channel.BasicPublishAsync(exchange: "", routingKey: message.InputQueue, mandatory: true,
                        basicProperties: WithoutFaultHeaders(got.BasicProperties), body: body, cancellationToken: ct);
                }
                catch (PublishException e)
                {
                    failed.Add(new ReplayFailure(queue, message.MessageId, message.InputQueue,
                        e.IsReturn ? $"no queue '{message.InputQueue}' to take it (is the service deployed?)" : "the broker refused it (nack)"));
                    held.Add(got.DeliveryTag);
                    continue;
                }
                if (beforeAck is not null) await beforeAck(message);
                await channel.BasicAckAsync(got.DeliveryTag, multiple: false, ct);
                replayed++;
            }
        }
        finally
        {
            // What could not be moved stays parked, in its place.
            foreach (var tag in held)
                if (channel.IsOpen) await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None);
        }
        return new ReplayResult(queue, replayed, failed);
    }

    /// <summary>
    /// MassTransit's record of the failure (MT-Fault-*, MT-Reason, and MT-Host-*: the host where it failed) is dropped, and
    /// the confirm sequence number of the publish that parked it (the client stamps ours); every other header stays.
    /// </summary>
    public static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase)
        || name.Equals("x-dotnet-pub-seq-no", StringComparison.Ordinal);

    private static BasicProperties WithoutFaultHeaders(IReadOnlyBasicProperties original)
    {
        var properties = new BasicProperties(original);
        if (original.Headers is { } headers)
            properties.Headers = headers.Where(h => !IsFaultHeader(h.Key)).ToDictionary(h => h.Key, h => h.Value);
        return properties;
    }

    public static ParkedMessage Explain(string queue, IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body)
    {
        var headers = properties.Headers ?? new Dictionary<string, object?>();
        var (envelopeId, envelopeType, sentAt) = ReadEnvelope(body);
        var inputAddress = Header(headers, "MT-Fault-InputAddress");
        return new ParkedMessage(
            MessageId: properties.MessageId ?? envelopeId,
            MessageType: envelopeType ?? Header(headers, "MT-Fault-MessageType") ?? Urn(Header(headers, "MT-MessageType")) ?? properties.Type,
            SentAt: sentAt,
            FaultedAt: Timestamp(Header(headers, "MT-Fault-Timestamp")),
            Consumer: Header(headers, "MT-Fault-ConsumerType"),
            InputQueue: QueueOfAddress(inputAddress) ?? InputQueueOf(queue),
            ExceptionType: Header(headers, "MT-Fault-ExceptionType"),
            ExceptionMessage: Header(headers, "MT-Fault-Message"),
            RetryCount: int.TryParse(Header(headers, "MT-Fault-RetryCount"), CultureInfo.InvariantCulture, out var n) ? n : null,
            StackTrace: Header(headers, "MT-Fault-StackTrace"));
    }

    /// <summary>rabbitmq://host[:port]/[vhost/]queue[?options] → queue.</summary>
    public static string? QueueOfAddress(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || !Uri.TryCreate(address, UriKind.Absolute, out var uri)) return null;
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length == 0 ? null : Uri.UnescapeDataString(segments[^1]);
    }

    private static string? Header(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value switch
        {
            null => null,
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            AmqpTimestamp t => DateTimeOffset.FromUnixTimeSeconds(t.UnixTime).ToString("O", CultureInfo.InvariantCulture),
            _ => value.ToString(),
        } : null;

    private static DateTimeOffset? Timestamp(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    // urn:message:Vendor.Contracts:StoreCalendarChanged → Vendor.Contracts.StoreCalendarChanged
    private static string? Urn(string? urn) =>
        urn is null ? null
        : urn.StartsWith("urn:message:", StringComparison.Ordinal) ? urn["urn:message:".Length..].Replace(':', '.')
        : urn;

    private static (string? Id, string? Type, DateTimeOffset? SentAt) ReadEnvelope(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null, null);
            var id = root.TryGetProperty("messageId", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var type = root.TryGetProperty("messageType", out var t) && t.ValueKind == JsonValueKind.Array && t.GetArrayLength() > 0
                ? Urn(t[0].GetString()) : null;
            DateTimeOffset? sent = root.TryGetProperty("sentTime", out var s) && s.ValueKind == JsonValueKind.String
                ? Timestamp(s.GetString()) : null;
            return (id, type, sent);
        }
        catch (JsonException)
        {
            return (null, null, null); // not a MassTransit envelope: shown by its properties alone
        }
    }

    private static async Task<uint?> CountAsync(IChannel channel, string queue, CancellationToken ct)
    {
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    private async Task<IChannel> OpenChannelAsync(CancellationToken ct)
    {
        _connection ??= await new ConnectionFactory { Uri = broker, ClientProvidedName = "vendor-ops replay-errors" }.CreateConnectionAsync(ct);
        return await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is null) return;
        await _connection.CloseAsync();
        await _connection.DisposeAsync();
    }
}
