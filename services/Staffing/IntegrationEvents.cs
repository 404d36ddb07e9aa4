using JasperFx.Events;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Alerts;
using Vendor.Staffing.Plans;

namespace Vendor.Staffing;

/// <summary>The one place domain events leave the service.</summary>
public static class IntegrationEvents
{
    public static object? Map(IEvent committed) => committed.Data switch
    {
        AgentHired e => new Contracts.AgentHired(e.AgentId, e.Name, e.Team, e.Skills, e.HiredOn, e.RegisteredAt),
        AlertRaised e => Detected(e.AlertId, e.Finding, e.At),
        AlertSeverityChanged e => Detected(e.AlertId, e.Finding, e.At),
        AlertAcknowledged e => new Contracts.StaffingAlertChanged(e.AlertId, "acknowledged", e.At),
        AlertEscalated e => new Contracts.StaffingAlertChanged(e.AlertId, "escalated", e.At),
        AlertResolved e => new Contracts.StaffingAlertChanged(e.AlertId, "resolved", e.At),
        EmergencyPlanRosterAdjusted e => new Contracts.RosterAdjusted(e.PlanId, e.StoreId, e.Date, e.AgentIds, e.At),
        _ => null,
    };

    private static object Detected(string alertId, Finding f, DateTimeOffset at) => f.Kind == AlertKinds.CoverageGap
        ? new Contracts.CoverageGapDetected(alertId, f.Scope["store:".Length..], f.Severity, f.Count, (int)f.Baseline, f.WindowFrom, f.WindowTo,
            f.Summary, at)
        : new Contracts.AbsenceSpikeDetected(alertId, f.Scope, f.Severity, f.Count, f.Baseline, f.WindowFrom, f.WindowTo, f.Summary, at);
}

/// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
public sealed class StaffingApi;
