using Marten;

namespace Vendor.Staffing.Alerts;

/// <summary>Evaluates the detectors every minute, and at once when an absence is reported.</summary>
public sealed class AlertEvaluator(IDocumentStore documents, TimeProvider clock, AlertSignal signal, AlertSettings settings,
    ILogger<AlertEvaluator> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextFull = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            var scopes = signal.TakeScopes();
            try
            {
                var now = clock.GetUtcNow();
                var full = now >= nextFull;
                if (full)
                {
                    await Attendance.AttendanceModule.DetectNoShowsAsync(documents, now, settings.NoShowGrace, stoppingToken);
                    nextFull = now + Interval;
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
            await signal.WaitForEvaluationAsync(Interval, stoppingToken);
        }
    }
}
