using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Marten;
using Npgsql;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Alerts;

/// <summary>
/// The live streams open on this replica. Each subscriber gets its own bounded queue: a slow browser loses its oldest pending changes
/// (it reloads the list when it reconnects), never slows the others.
/// </summary>
public sealed class AlertFeed
{
    private const int PerSubscriber = 256;
    private readonly ConcurrentDictionary<Guid, Channel<DashboardAlertView>> _subscribers = new();

    public int Subscribers => _subscribers.Count;

    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<DashboardAlertView>(new BoundedChannelOptions(PerSubscriber)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false,
        });
        var id = Guid.NewGuid();
        _subscribers[id] = channel;
        return new Subscription(channel.Reader, () =>
        {
            if (_subscribers.TryRemove(id, out var removed)) removed.Writer.TryComplete();
        });
    }

    public void Publish(DashboardAlertView alert)
    {
        foreach (var channel in _subscribers.Values) channel.Writer.TryWrite(alert);
    }

    public sealed class Subscription(ChannelReader<DashboardAlertView> reader, Action unsubscribe) : IDisposable
    {
        public ChannelReader<DashboardAlertView> Reader { get; } = reader;

        public void Dispose() => unsubscribe();
    }
}

/// <summary>
/// Listens on PostgreSQL for alert changes committed by any replica (<see cref="AlertChanges.Channel"/>) and passes each alert, as the change
/// left it, to this replica's streams (<see cref="PostgresChannel"/>). The first LISTEN happens before the host reports started; changes committed
/// while the channel is down are not replayed: a reconnecting dashboard reloads the list.
/// </summary>
public sealed class AlertListener(IConfiguration configuration, IDocumentStore store, AlertFeed feed, ILogger<AlertListener> logger)
    : IHostedService, IDisposable
{
    private readonly Channel<string> _changed = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private Task? _listening, _pumping;

    public async Task StartAsync(CancellationToken ct)
    {
        var changes = new PostgresChannel(configuration, AlertChanges.Channel, "vendor-gateway-alert-listener", logger);
        changes.Received += payload => _changed.Writer.TryWrite(payload);
        NpgsqlConnection? first = null;
        try
        {
            first = await changes.OpenAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            logger.LogWarning(e, "Could not listen for alert changes yet; retrying in the background.");
        }
        _listening = Task.Run(() => changes.RunAsync(first, _stopping.Token));
        _pumping = Task.Run(() => PumpAsync(_stopping.Token));
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        _changed.Writer.TryComplete();
        foreach (var task in new[] { _listening, _pumping })
            if (task is not null)
                try { await task.WaitAsync(ct); }
                catch (OperationCanceledException) { }
    }

    private async Task PumpAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var payload in _changed.Reader.ReadAllAsync(ct))
            {
                if (feed.Subscribers == 0) continue;
                try
                {
                    if (payload.StartsWith('{'))
                    {
                        if (JsonSerializer.Deserialize<DashboardAlertView>(payload, AlertChanges.Json) is { } view) feed.Publish(view);
                        continue;
                    }
                    await using var session = store.QuerySession();
                    var alert = await session.LoadAsync<DashboardAlert>(DashboardAlert.StreamKey(payload), ct);
                    if (alert is not null) feed.Publish(DashboardAlertView.Of(alert));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Could not pass alert change {Payload} to the live streams.", payload[..Math.Min(payload.Length, 200)]);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _stopping.Dispose();
}
