using System.Collections.Concurrent;
using JasperFx;
using Marten;

namespace Vendor.Staffing.Alerts;

/// <summary>
/// Sends pending deliveries: per channel one at a time and in order, channels independently (a channel that keeps failing
/// holds up no other). A delivery is leased before it is sent, so replicas never send the same one at once; a failed
/// attempt is retried with back-off (Polly's standard handler inside an attempt, the delivery's schedule between attempts).
/// </summary>
public sealed class AlertDispatcher(IDocumentStore documents, IHttpClientFactory http, TimeProvider clock, AlertSignal signal,
    ILogger<AlertDispatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
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

    /// <summary>Leases due deliveries of channels not busy on this replica and starts sending them; returns how many were leased.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        List<AlertDelivery> leased;
        Dictionary<string, AlertChannel> channels;
        await using (var session = documents.LightweightSession())
        {
            var due = await session.Query<AlertDelivery>()
                .Where(d => d.Status == DeliveryStatus.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
                .OrderBy(d => d.CreatedAt).Take(200).ToListAsync(ct);
            leased = due.Where(d => !_sending.ContainsKey(d.ChannelId)).Select(d => d with { LeaseUntil = now + Lease }).ToList();
            if (leased.Count == 0) return 0;
            channels = (await session.LoadManyAsync<AlertChannel>(ct, leased.Select(d => AlertChannel.StreamKey(d.ChannelId)).Distinct()))
                .ToDictionary(c => c.ChannelId);
            foreach (var d in leased) session.Store(d);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (ConcurrencyException)
            {
                return 0; // another replica leased some of them first; the next round sees what is left
            }
        }
        foreach (var group in leased.GroupBy(d => d.ChannelId))
        {
            var channelId = group.Key;
            var work = channels.TryGetValue(channelId, out var channel) && !channel.Removed
                ? SendInOrderAsync(channel, group.ToList(), ct)
                : AbandonAsync(group.ToList(), "The channel was removed.", ct);
            _sending[channelId] = work;
            _ = work.ContinueWith(_ => { _sending.TryRemove(channelId, out Task? _); signal.PokeDispatcher(); }, TaskScheduler.Default);
        }
        return leased.Count;
    }

    private async Task SendInOrderAsync(AlertChannel channel, IReadOnlyList<AlertDelivery> deliveries, CancellationToken ct)
    {
        var client = http.CreateClient($"alert-channel:{channel.ChannelId}"); // one resilience pipeline (and circuit) per channel
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            string? failure;
            try
            {
                using var request = AlertMessages.Request(channel, delivery, clock.GetUtcNow());
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                failure = await AlertMessages.FailureOf(channel, response, ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException
                                          or Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException)
            {
                if (ct.IsCancellationRequested) throw;
                failure = e.Message;
            }
            var now = clock.GetUtcNow();
            await SaveAsync(failure is null ? delivery.Succeeded(now) : delivery.FailedAttempt(failure, now), ct);
            if (failure is null) continue;
            logger.LogWarning("Alert delivery {Delivery} to {Channel} failed (attempt {Attempt}): {Failure}", delivery.Id, channel.ChannelId,
                delivery.Attempts + 1, failure);
            // Later deliveries of this channel wait for this one: release their leases untouched, in order.
            foreach (var later in deliveries.Skip(i + 1)) await SaveAsync(later with { LeaseUntil = null, NextAttemptAt = now + AlertDelivery.Backoff(delivery.Attempts + 1) }, ct);
            return;
        }
    }

    private async Task AbandonAsync(IReadOnlyList<AlertDelivery> deliveries, string reason, CancellationToken ct)
    {
        foreach (var d in deliveries) await SaveAsync(d with { Status = DeliveryStatus.Failed, LastError = reason, LeaseUntil = null }, ct);
    }

    private async Task SaveAsync(AlertDelivery delivery, CancellationToken ct)
    {
        await using var session = documents.LightweightSession();
        session.Store(delivery);
        await session.SaveChangesAsync(ct);
    }
}

/// <summary>Evaluates the detectors every minute, and at once when an absence is reported.</summary>
public sealed class AlertEvaluator(IDocumentStore documents, TimeProvider clock, AlertSignal signal, AlertSettings settings,
    ILogger<AlertEvaluator> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = clock.GetUtcNow();
                await Attendance.AttendanceModule.DetectNoShowsAsync(documents, now, settings.NoShowGrace, stoppingToken);
                if ((await AlertEngine.EvaluateAsync(documents, now, settings, stoppingToken)).Count > 0) signal.PokeDispatcher();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Alert evaluation failed; retrying at the next tick");
            }
            await signal.WaitForEvaluationAsync(Interval, stoppingToken);
        }
    }
}
