using System.Text;
using System.Text.Json;
using Marten;
using Vendor.Contracts;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Alerts;

/// <summary>Appends a dashboard alert's events and, in the same transaction, tells every gateway replica that it changed.</summary>
public static class AlertChanges
{
    /// <summary>
    /// The PostgreSQL channel of alert changes. <c>pg_notify</c> inside the writing transaction is delivered only when it commits, in commit
    /// order, to every replica listening on the same database; a rolled-back (or duplicate) delivery notifies nobody.
    /// </summary>
    public const string Channel = "vendor_dashboard_alerts";

    /// <summary>Stages the decided events of one alert and its notification in the session; the caller commits.</summary>
    public static async Task<DashboardAlert?> StageAsync(IDocumentSession session, string alertId,
        Func<DashboardAlert?, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<DashboardAlert>(DashboardAlert.StreamKey(alertId), ct);
        var events = decide(stream.Aggregate);
        if (events.Count == 0) return stream.Aggregate;
        stream.AppendMany(events);
        var after = DashboardAlert.Fold(stream.Aggregate, events)!;
        Notify(session, after);
        return after;
    }

    /// <summary>
    /// Queues the notification: the alert as it is after this change (so each change reaches the streams as it was, without a read per
    /// replica), or only its id when that would not fit a notification (8,000 bytes); listeners then load it.
    /// </summary>
    /// <remarks>
    /// A NOTIFY statement, not <c>select pg_notify(...)</c>: a statement in Marten's batch must not return a result set (Marten reads the
    /// next result as its own). NOTIFY takes no bind parameters, so the payload is a string literal: the JSON encoder escapes quotes,
    /// control and non-ASCII characters, and quotes are doubled anyway; the placeholder character is one the payload never contains.
    /// </remarks>
    public static void Notify(IDocumentOperations session, DashboardAlert alert)
    {
        var json = JsonSerializer.Serialize(DashboardAlertView.Of(alert), Json);
        // Marten refuses any ';' in a queued command: in JSON one can only be inside a string, where \u003B reads the same.
        var payload = (Encoding.UTF8.GetByteCount(json) < 7_500 ? json : alert.AlertId).Replace("'", "''", StringComparison.Ordinal)
            .Replace(";", "\\u003B", StringComparison.Ordinal).Replace("\u0001", "", StringComparison.Ordinal);
        session.QueueSqlCommand('\u0001', $"NOTIFY {Channel}, '{payload}'");
    }

    /// <summary>Web defaults with the default encoder: the payload is printable ASCII without quotes or control characters.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>An SLA metric crossed into atRisk: a warning alert (or the store's metric alert of the month updated).</summary>
public sealed class SlaAtRiskAlertConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<SlaAtRisk>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(SlaAtRisk m, IDocumentSession session, CancellationToken ct) =>
        AlertChanges.StageAsync(session, DashboardAlertRules.SlaAlertId(m.StoreId, m.Month, m.Metric),
            current => DashboardAlertRules.OnSla(current, m.StoreId, m.Month, m.Metric, m.Actual, m.Target, false, m.DetectedAt, _clock.GetUtcNow()), ct);
}

/// <summary>An SLA metric is missing its target: a critical alert (the same alert as its atRisk one, if any).</summary>
public sealed class SlaBreachedAlertConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<SlaBreached>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(SlaBreached m, IDocumentSession session, CancellationToken ct) =>
        AlertChanges.StageAsync(session, DashboardAlertRules.SlaAlertId(m.StoreId, m.Month, m.Metric),
            current => DashboardAlertRules.OnSla(current, m.StoreId, m.Month, m.Metric, m.Actual, m.Target, true, m.DetectedAt, _clock.GetUtcNow()), ct);
}

/// <summary>The metric is met again: its alert resolves.</summary>
public sealed class SlaRecoveredAlertConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<SlaRecovered>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(SlaRecovered m, IDocumentSession session, CancellationToken ct) =>
        AlertChanges.StageAsync(session, DashboardAlertRules.SlaAlertId(m.StoreId, m.Month, m.Metric),
            current => DashboardAlertRules.OnSlaRecovered(current, m, _clock.GetUtcNow()), ct);
}

public sealed class FeedbackOverdueAlertConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<StoreFeedbackOverdue>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(StoreFeedbackOverdue m, IDocumentSession session, CancellationToken ct) =>
        AlertChanges.StageAsync(session, DashboardAlertRules.FeedbackAlertId(m.FeedbackId),
            current => DashboardAlertRules.OnFeedbackOverdue(current, m, _clock.GetUtcNow()), ct);
}

public sealed class FeedbackSettledAlertConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<StoreFeedbackSettled>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(StoreFeedbackSettled m, IDocumentSession session, CancellationToken ct) =>
        AlertChanges.StageAsync(session, DashboardAlertRules.FeedbackAlertId(m.FeedbackId),
            current => DashboardAlertRules.OnFeedbackSettled(current, m, _clock.GetUtcNow()), ct);
}

/// <summary>Staffing raised (or changed the severity of) an absence-spike alert.</summary>
public sealed class AbsenceSpikeAlertConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<AbsenceSpikeDetected>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(AbsenceSpikeDetected m, IDocumentSession session, CancellationToken ct) =>
        StaffingAlerts.StageAsync(session, new StaffingSignal(m.AlertId, "raised", m.DetectedAt, "absenceSpike", m.Severity, m.Scope, null,
            m.Summary, null), _clock.GetUtcNow(), ct);
}

/// <summary>Staffing raised (or changed the severity of) a coverage-gap alert.</summary>
public sealed class CoverageGapAlertConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<CoverageGapDetected>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(CoverageGapDetected m, IDocumentSession session, CancellationToken ct) =>
        StaffingAlerts.StageAsync(session, new StaffingSignal(m.AlertId, "raised", m.DetectedAt, "coverageGap", m.Severity, $"store:{m.StoreId}",
            m.StoreId, m.Summary, null), _clock.GetUtcNow(), ct);
}

/// <summary>A Staffing alert was acknowledged, escalated or resolved (or, from newer publishers, raised or re-rated with its facts).</summary>
public sealed class StaffingAlertChangedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<StaffingAlertChanged>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(StaffingAlertChanged m, IDocumentSession session, CancellationToken ct) =>
        StaffingAlerts.StageAsync(session, new StaffingSignal(m.AlertId, m.Change, m.At, m.Kind, m.Severity, m.Scope, m.StoreId, m.Title, m.By),
            _clock.GetUtcNow(), ct);
}

public static class StaffingAlerts
{
    public const string FeedbackKind = "feedbackOverdue";

    /// <summary>
    /// Staffing's alerts about overdue feedback are the feedback alerts the dashboard already has from Quality: they are not shown twice.
    /// An acknowledgement in Staffing acknowledges the feedback alert; the rest (raise, resolution) comes from Quality.
    /// </summary>
    public static Task StageAsync(IDocumentSession session, StaffingSignal s, DateTimeOffset now, CancellationToken ct)
    {
        if (s.Kind == FeedbackKind)
        {
            if (s.Change != "acknowledged" || FeedbackIdOf(s.Scope) is not { } feedbackId) return Task.CompletedTask;
            return AlertChanges.StageAsync(session, DashboardAlertRules.FeedbackAlertId(feedbackId),
                current => current is { Status: AlertStatuses.Open }
                    ? [new DashboardAlertAcknowledged(current.AlertId, s.By ?? "staffing", s.At)]
                    : [], ct);
        }
        return AlertChanges.StageAsync(session, DashboardAlertRules.StaffingAlertId(s.StaffingAlertId),
            current => DashboardAlertRules.OnStaffing(current, s, now), ct);
    }

    /// <summary>The feedback id of a Staffing feedback alert's scope <c>store:{storeId}:feedback:{feedbackId}</c>.</summary>
    public static string? FeedbackIdOf(string? scope)
    {
        const string marker = ":feedback:";
        var at = scope?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        return at < 0 ? null : scope![(at + marker.Length)..];
    }

    /// <summary>Staffing's scope of a feedback alert (FeedbackAlerts.Scope in Staffing).</summary>
    public static string FeedbackScope(string storeId, string feedbackId) => $"store:{storeId}:feedback:{feedbackId}";
}
