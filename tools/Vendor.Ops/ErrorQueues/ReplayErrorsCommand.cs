using System.Globalization;

namespace Vendor.Ops.ErrorQueues;

/// <summary>
/// <c>./vendor replay-errors [--list] [--queue NAME]... [--prefix P] [--stack] [--rabbitmq URL]</c>: explains every
/// message in the error and skipped queues, then (without --list) moves each back to its input queue.
/// Exit codes: 0 everything replayed (or nothing to do, or --list); 1 some message could not be replayed (it stays
/// parked); 2 bad arguments; 3 the broker or its queue list could not be reached (or the broker went away mid-replay).
/// </summary>
public static class ReplayErrorsCommand
{
    public const string DefaultBroker = "amqp://guest:guest@127.0.0.1:5672/";

    public const string Usage = """
        usage: replay-errors [--list] [--queue NAME]... [--prefix PREFIX] [--stack] [--show N] [--rabbitmq URL]
          --list           explain what is in the error and skipped queues; move nothing
          --queue NAME     only this queue: an error/skipped queue, or an input queue (then its _error and _skipped)
          --prefix PREFIX  only queues whose name starts with PREFIX (one installation's Vendor:BusPrefix)
          --stack          show each fault's whole stack trace
          --show N         explain at most N messages per queue (default 100; all are replayed)
          --rabbitmq URL   the broker (default: $VENDOR_RABBITMQ, else amqp://guest:guest@127.0.0.1:5672/)
        """;

    public sealed record Options(bool ListOnly, IReadOnlyList<string> Queues, string? Prefix, bool Stack, int Show, Uri Broker);

