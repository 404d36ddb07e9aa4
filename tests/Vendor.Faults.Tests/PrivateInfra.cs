using System.Diagnostics;
using Vendor.Testing;

namespace Vendor.Faults.Tests;

/// <summary>
/// A PostgreSQL 15 cluster and a RabbitMQ node of the fault tests' own, started and stopped through deploy/local/infra.sh
/// with other ports, another node name and a data folder under a temp state dir: stopping them never touches the shared
/// servers on 5432/5672 (node rabbit@localhost) that the other test projects use. Disposed: both stopped, data deleted.
/// </summary>
public sealed class PrivateInfra : IAsyncDisposable
{
    private readonly string _script;
    private readonly Dictionary<string, string> _env;
    private string? _dataDir;

    public string StateDir { get; }
    public int PostgresPort { get; }
    public int RabbitPort { get; }
    public string RabbitNode { get; }
    public string Postgres => $"Host=127.0.0.1;Port={PostgresPort};Database=vendor;Username=postgres;Maximum Pool Size=20;Timeout=5";
    public string RabbitMq => $"amqp://guest:guest@127.0.0.1:{RabbitPort}/";

    public PrivateInfra(string repoRoot)
    {
        _script = Path.Combine(repoRoot, "deploy", "local", "infra.sh");
        var id = Guid.NewGuid().ToString("N")[..8];
        // Under /tmp: the postgres and rabbitmq users can reach it even when the checkout lives under /root.
        StateDir = Path.Combine(Path.GetTempPath(), $"vendor-faults-{id}");
        Directory.CreateDirectory(StateDir);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(StateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                           | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        PostgresPort = Ports.Free();
        // RabbitMQ also listens for Erlang distribution on port + 20000 (infra.sh): both must be free, and 25672 (the shared node's) never.
        RabbitPort = Ports.FreePair(20_000);
        RabbitNode = $"vfaults{id}@localhost";
        _env = new()
        {
            ["VENDOR_STATE_DIR"] = StateDir,
            ["VENDOR_PG_PORT"] = PostgresPort.ToString(),
            ["VENDOR_RABBIT_PORT"] = RabbitPort.ToString(),
            ["VENDOR_RABBIT_NODE"] = RabbitNode,
            // A second cluster beside the shared one: the fault tests need far less than the 2 GB it is tuned to.
            ["VENDOR_PG_SHARED_BUFFERS"] = "128MB",
        };
    }

    public async Task StartAsync()
    {
        _dataDir = (await RunAsync("data-dir")).Trim().Split('\n')[^1].Trim();
        await StartPostgresAsync();
        await StartRabbitMqAsync();
    }

    public Task StartPostgresAsync() => RunAsync("start-postgres");
    public Task StopPostgresAsync() => RunAsync("stop-postgres");
    public Task StartRabbitMqAsync() => RunAsync("start-rabbitmq");
    public Task StopRabbitMqAsync() => RunAsync("stop-rabbitmq");

    /// <summary>Queues of the private node with their ready messages (rabbitmqctl through infra.sh's ctl).</summary>
    public async Task<IReadOnlyList<Vendor.Ops.ErrorQueues.QueueInfo>> QueuesAsync() =>
        Vendor.Ops.ErrorQueues.RabbitMqCtl.Parse(await RunAsync("ctl -q list_queues --no-table-headers name messages"));

    private Task<string> RunAsync(string command) => Shell($"bash '{_script}' {command}", _env);

    private static async Task<string> Shell(string command, IReadOnlyDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in env ?? new Dictionary<string, string>()) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{command}` did not finish within 3 minutes:\n{await stderr}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"`{command}` failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        return await stdout;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync("stop");
        }
        finally
        {
            foreach (var dir in new[] { _dataDir, StateDir }.Where(d => d is not null && d.Contains("vendor")).Distinct())
            {
                try { if (Directory.Exists(dir)) Directory.Delete(dir!, recursive: true); }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
    }
}
