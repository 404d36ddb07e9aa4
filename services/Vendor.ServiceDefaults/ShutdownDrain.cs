using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vendor.ServiceDefaults;

/// <summary>
/// A stopping instance first reports not ready on <c>/health/ready</c> and keeps serving for <c>Vendor:ShutdownDrain</c> (a TimeSpan;
/// default zero: off), so the gateway's health checks move traffic to the other instances before this one closes its port; only
/// then does the server stop. Set it longer than the gateway's probe interval times its failure threshold (2 × 2 s by default).
/// </summary>
public sealed class ShutdownDrain(IConfiguration configuration, ILogger<ShutdownDrain> logger) : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public TimeSpan Period => configuration.GetValue("Vendor:ShutdownDrain", TimeSpan.Zero);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("Stopping: draining requests to the other instances.") : HealthCheckResult.Healthy());

    /// <summary>Runs before any hosted service (the web server included) stops.</summary>
    public async Task StoppingAsync(CancellationToken ct)
    {
        var period = Period;
        if (period <= TimeSpan.Zero) return;
        _draining = true;
        logger.LogInformation("Stopping: reporting not ready and serving for {Period} more while the gateway moves traffic away", period);
        try
        {
            await Task.Delay(period, ct);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now.
        }
    }

    public Task StartingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