    public static async Task<int> RunAsync(string[] args, TextWriter output, IQueueCatalog? catalog = null,
        Func<ParkedMessage, Task>? beforeAck = null, CancellationToken ct = default)
    {
        if (Parse(args, output) is not { } options) return 2;
        await using var client = new ErrorQueueClient(options.Broker);
        List<ParkedQueue> parked = [];
        var existing = new List<string>();
        try
        {
            foreach (var queue in await CandidatesAsync(options, catalog ?? new RabbitMqCtl(), ct))
            {
                if (await client.InspectAsync(queue, options.Show, ct) is not { } found) continue;
                existing.Add(queue);
                if (found.Total > 0) parked.Add(found);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.WriteLine($"cannot read the queues on {Redacted(options.Broker)}: {e.Message}");
            if (options.Queues.Count == 0) output.WriteLine("(name the queues with --queue, or set VENDOR_RABBITMQCTL to a rabbitmqctl that reaches the broker)");
            return 3;
        }
        var missing = Missing(options, existing);
        foreach (var name in missing) output.WriteLine($"{name}: no such queue");

        if (parked.Count == 0)
        {
            output.WriteLine("no messages in error queues");
            return missing.Count == 0 ? 0 : 1;
        }
        foreach (var queue in parked) Explain(queue, options.Stack, output);
        var total = parked.Sum(q => q.Total);
        if (options.ListOnly)
        {
            output.WriteLine($"{total} parked message(s) in {parked.Count} queue(s); --list: nothing moved");
            return missing.Count == 0 ? 0 : 1;
        }

        var replayed = 0;
        var failures = new List<ReplayFailure>();
        foreach (var queue in parked)
        {
            ReplayResult result;
            try
            {
                result = await client.ReplayAsync(queue.Name, beforeAck, ct);
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.RabbitMQClientException or IOException)
            {
                output.WriteLine($"replay stopped at {queue.Name} after {replayed} message(s): {e.Message}");
                output.WriteLine("(a message not yet acknowledged is still in its error queue; run again when the broker is back)");
                return 3;
            }
            replayed += result.Replayed;
            failures.AddRange(result.Failed);
            output.WriteLine($"{queue.Name}: replayed {result.Replayed}, could not replay {result.Failed.Count}");
        }
        foreach (var f in failures) output.WriteLine($"  not replayed: {f.MessageId ?? "(no id)"} from {f.Queue} to {f.InputQueue}: {f.Reason}");
        output.WriteLine($"replayed {replayed} message(s); {failures.Count} could not be replayed and stay where they were");
        return failures.Count == 0 && missing.Count == 0 ? 0 : 1;
    }

    /// <summary>The queues to inspect: with --queue the named ones (an input queue's name stands for its _error and _skipped queues), else every non-empty parked queue the catalogue lists.</summary>
    private static async Task<IReadOnlyList<string>> CandidatesAsync(Options options, IQueueCatalog catalog, CancellationToken ct)
    {
        if (options.Queues.Count == 0)
            return (await catalog.ListAsync(VirtualHost(options.Broker), ct))
                .Where(q => ErrorQueueClient.IsParkedQueue(q.Name) && q.Messages > 0)
                .Where(q => options.Prefix is null || q.Name.StartsWith(options.Prefix, StringComparison.Ordinal))
                .Select(q => q.Name).Order(StringComparer.Ordinal).ToList();
        var names = new List<string>();
        foreach (var name in options.Queues)
        {
            if (ErrorQueueClient.IsParkedQueue(name)) { names.Add(name); continue; }
            names.Add(name + ErrorQueueClient.ErrorSuffix);
            names.Add(name + ErrorQueueClient.SkippedSuffix);
        }
        return names.Distinct().ToList();
    }

    /// <summary>Named queues that do not exist (over AMQP), and input queues with neither an _error nor a _skipped queue.</summary>
    private static List<string> Missing(Options options, IReadOnlyList<string> existing)
    {
        var missing = options.Queues.Where(n => ErrorQueueClient.IsParkedQueue(n) && !existing.Contains(n)).Distinct().ToList();
        foreach (var name in options.Queues.Where(n => !ErrorQueueClient.IsParkedQueue(n)))
            if (!existing.Any(e => ErrorQueueClient.InputQueueOf(e) == name)) missing.Add($"{name}_error / {name}_skipped");
        return missing;
    }

    private static void Explain(ParkedQueue queue, bool stack, TextWriter output)
    {
        var what = queue.Kind == ParkedKind.Error ? "failed after retries" : "no consumer for their type (skipped)";
        output.WriteLine($"{queue.Name}: {queue.Total} message(s), {what}");
        if (queue.Kind == ParkedKind.Skipped)
            output.WriteLine("  (a replay helps only once a consumer of their type listens on that queue; until then they come back here)");
        foreach (var m in queue.Messages)
        {
            var type = m.MessageType ?? "(unknown type)";
            output.WriteLine($"  {type}  id {m.MessageId ?? "(none)"}  sent {Time(m.SentAt)}" +
                (m.FaultedAt is null ? "" : $"  faulted {Time(m.FaultedAt)}") +
                (m.RetryCount is null ? "" : $" after {m.RetryCount} retries") +
                $"  → {m.InputQueue}");
            if (m.Consumer is not null) output.WriteLine($"    consumer: {m.Consumer}");
            if (m.ExceptionType is not null || m.ExceptionMessage is not null)
                output.WriteLine($"    reason:   {m.ExceptionType}: {(stack ? m.ExceptionMessage : FirstLine(m.ExceptionMessage))}");
            if (stack && m.StackTrace is not null)
                foreach (var line in m.StackTrace.Split('\n')) output.WriteLine($"      {line.TrimEnd()}");
        }
        if (queue.Total > queue.Messages.Count) output.WriteLine($"  … and {queue.Total - queue.Messages.Count} more (--show N to see them)");
    }

    private static string Time(DateTimeOffset? t) => t?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "?";

    private static string FirstLine(string? text)
    {
        var line = (text ?? "").Split('\n')[0].Trim();
        return line.Length <= 300 ? line : line[..300] + "…";
    }

    public static Options? Parse(string[] args, TextWriter output)
    {
        var list = false;
        var stack = false;
        var show = 100;
        string? prefix = null;
        var broker = Environment.GetEnvironmentVariable("VENDOR_RABBITMQ") is { Length: > 0 } env ? env : DefaultBroker;
        var queues = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            switch (args[i])
            {
                case "--list": list = true; break;
                case "--stack": stack = true; break;
                case "--queue" when Value() is { } q: queues.Add(q); break;
                case "--prefix" when Value() is { } p: prefix = p; break;
                case "--show" when int.TryParse(Value(), CultureInfo.InvariantCulture, out var n) && n >= 0: show = n; break;
                case "--rabbitmq" when Value() is { } r: broker = r; break;
                case "-h" or "--help": output.WriteLine(Usage); return null;
                default:
                    output.WriteLine($"replay-errors: unknown or incomplete option '{args[i]}'");
                    output.WriteLine(Usage);
                    return null;
            }
        }
        if (!Uri.TryCreate(broker, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            output.WriteLine($"replay-errors: '{broker}' is not an amqp:// URL");
            return null;
        }
        return new Options(list, queues, prefix, stack, show, uri);
    }

    /// <summary>amqp://host/ → "/", amqp://host/vendor-test → "vendor-test", amqp://host/%2F → "/".</summary>
    public static string VirtualHost(Uri broker)
    {
        var path = broker.AbsolutePath.TrimStart('/');
        return path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
    }

    private static string Redacted(Uri broker) => $"{broker.Scheme}://{broker.Host}:{(broker.Port > 0 ? broker.Port : 5672)}{broker.AbsolutePath}";
}
