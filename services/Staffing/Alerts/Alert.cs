namespace Vendor.Staffing.Alerts;

public static class AlertKinds
{
    public const string AbsenceSpike = "absenceSpike", CoverageGap = "coverageGap";

    /// <summary>A store's feedback passed its due time unresolved in Quality (one alert per feedback item, resolved when settled).</summary>
    public const string FeedbackOverdue = "feedbackOverdue";
}

public static class Severities
{
    public const string Warning = "warning", Critical = "critical";
    public static readonly IReadOnlyList<string> All = [Warning, Critical];
    public static int Rank(string severity) => severity == Critical ? 2 : 1;
}

public static class AlertStatus
{
    public const string Open = "open", Acknowledged = "acknowledged", Resolved = "resolved";
}

/// <summary>What a detector found for one scope: the figures behind the alert and a one-line summary for people.</summary>
public sealed record Finding(string Kind, string Scope, string Severity, string Summary, DateTimeOffset WindowFrom, DateTimeOffset WindowTo,
    int Count, double Baseline);

/// <summary>
/// What an alert is about after a change, stamped on its acknowledge/escalate/resolve events when they are appended
/// (<see cref="AlertEngine.Append"/>) so the outbox publishes <c>StaffingAlertChanged</c> whole. Absent from older events.
/// </summary>
public sealed record AlertFacts(string Kind, string Scope, string Severity, string Summary);

public sealed record AlertRaised(string AlertId, Finding Finding, DateTimeOffset At);
public sealed record AlertSeverityChanged(string AlertId, Finding Finding, DateTimeOffset At);
public sealed record AlertAcknowledged(string AlertId, string By, DateTimeOffset At, AlertFacts? About = null);
public sealed record AlertEscalated(string AlertId, TimeSpan Unacknowledged, DateTimeOffset At, AlertFacts? About = null);
public sealed record AlertResolved(string AlertId, string Reason, DateTimeOffset At, AlertFacts? About = null);

/// <summary>
/// One alert of one scope (<c>store:{id}</c> or <c>team:{name}</c>) from raising to resolving; stream <c>alert:{alertId}</c>, an inline
/// snapshot. At most one alert per scope and kind is not resolved (grouped, de-duplicated). <see cref="Revision"/> counts the
/// alert's events itself: Marten overwrites a property named Version with the stream version, which a plain append leaves at 0 (STACK.md).
/// </summary>
public sealed record Alert(string Id, string AlertId, string Kind, string Scope, string Severity, string Status, Finding Finding,
    DateTimeOffset RaisedAt, DateTimeOffset ChangedAt, DateTimeOffset? CriticalSince, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt,
    DateTimeOffset? EscalatedAt, DateTimeOffset? ResolvedAt, string? ResolvedReason, long Revision, string? PeakSeverity = null)
{
    public static string StreamKey(string alertId) => $"alert:{alertId}";

    public static Alert Create(AlertRaised e) =>
        new(StreamKey(e.AlertId), e.AlertId, e.Finding.Kind, e.Finding.Scope, e.Finding.Severity, AlertStatus.Open, e.Finding,
            e.At, e.At, e.Finding.Severity == Severities.Critical ? e.At : null, null, null, null, null, null, 1,
            e.Finding.Severity);

    public static Alert Create(FeedbackAlertRaised e) => Create(new AlertRaised(e.AlertId, e.Finding, e.At));

    public Alert Apply(AlertSeverityChanged e) => this with
    {
        Severity = e.Finding.Severity, Finding = e.Finding, ChangedAt = e.At, Revision = Revision + 1,
        PeakSeverity = Severities.Rank(e.Finding.Severity) > Severities.Rank(Peak) ? e.Finding.Severity : Peak,
        CriticalSince = e.Finding.Severity == Severities.Critical ? CriticalSince ?? e.At : null,
    };

    public Alert Apply(AlertAcknowledged e) => this with
    {
        Status = AlertStatus.Acknowledged, AcknowledgedBy = e.By, AcknowledgedAt = e.At, ChangedAt = e.At, Revision = Revision + 1,
    };

    public Alert Apply(AlertEscalated e) => this with { EscalatedAt = e.At, ChangedAt = e.At, Revision = Revision + 1 };

    public Alert Apply(AlertResolved e) => this with
    {
        Status = AlertStatus.Resolved, ResolvedAt = e.At, ResolvedReason = e.Reason, ChangedAt = e.At, Revision = Revision + 1,
    };

    public bool IsOpen => Status != AlertStatus.Resolved;

    /// <summary>The highest severity the alert had: its resolution goes to every channel that heard of it.</summary>
    public string Peak => PeakSeverity ?? Severity;
}
