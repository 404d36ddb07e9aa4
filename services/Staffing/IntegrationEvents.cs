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
        AlertAcknowledged e => Changed(e.AlertId, "acknowledged", e.At, e.About, e.By),
        AlertEscalated e => Changed(e.AlertId, "escalated", e.At, e.About, null),
        AlertResolved e => Changed(e.AlertId, "resolved", e.At, e.About, null),
        EmergencyPlanRosterAdjusted e => new Contracts.RosterAdjusted(e.PlanId, e.StoreId, e.Date, e.AgentIds, e.At),
        _ => null,
    };

    /// <summary>The change with what the alert is about (kind, severity, scope, store or team, summary) when the event carries it.</summary>
    public static Contracts.StaffingAlertChanged Changed(string alertId, string change, DateTimeOffset at, AlertFacts? about, string? by) =>
        about is null
            ? new(alertId, change, at, By: by)
            : new(alertId, change, at, about.Kind, about.Severity, about.Scope, StoreOf(about.Scope),
                about.Scope.StartsWith("team:", StringComparison.Ordinal) ? about.Scope["team:".Length..] : null, about.Summary, by);

    /// <summary>The store of a scope <c>store:{id}</c> or <c>store:{id}:feedback:{feedbackId}</c>; null for a team.</summary>
    private static string? StoreOf(string scope) =>
        scope.StartsWith("store:", StringComparison.Ordinal) ? scope["store:".Length..].Split(':')[0] : null;

    private static object Detected(string alertId, Finding f, DateTimeOffset at) => f.Kind == AlertKinds.CoverageGap
        ? new Contracts.CoverageGapDetected(alertId, f.Scope["store:".Length..], f.Severity, f.Count, (int)f.Baseline, f.WindowFrom, f.WindowTo,
            f.Summary, at)
        : new Contracts.AbsenceSpikeDetected(alertId, f.Scope, f.Severity, f.Count, f.Baseline, f.WindowFrom, f.WindowTo, f.Summary, at);
}

/// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
public sealed class StaffingApi;
