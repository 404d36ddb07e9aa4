using Vendor.ServiceDefaults;
using System.Collections.Concurrent;
using Marten;
using Microsoft.Extensions.Http.Resilience;
using Npgsql;
using Polly;

namespace Vendor.Staffing.Alerts;

/// <summary>
/// Sends pending deliveries: per channel one at a time and in order, channels independently (a channel that keeps failing
/// holds up no other). A channel's sender holds a PostgreSQL advisory lock, so replicas never send to one channel at once; a
/// failed attempt is retried with back-off (Polly retries inside an attempt, the delivery's schedule between attempts).
/// </summary>
public sealed class AlertDispatcher(IDocumentStore documents, TimeProvider clock, AlertSignal signal, ILogger<AlertDispatcher> logger)
    : BackgroundService
{
    // Not the service-wide standard handler: its one circuit breaker would let a failing robot stop every channel. An attempt
    // is a few quick retries (Polly); the delivery's persisted back-off spaces the attempts.
    private static readonly HttpClient Http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5), ConnectTimeout = TimeSpan.FromSeconds(5), AllowAutoRedirect = false,
    });

    private static readonly ResiliencePipeline<HttpResponseMessage> Attempt = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddTimeout(TimeSpan.FromSeconds(15))
        .AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 2, BackoffType = DelayBackoffType.Exponential, Delay = TimeSpan.FromMilliseconds(300), UseJitter = true,
        })
        .AddTimeout(TimeSpan.FromSeconds(5))
        .Build();

    private readonly ConcurrentDictionary<string, Task> _sending = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Alert dispatch round failed; retrying");
            }
            await signal.WaitForDispatchAsync(TimeSpan.FromMilliseconds(500), stoppingToken);
        }
        await Task.WhenAll(_sending.Values);
    }

    /// <summary>Starts a sender for each channel with due deliveries that has none running here; returns how many were started.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        IReadOnlyList<string> channels;
        await using (var query = documents.QuerySession())
            channels = (await query.Query<AlertDelivery>().Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
                .Select(d => d.ChannelId).ToListAsync(ct)).Distinct().ToList();
        var started = 0;
        foreach (var channelId in channels.Where(c => !_sending.ContainsKey(c)))
        {
            var work = SendChannelAsync(channelId, ct);
            _sending[channelId] = work;
            started++;
            _ = work.ContinueWith(t =>
            {
                if (t.Exception is { } e) logger.LogError(e, "Sending alerts to channel {Channel} failed; retried next round", channelId);
                _sending.TryRemove(channelId, out Task? _);
                signal.PokeDispatcher();
            }, TaskScheduler.Default);
        }
        return started;
    }

    private async Task SendChannelAsync(string channelId, CancellationToken ct)
    {
        await using var connection = documents.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext($1))", connection) { Parameters = { new() { Value = $"alert-channel:{channelId}" } } })
            if (await tryLock.ExecuteScalarAsync(ct) is not true) return; // another replica is sending to this channel
        try
        {
            await using var session = documents.LightweightSession();
            var now = clock.GetUtcNow();
            var channel = await session.LoadAsync<AlertChannel>(AlertChannel.StreamKey(channelId), ct);
            var due = await session.Query<AlertDelivery>()
                .Where(d => d.ChannelId == channelId && d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now)
                .OrderBy(d => d.CreatedAt).Take(100).ToListAsync(ct);
            if (channel is null || channel.Removed)
            {
                foreach (var d in due) session.Store(d with { Status = DeliveryStatus.Failed, LastError = "The channel was removed." });
                await session.SaveChangesAsync(ct);
                return;
            }
            foreach (var pending in due)
            {
                var delivery = pending.Sending(clock.GetUtcNow());
                session.Store(delivery);
                await session.SaveChangesAsync(ct);
                var (failure, answered) = await SendAsync(channel, delivery, ct);
                var at = clock.GetUtcNow();
                session.Store(failure is null ? delivery.Succeeded(at) : delivery.FailedAttempt(failure, at, answered));
                await session.SaveChangesAsync(ct);
                if (failure is null)
                {
                    VendorMetrics.AlertDeliveryLatency.Record(Math.Max(0, (at - delivery.CreatedAt).TotalSeconds),
                        new KeyValuePair<string, object?>("channel", channel.Kind));
                    continue;
                }
                logger.LogWarning("Alert delivery {Delivery} to {Channel} failed (attempt {Attempt}): {Failure}", delivery.Id, channelId,
                    delivery.Attempts + 1, failure);
                return; // later deliveries of this channel wait for this one: order is kept
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext($1))", connection) { Parameters = { new() { Value = $"alert-channel:{channelId}" } } };
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    /// <returns>The failure (null: accepted) and whether the channel answered at all.</returns>
    private async Task<(string? Failure, bool Answered)> SendAsync(AlertChannel channel, AlertDelivery delivery, CancellationToken ct)
    {
        var unanswered = false;
        try
        {
            using var response = await Attempt.ExecuteAsync(async token =>
            {
                // A retry after a try that got no answer may repeat what the channel already took: say so.
                using var request = AlertMessages.Request(channel, delivery with { MayRepeat = delivery.MayRepeat || unanswered }, clock.GetUtcNow());
                try
                {
                    return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                }
                // Refused or unresolvable: nothing reached the channel. Anything else (timeout, reset) may have.
                catch (Exception e) when (e is not HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
                {
                    unanswered = true;
                    throw;
                }
            }, ct);
            return (await AlertMessages.FailureOf(channel, response, ct), true);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Whatever went wrong (refused, timed out, a bad URL) is this attempt's failure, recorded and retried later.
            return ($"{e.GetType().Name}: {e.Message}", !unanswered);
        }
    }
}
