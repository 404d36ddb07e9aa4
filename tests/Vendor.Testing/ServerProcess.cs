using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vendor.Testing;

/// <summary>
/// One service or gateway instance as a real process: `dotnet &lt;dll&gt;` from the solution's build output on a fixed loopback port,
/// like `./vendor up` starts it. <see cref="Kill"/> is SIGKILL (no shutdown hooks); <see cref="Restart"/> is a new process on the same port.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyDictionary<string, string> _env;
    private readonly LogFile _log;
    private Process? _process;

    public string Name { get; }
    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}/");
    public bool Running => _process is { HasExited: false };

    public ServerProcess(string name, string dll, int port, IReadOnlyDictionary<string, string> env, string logDir)
    {
        (Name, _dll, Port, _env) = (name, dll, port, env);
        _log = new LogFile(Path.Combine(logDir, $"{name}.log"));
    }

    public void Start()
    {
        if (Running) return;
        var info = new ProcessStartInfo("dotnet", [_dll, "--contentRoot", Path.GetDirectoryName(_dll)!])
        {
            WorkingDirectory = Path.GetDirectoryName(_dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in _env) info.Environment[key] = value;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        _log.Write($"==== start {DateTimeOffset.UtcNow:O}");
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => _log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => _log.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    public async Task WaitReadyAsync(TimeSpan? within = null)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            await Eventually.Until(async () =>
            {
                try { return (await http.GetAsync("/health/ready")).StatusCode; }
                catch (HttpRequestException) { return HttpStatusCode.ServiceUnavailable; }
                catch (TaskCanceledException) { return HttpStatusCode.ServiceUnavailable; }
            }, s => s == HttpStatusCode.OK || !Running, within ?? TimeSpan.FromSeconds(90), $"{Name} ready");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- {Name} log tail:\n{_log.Tail()}");
        }
        if (!Running) throw new InvalidOperationException($"{Name} exited during start:\n{_log.Tail()}");
    }

    /// <summary>SIGKILL: what was committed is all there is.</summary>
    public void Kill()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _log.Write($"==== killed {DateTimeOffset.UtcNow:O}");
        _process.Dispose();
        _process = null;
    }

    public async Task RestartAsync()
    {
        Kill();
        Start();
        await WaitReadyAsync();
    }

    public string LogTail(int lines = 40) => _log.Tail(lines);

    public void Dispose() => Kill();
}

public static class Ports
{
    /// <summary>
    /// A free port below the kernel's ephemeral range (32768+): a killed process is restarted on its port a few seconds later, and an
    /// ephemeral port could meanwhile be taken as the local end of some outgoing connection.
    /// </summary>
    public static int Free() => FreePair(0);

    /// <summary>A free port p below 65,535 - offset with p + offset free too.</summary>
    public static int FreePair(int offset)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            if (IsFree(port) && IsFree(port + offset)) return port;
        }
        throw new InvalidOperationException("No free port pair found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A log file a child process writes its output lines to (thread-safe).</summary>
public sealed class LogFile(string path)
{
    private readonly object _gate = new();
    public string Path { get; } = path;

    public void Write(string? line)
    {
        if (line is null) return;
        lock (_gate) File.AppendAllText(Path, line + "\n", Encoding.UTF8);
    }

    public string Tail(int lines = 40)
    {
        lock (_gate) return File.Exists(Path) ? string.Join("\n", File.ReadLines(Path).TakeLast(lines)) : "(no log)";
    }
}
