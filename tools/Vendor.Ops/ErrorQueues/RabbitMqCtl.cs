using System.Diagnostics;
using System.Globalization;

namespace Vendor.Ops.ErrorQueues;

/// <summary>Lists a virtual host's queues; AMQP itself cannot.</summary>
public interface IQueueCatalog
{
    Task<IReadOnlyList<QueueInfo>> ListAsync(string virtualHost, CancellationToken ct = default);
}

/// <summary>
/// <c>rabbitmqctl list_queues</c> on the broker's node, run the way deploy/local/infra.sh runs it: as the rabbitmq
/// user (when we are root) with node rabbit@localhost and that user's Erlang cookie. The management plugin (an HTTP
/// API on another port) is not enabled by deploy/local and would need a broker restart; rabbitmqctl ships with the broker.
/// Another broker (a cluster, a pod): set VENDOR_RABBITMQCTL to a command that runs rabbitmqctl there, e.g.
/// <c>kubectl exec -n mq rabbitmq-0 -- rabbitmqctl</c>, or name the queues with --queue.
/// </summary>
public sealed class RabbitMqCtl(string? command = null) : IQueueCatalog
{
    public async Task<IReadOnlyList<QueueInfo>> ListAsync(string virtualHost, CancellationToken ct = default)
    {
        var arguments = $"-q list_queues -p {Quote(virtualHost)} --no-table-headers name messages";
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        var custom = command ?? Environment.GetEnvironmentVariable("VENDOR_RABBITMQCTL");
        if (!string.IsNullOrWhiteSpace(custom)) info.ArgumentList.Add($"{custom} {arguments}");
        else
        {
            var node = Environment.GetEnvironmentVariable("RABBITMQ_NODENAME") is { Length: > 0 } n ? n : "rabbit@localhost";
            var local = $"RABBITMQ_NODENAME={Quote(node)} HOME=/var/lib/rabbitmq rabbitmqctl {arguments}";
            info.ArgumentList.Add(Environment.UserName == "root" ? $"su rabbitmq -s /bin/sh -c {Quote(local)}" : local);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start /bin/sh");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl list_queues failed ({process.ExitCode}): {(await error).Trim()}");
        return Parse(await output);
    }

    public static IReadOnlyList<QueueInfo> Parse(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(parts => new QueueInfo(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture)))
            .ToList();

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
