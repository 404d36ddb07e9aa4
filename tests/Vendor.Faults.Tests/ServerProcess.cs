using System.Diagnostics;
using System.Net;
using Vendor.Testing;

namespace Vendor.Faults.Tests;

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
