using System.Globalization;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Alerts;

public static class AlertSources
{
    public const string Sla = "sla", Staffing = "staffing", Feedback = "feedback";
}

public static class AlertSeverities
{
    public const string Warning = "warning", Critical = "critical";

    public static int Rank(string severity) => severity == Critical ? 2 : 1;

    /// <summary>Any source's severity in the dashboard's two levels (unknown words count as a warning).</summary>
    public static string Of(string? severity) => severity == Critical ? Critical : Warning;
}

public static class AlertStatuses
{
    public const string Open = "open", Acknowledged = "acknowledged", Resolved = "resolved";
}

/// <summary>A dashboard alert appeared. <paramref name="SourceAt"/>: the source's own time of what it reported (detection, due time).</summary>
public sealed record DashboardAlertRaised(string AlertId, string Source, string Kind, string Severity, string? StoreId, string Title, string Detail,
    DateTimeOffset SourceAt, DateTimeOffset At, string? StaffingAlertId = null, string? FeedbackId = null);

/// <summary>What the source reports about the alert changed (severity, figures, escalation); <paramref name="Reopened"/> puts it back to open.</summary>
public sealed record DashboardAlertChanged(string AlertId, string Severity, string Title, string Detail, bool Reopened, DateTimeOffset SourceAt,
    DateTimeOffset At);

public sealed record DashboardAlertAcknowledged(string AlertId, string By, DateTimeOffset At);

/// <summary>The alert resolved; <paramref name="SourceAt"/> (SLA recoveries) is when the source saw it, so an older raise cannot reopen it.</summary>
public sealed record DashboardAlertResolved(string AlertId, string Reason, DateTimeOffset At, DateTimeOffset? SourceAt = null);

/// <summary>
/// One alert of the ops dashboard, stream <c>alert:{alertId}</c>, kept as an inline snapshot. Its id is derived from what it is about
/// (<c>sla.{store}.{month}.{metric}</c>, <c>staffing.{staffingAlertId}</c>, <c>feedback.{feedbackId}</c>), so every message about the
/// same thing lands on the same alert. <see cref="Changes"/> counts its events (a property named Version would be Marten's).
/// </summary>
public sealed record DashboardAlert(string Id, string AlertId, string Source, string Kind, string Severity, string? StoreId, string Title,
    string Detail, DateTimeOffset RaisedAt, DateTimeOffset UpdatedAt, string Status, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt, DateTimeOffset SourceAt, string? StaffingAlertId, string? FeedbackId, int Changes)
{
    public static string StreamKey(string alertId) => $"alert:{alertId}";

    public static DashboardAlert Create(DashboardAlertRaised e) =>
        new(StreamKey(e.AlertId), e.AlertId, e.Source, e.Kind, e.Severity, e.StoreId, e.Title, e.Detail, e.SourceAt, e.At, AlertStatuses.Open,
            null, null, null, e.SourceAt, e.StaffingAlertId, e.FeedbackId, 1);

    public DashboardAlert Apply(DashboardAlertChanged e) => this with
    {
        Severity = e.Severity, Title = e.Title, Detail = e.Detail, SourceAt = e.SourceAt, UpdatedAt = e.At, Changes = Changes + 1,
        Status = e.Reopened ? AlertStatuses.Open : Status,
        AcknowledgedAt = e.Reopened ? null : AcknowledgedAt, AcknowledgedBy = e.Reopened ? null : AcknowledgedBy,
        ResolvedAt = e.Reopened ? null : ResolvedAt,
    };

    public DashboardAlert Apply(DashboardAlertAcknowledged e) => this with
    {
        Status = AlertStatuses.Acknowledged, AcknowledgedAt = e.At, AcknowledgedBy = e.By, UpdatedAt = e.At, Changes = Changes + 1,
    };

    public DashboardAlert Apply(DashboardAlertResolved e) => this with
    {
        Status = AlertStatuses.Resolved, ResolvedAt = e.At, UpdatedAt = e.At, Changes = Changes + 1, SourceAt = e.SourceAt ?? SourceAt,
    };

    /// <summary>The alert after more events (what the inline snapshot holds once they commit).</summary>
    public static DashboardAlert? Fold(DashboardAlert? state, IEnumerable<object> events) => events.Aggregate(state, (s, e) => e switch
    {
        DashboardAlertRaised x => Create(x),
        DashboardAlertChanged x => s!.Apply(x),
        DashboardAlertAcknowledged x => s!.Apply(x),
        DashboardAlertResolved x => s!.Apply(x),
        _ => throw new ArgumentException($"Not a dashboard alert event: {e.GetType().Name}"),
    });
}

