using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Alerts;

/// <summary>
/// Evaluates the detectors every minute, and at once when an absence is reported. The minute's full evaluation (no-show
/// detection, every scope, escalation) is a timer: with several replicas only the holder of the <see cref="LeaseName"/> lease runs
/// it; the others try to take the lease every few seconds, so when the holder stops or dies another one carries on. A poked
/// evaluation (an absence reported to this replica) runs here at once, whoever leads: evaluations are serialised by
/// <see cref="AlertEngine.LockName"/> and each sees the alerts the previous one wrote, so neither path raises an alert twice.
/// </summary>
public sealed class AlertEvaluator(IDocumentStore documents, TimeProvider clock, AlertSignal signal, AlertSettings settings,
    LeaderLeases leases, ILogger<AlertEvaluator> logger) : BackgroundService
{
    public const string LeaseName = "staffing-alert-evaluator";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var lease = leases.For(LeaseName);
        var nextFull = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var scopes = signal.TakeScopes();
            var wait = settings.EvaluationInterval;
            try
            {
                var wasLeading = lease.IsHeld;
                var leading = await lease.TryHoldAsync(stoppingToken);
                // Just took over (the last leader stopped): evaluate at once rather than a minute later.
                if (leading && !wasLeading) nextFull = DateTimeOffset.MinValue;
                if (!leading && leases.Settings.RetryInterval < wait) wait = leases.Settings.RetryInterval;
                var now = clock.GetUtcNow();
                var full = leading && now >= nextFull;
                if (full)
                {
                    await Attendance.AttendanceModule.DetectNoShowsAsync(documents, now, settings.NoShowGrace, stoppingToken);
                    nextFull = now + settings.EvaluationInterval;
                }
                if (full || scopes.Count > 0)
                {
                    var changed = await AlertEngine.EvaluateAsync(documents, now, settings, stoppingToken, full ? null : scopes);
                    if (changed.Count > 0) signal.PokeDispatcher();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Alert evaluation failed; retrying at the next tick");
                signal.Requeue(scopes);
            }
            await signal.WaitForEvaluationAsync(wait, stoppingToken);
        }
    }
}
