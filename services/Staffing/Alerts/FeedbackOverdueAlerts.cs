using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Alerts;

/// <summary>
/// An alert about a store's overdue feedback. Its own event (not <see cref="AlertRaised"/>), so the outbox does not announce it as an
/// absence spike; after raising it is an alert like the others (acknowledged, escalated, delivered once per channel and change).
/// </summary>
public sealed record FeedbackAlertRaised(string AlertId, Finding Finding, DateTimeOffset At);

/// <summary>The latest time Quality settled a feedback item (a settle may overtake the overdue message it answers).</summary>
public sealed record FeedbackSettlement(string Id, string StoreId, DateTimeOffset At)
{
    public static string Key(string feedbackId) => $"feedback:{feedbackId}";
}

/// <summary>Pure rules of feedback alerts: one alert per feedback item (scope <c>store:{storeId}:feedback:{feedbackId}</c>).</summary>
public static class FeedbackAlerts
{
    public static string Scope(string storeId, string feedbackId) => $"store:{storeId}:feedback:{feedbackId}";

    /// <summary>Critical feedback raises a critical alert; normal feedback a warning.</summary>
    public static Finding Finding(Contracts.StoreFeedbackOverdue m) =>
        new(AlertKinds.FeedbackOverdue, Scope(m.StoreId, m.FeedbackId), m.Severity == "critical" ? Severities.Critical : Severities.Warning,
            m.Summary, m.DueAt, m.DetectedAt, 1, 0);

    /// <summary>
    /// Raise, unless Quality settled the item after this due time already (the settle overtook this message) or the item's open alert
    /// is about this due time or a later one. An open alert about an earlier due time (its settle is late) gives way to this round's.
    /// </summary>
    public static IReadOnlyList<object> OnOverdue(Alert? open, DateTimeOffset? settledAt, Contracts.StoreFeedbackOverdue m, Func<string> newAlertId,
        DateTimeOffset now)
    {
        if (settledAt is { } settled && settled >= m.DueAt) return [];
        if (open is not null && m.DueAt <= open.Finding.WindowFrom) return [];
        var raised = new FeedbackAlertRaised(newAlertId(), Finding(m), now);
        return open is null ? [raised] : [new AlertResolved(open.AlertId, "The feedback was resolved, reopened and is overdue again.", now), raised];
    }

    /// <summary>Resolves the open alert, unless the settle is older than the due time the alert is about (a settle of an earlier round).</summary>
    public static IReadOnlyList<object> OnSettled(Alert? open, Contracts.StoreFeedbackSettled m, DateTimeOffset now) =>
        open is null || m.At < open.Finding.WindowFrom ? [] : [new AlertResolved(open.AlertId, "The store's feedback was resolved.", now)];

    public static string NewAlertId(DateTimeOffset now) => $"fb-{now:yyyyMMddHHmm}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The item's alert not resolved yet, read under the alerts' advisory lock (one open alert per scope and kind).</summary>
    public static async Task<Alert?> OpenAlertAsync(IDocumentSession session, string scope, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await session.HoldForTransactionAsync(AlertEngine.LockName, ct);
        return await session.Query<Alert>()
            .Where(a => a.Kind == AlertKinds.FeedbackOverdue && a.Scope == scope && a.Status != AlertStatus.Resolved)
            .FirstOrDefaultAsync(ct);
    }

    public static async Task AppendAsync(IDocumentSession session, Alert? open, IReadOnlyList<object> events, DateTimeOffset now, CancellationToken ct)
    {
        var channels = await AlertEngine.ActiveChannelsAsync(session, ct);
        AlertEngine.Append(session, open, events, channels, now);
    }
}

/// <summary>Quality flagged a store's feedback overdue: raise its alert (idempotent by message id, and by item and due time).</summary>
public sealed class StoreFeedbackOverdueConsumer(IDocumentSession session, TimeProvider clock, AlertSignal signal)
    : IdempotentConsumer<Contracts.StoreFeedbackOverdue>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override async Task Handle(Contracts.StoreFeedbackOverdue message, IDocumentSession session, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var open = await FeedbackAlerts.OpenAlertAsync(session, FeedbackAlerts.Scope(message.StoreId, message.FeedbackId), ct);
        var settled = await session.LoadAsync<FeedbackSettlement>(FeedbackSettlement.Key(message.FeedbackId), ct);
        var events = FeedbackAlerts.OnOverdue(open, settled?.At, message, () => FeedbackAlerts.NewAlertId(now), now);
        if (events.Count == 0) return;
        await FeedbackAlerts.AppendAsync(session, open, events, now, ct);
        signal.PokeDispatcher(); // the dispatcher also polls: a poke before the commit only makes it look sooner
    }
}

/// <summary>Quality resolved overdue feedback: resolve its alert (the resolution goes to every channel that heard of it).</summary>
public sealed class StoreFeedbackSettledConsumer(IDocumentSession session, TimeProvider clock, AlertSignal signal)
    : IdempotentConsumer<Contracts.StoreFeedbackSettled>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override async Task Handle(Contracts.StoreFeedbackSettled message, IDocumentSession session, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        var open = await FeedbackAlerts.OpenAlertAsync(session, FeedbackAlerts.Scope(message.StoreId, message.FeedbackId), ct);
        var key = FeedbackSettlement.Key(message.FeedbackId);
        var settled = await session.LoadAsync<FeedbackSettlement>(key, ct);
        if (settled is null || settled.At < message.At) session.Store(new FeedbackSettlement(key, message.StoreId, message.At));
        var events = FeedbackAlerts.OnSettled(open, message, now);
        if (events.Count == 0) return;
        await FeedbackAlerts.AppendAsync(session, open, events, now, ct);
        signal.PokeDispatcher();
    }
}