/// <summary>The alert as the dashboard API and the live stream serve it.</summary>
public sealed record DashboardAlertView(string AlertId, string Source, string Kind, string Severity, string? StoreId, string Title, string Detail,
    DateTimeOffset RaisedAt, DateTimeOffset UpdatedAt, string Status, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy)
{
    public static DashboardAlertView Of(DashboardAlert a) =>
        new(a.AlertId, a.Source, a.Kind, a.Severity, a.StoreId, a.Title, a.Detail, a.RaisedAt, a.UpdatedAt, a.Status, a.AcknowledgedAt,
            a.AcknowledgedBy);
}

/// <summary>A Staffing alert message in one shape, whichever contract carried it (raise events or <c>StaffingAlertChanged</c>).</summary>
public sealed record StaffingSignal(string StaffingAlertId, string Change, DateTimeOffset At, string? Kind, string? Severity, string? Scope,
    string? StoreId, string? Summary, string? By);

/// <summary>Pure rules: what each source's message does to its dashboard alert (no I/O; the unit tests hit these).</summary>
public static class DashboardAlertRules
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string SlaAlertId(string storeId, string month, string metric) => $"sla.{storeId}.{month}.{metric}";
    public static string StaffingAlertId(string staffingAlertId) => $"staffing.{staffingAlertId}";
    public static string FeedbackAlertId(string feedbackId) => $"feedback.{feedbackId}";

    /// <summary>
    /// An SLA metric of a store's month crossed into atRisk (warning) or missed (critical): one alert per store, month and metric. A message
    /// older than what the alert shows changes nothing (messages may arrive out of order); a worse severity reopens an acknowledged alert,
    /// and a crossing detected after the metric had recovered reopens the resolved one.
    /// </summary>
    public static IReadOnlyList<object> OnSla(DashboardAlert? current, string storeId, string month, string metric, double? actual,
        double target, bool breached, DateTimeOffset detectedAt, DateTimeOffset now)
    {
        var id = SlaAlertId(storeId, month, metric);
        var severity = breached ? AlertSeverities.Critical : AlertSeverities.Warning;
        var status = breached ? "missed" : "at risk";
        var title = $"{storeId} {metric} {status}: {Figure(metric, actual)} vs {Figure(metric, target, target: true)}";
        var detail = $"{month}: {metric} is {Figure(metric, actual)} against a contracted target of {Figure(metric, target, target: true)} " +
                     $"({status}); detected {detectedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC.";
        if (current is null)
            return [new DashboardAlertRaised(id, AlertSources.Sla, breached ? "slaBreached" : "slaAtRisk", severity, storeId, title, detail,
                detectedAt, now)];
        if (current.Status == AlertStatuses.Resolved)
            return detectedAt > current.SourceAt ? [new DashboardAlertChanged(id, severity, title, detail, Reopened: true, detectedAt, now)] : [];
        return Change(current, severity, title, detail, detectedAt, now);
    }

    /// <summary>
    /// The metric is met again: its alert resolves. A recovery older than what the alert shows changes nothing; one that overtook its
    /// raise (separate queues, retries) leaves a resolved alert behind, so the late raise, detected earlier, cannot open it.
    /// </summary>
    public static IReadOnlyList<object> OnSlaRecovered(DashboardAlert? current, Contracts.SlaRecovered m, DateTimeOffset now)
    {
        var id = SlaAlertId(m.StoreId, m.Month, m.Metric);
        var reason = $"{m.Metric} is met again: {Figure(m.Metric, m.Actual)} vs {Figure(m.Metric, m.Target, target: true)}.";
        if (current is null)
        {
            var breached = m.PreviousStatus == "missed";
            return [new DashboardAlertRaised(id, AlertSources.Sla, breached ? "slaBreached" : "slaAtRisk",
                    breached ? AlertSeverities.Critical : AlertSeverities.Warning, m.StoreId, $"{m.StoreId} {m.Metric} recovered",
                    $"{m.Month}: {m.Metric} recovered before its {m.PreviousStatus} notice arrived.", m.DetectedAt, now),
                new DashboardAlertResolved(id, reason, now, m.DetectedAt)];
        }
        if (current.Status == AlertStatuses.Resolved || m.DetectedAt < current.SourceAt) return [];
        return [new DashboardAlertResolved(id, reason, now, m.DetectedAt)];
    }

    /// <summary>
    /// Quality flagged a store's feedback overdue: one alert per feedback item. A later due time (the item was reopened and ran late again)
    /// reopens it; the same or an earlier due time changes nothing.
    /// </summary>
    public static IReadOnlyList<object> OnFeedbackOverdue(DashboardAlert? current, Contracts.StoreFeedbackOverdue m, DateTimeOffset now)
    {
        var severity = AlertSeverities.Of(m.Severity);
        var title = $"{m.StoreId} feedback overdue: {Cut(m.Summary, 120)}";
        var detail = $"{m.Kind} feedback {m.FeedbackId} was due {m.DueAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC and is not resolved.";
        if (current is null)
            return [new DashboardAlertRaised(FeedbackAlertId(m.FeedbackId), AlertSources.Feedback, "feedbackOverdue", severity, m.StoreId, title,
                detail, m.DueAt, now, FeedbackId: m.FeedbackId)];
        if (m.DueAt <= current.SourceAt) return [];
        return [new DashboardAlertChanged(current.AlertId, severity, title, detail, Reopened: true, m.DueAt, now)];
    }

    /// <summary>
    /// Quality settled the feedback: its alert resolves, unless the settle is of an earlier round than the alert's due time. A settle
    /// that overtook its overdue message (separate queues, retries) leaves a resolved alert behind, so the late overdue of the same
    /// round (due before the settle) finds it resolved and changes nothing instead of opening an alert nothing would resolve.
    /// </summary>
    public static IReadOnlyList<object> OnFeedbackSettled(DashboardAlert? current, Contracts.StoreFeedbackSettled m, DateTimeOffset now) =>
        current switch
        {
            null => [new DashboardAlertRaised(FeedbackAlertId(m.FeedbackId), AlertSources.Feedback, "feedbackOverdue", AlertSeverities.Warning,
                    m.StoreId, $"{m.StoreId} feedback {m.FeedbackId} settled", $"Feedback {m.FeedbackId} was settled before its overdue notice arrived.",
                    m.At, now, FeedbackId: m.FeedbackId),
                new DashboardAlertResolved(FeedbackAlertId(m.FeedbackId), "The store's feedback was resolved.", now)],
            { Status: AlertStatuses.Resolved } => [],
            _ when m.At < current.SourceAt => [],
            _ => [new DashboardAlertResolved(current.AlertId, "The store's feedback was resolved.", now)],
        };

    /// <summary>
    /// A Staffing alert was raised, changed severity, was acknowledged, escalated or resolved. A resolved alert stays resolved (Staffing
    /// raises a new alert id for a new episode). A change that overtook the raise creates the alert from what it carries; a resolution
    /// that overtook it leaves the alert resolved, so the late raise changes nothing.
    /// </summary>
    public static IReadOnlyList<object> OnStaffing(DashboardAlert? current, StaffingSignal s, DateTimeOffset now)
    {
        var id = StaffingAlertId(s.StaffingAlertId);
        var events = new List<object>();
        if (current is { Status: AlertStatuses.Resolved }) return events;
        var kind = s.Kind ?? current?.Kind ?? "staffing";
        var severity = s.Severity is null ? current?.Severity ?? AlertSeverities.Warning : AlertSeverities.Of(s.Severity);
        var storeId = s.StoreId ?? (s.Scope is { } scope && scope.StartsWith("store:", StringComparison.Ordinal) ? scope["store:".Length..] : null);
        var subject = s.Scope is { } sc ? sc.StartsWith("team:", StringComparison.Ordinal) ? $"team {sc["team:".Length..]}" : storeId ?? sc : storeId;
        var title = s.Summary is null ? current?.Title ?? $"Staffing alert {s.StaffingAlertId}" : $"{subject ?? "staffing"} {Words(kind)}: {Cut(s.Summary, 160)}";
        var detail = current?.Detail ?? $"Staffing alert {s.StaffingAlertId} ({kind}).";
        if (current is null)
        {
            events.Add(new DashboardAlertRaised(id, AlertSources.Staffing, kind, severity, storeId, title, detail, s.At, now,
                StaffingAlertId: s.StaffingAlertId));
            current = DashboardAlert.Fold(null, events);
        }
        switch (s.Change)
        {
            case "raised" or "severityChanged" when events.Count == 0:
                events.AddRange(Change(current!, severity, title, detail, s.At, now));
                break;
            case "acknowledged" when current!.Status == AlertStatuses.Open:
                events.Add(new DashboardAlertAcknowledged(id, s.By ?? "staffing", s.At));
                break;
            case "escalated" when !current!.Detail.Contains("Escalated", StringComparison.Ordinal):
                events.Add(new DashboardAlertChanged(id, current.Severity, current.Title,
                    $"{current.Detail} Escalated {s.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant)} UTC: not acknowledged in time.",
                    false, current.SourceAt, now));
                break;
            case "resolved":
                events.Add(new DashboardAlertResolved(id, "Resolved in Staffing.", now));
                break;
        }
        return events;
    }

    /// <summary>Ops acknowledge an alert: idempotent; a resolved alert cannot be acknowledged.</summary>
    public static Decision Acknowledge(DashboardAlert? alert, string by, DateTimeOffset now) => alert switch
    {
        null => new Decision.Conflict("Unknown alert."),
        { Status: AlertStatuses.Resolved } => new Decision.Conflict($"Alert '{alert.AlertId}' is resolved."),
        { Status: AlertStatuses.Acknowledged } => new Decision.Unchanged(),
        _ => Decision.Of(new DashboardAlertAcknowledged(alert.AlertId, by, now)),
    };

    /// <summary>A newer report of the same alert: new severity and figures; a worse severity reopens an acknowledged alert.</summary>
    private static IReadOnlyList<object> Change(DashboardAlert current, string severity, string title, string detail, DateTimeOffset sourceAt,
        DateTimeOffset now)
    {
        if (sourceAt < current.SourceAt || current.Status == AlertStatuses.Resolved) return [];
        if (severity == current.Severity && title == current.Title && detail == current.Detail) return [];
        var worse = AlertSeverities.Rank(severity) > AlertSeverities.Rank(current.Severity);
        return [new DashboardAlertChanged(current.AlertId, severity, title, detail, worse && current.Status == AlertStatuses.Acknowledged, sourceAt, now)];
    }

    /// <summary>A metric's figure as people read it: rates in percent, times in seconds, scores as they are.</summary>
    public static string Figure(string metric, double? value, bool target = false)
    {
        if (value is not { } v) return "no data";
        if (metric.EndsWith("Rate", StringComparison.Ordinal))
            return (v * 100).ToString(target ? "0.##" : "0.0", Invariant) + " %";
        var number = v.ToString(target ? "0.##" : "0.0", Invariant);
        return metric.EndsWith("Seconds", StringComparison.Ordinal) ? number + " s" : number;
    }

    private static string Words(string kind) => kind switch
    {
        "absenceSpike" => "absence spike",
        "coverageGap" => "coverage gap",
        "feedbackOverdue" => "feedback overdue",
        _ => kind,
    };

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
