using System.Text.Json;
using Marten;
using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Webhooks;

/// <summary>What a store receives: <c>{ "type", "timestamp", "data": { "storeId", ... } }</c>, serialized once and signed as is.</summary>
public sealed record WebhookEvent(string Type, DateTimeOffset Timestamp, object Data)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string Serialize() => JsonSerializer.Serialize(this, Json);
}

public sealed record SlaEventData(string StoreId, string Month, string Metric, string Status, string? PreviousStatus, double? Actual, double Target);

public sealed record ReportReadyData(string StoreId, string Month, string Report, string Csv);

public sealed record TestEventData(string StoreId, string WebhookId, string Message);

/// <summary>The store events that webhooks carry, decided from the SLA domain events and the calendar (pure), and queued for delivery.</summary>
public static class StoreWebhookEvents
{
    /// <summary>A metric of the month that was atRisk or missed is met again.</summary>
    public static bool IsRecovery(SlaStatusChanged change) =>
        change.From is MetricStatus.AtRisk or MetricStatus.Missed && change.To == MetricStatus.Met;

    /// <summary>The webhook event type of a status change, or null when stores are not told (e.g. met → noData).</summary>
    public static string? TypeOf(SlaStatusChanged change) => change.To switch
    {
        MetricStatus.AtRisk => WebhookEventTypes.SlaAtRisk,
        MetricStatus.Missed => WebhookEventTypes.SlaBreached,
        _ when IsRecovery(change) => WebhookEventTypes.SlaRecovered,
        _ => null,
    };

    public static WebhookEvent? Of(SlaStatusChanged change) => TypeOf(change) is { } type
        ? new WebhookEvent(type, change.At, new SlaEventData(change.StoreId, change.Month, change.Metric, change.To, change.From, change.Actual, change.Target))
        : null;

    /// <summary>
    /// The store-local month whose report.ready is due: the last month that has ended, when it ended after the webhook was
    /// registered (a new webhook does not get last month's report announced); null otherwise (pure).
    /// </summary>
    public static string? EndedMonth(ServiceCalendar calendar, DateTimeOffset registeredAt, DateTimeOffset now)
    {
        var today = calendar.LocalDate(now);
        var firstOfThisMonth = new DateOnly(today.Year, today.Month, 1);
        return calendar.LocalDate(registeredAt) < firstOfThisMonth ? firstOfThisMonth.AddMonths(-1).ToString("yyyy-MM") : null;
    }

    public static WebhookEvent ReportReady(string storeId, string month, DateTimeOffset now) =>
        new(WebhookEventTypes.ReportReady, now,
            new ReportReadyData(storeId, month, $"/api/sla/stores/{storeId}/reports/{month}", $"/api/sla/stores/{storeId}/reports/{month}.csv"));

    /// <summary>
    /// Queues a delivery of each SLA change to every active webhook of the store that wants it, in the session of the change
    /// (SlaWatch's transaction): the change and its deliveries commit together.
    /// </summary>
    public static async Task QueueAsync(IDocumentSession session, string storeId, IReadOnlyList<SlaStatusChanged> changes, DateTimeOffset now,
        CancellationToken ct)
    {
        var events = changes.Select(Of).OfType<WebhookEvent>().ToList();
        if (events.Count == 0) return;
        var webhooks = await session.Query<Webhook>().Where(w => w.StoreId == storeId && w.Status == WebhookStatus.Active).ToListAsync(ct);
        foreach (var e in events)
        {
            var body = e.Serialize();
            foreach (var webhook in webhooks.Where(w => w.Wants(e.Type)))
                WebhookDeliveries.Enqueue(session, WebhookDelivery.New(webhook.WebhookId, storeId, e.Type, body, now));
        }
    }
}
