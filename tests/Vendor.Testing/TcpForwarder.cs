using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Vendor.Testing;

/// <summary>
/// A loopback TCP forwarder to a real server (PostgreSQL, RabbitMQ) that a test can take down and bring back: while down, open
/// connections are cut and new ones are closed as soon as they are accepted, as a server that went away would do to its clients.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly ConcurrentDictionary<TcpClient, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _down;

    public TcpForwarder(string targetHost, int targetPort)
    {
        (_targetHost, _targetPort) = (targetHost, targetPort);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    public bool Down
    {
        get => _down;
        set
        {
            _down = value;
            if (!value) return;
            foreach (var client in _open.Keys) Close(client);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_down)
            {
                Close(client);
                continue;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var server = new TcpClient { NoDelay = true };
        _open[client] = 0;
        _open[server] = 0;
        try
        {
            client.NoDelay = true;
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            var (a, b) = (client.GetStream(), server.GetStream());
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception)
        {
            // A cut connection ends here: that is the point.
        }
        finally
        {
            Close(client);
            Close(server);
        }
    }

    private void Close(TcpClient client)
    {
        _open.TryRemove(client, out _);
        try
        {
            client.Client.LingerState = new LingerOption(true, 0); // a reset, like a server that died
        }
        catch (Exception)
        {
            // already closed
        }
        client.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _open.Keys) Close(client);
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
