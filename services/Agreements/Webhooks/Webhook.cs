using System.Security.Cryptography;
using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Webhooks;

/// <summary>The event types a store may subscribe a webhook to.</summary>
public static class WebhookEventTypes
{
    public const string SlaAtRisk = "sla.atRisk";
    public const string SlaBreached = "sla.breached";
    public const string SlaRecovered = "sla.recovered";
    public const string ReportReady = "report.ready";
    public const string Test = "test";

    public static readonly IReadOnlyList<string> All = [SlaAtRisk, SlaBreached, SlaRecovered, ReportReady, Test];
}

/// <summary>A store registered a webhook. The secret signs its deliveries; it is shown to the store once, in the answer.</summary>
public sealed record WebhookRegistered(string WebhookId, string StoreId, string Url, IReadOnlyList<string> Events, string Secret, DateTimeOffset At);

public sealed record WebhookRemoved(string WebhookId, string StoreId, DateTimeOffset At);

/// <summary>The endpoint answered 410 Gone: the webhook stops receiving events (the store registers a new one to resume).</summary>
public sealed record WebhookDisabled(string WebhookId, string StoreId, string Reason, DateTimeOffset At);

public static class WebhookStatus
{
    public const string Active = "active", Disabled = "disabled", Removed = "removed";
}

/// <summary>A store's webhook, stream <c>webhook:{webhookId}</c> (inline snapshot).</summary>
public sealed record Webhook(string Id, string WebhookId, string StoreId, string Url, IReadOnlyList<string> Events, string Secret,
    DateTimeOffset CreatedAt, string Status, string? DisabledReason)
{
    public const int MaxPerStore = 10;

    public static string StreamKey(string webhookId) => $"webhook:{webhookId}";

    public static Webhook Create(IEvent<WebhookRegistered> e) =>
        new(e.StreamKey!, e.Data.WebhookId, e.Data.StoreId, e.Data.Url, e.Data.Events, e.Data.Secret, e.Data.At, WebhookStatus.Active, null);

    public Webhook Apply(WebhookRemoved e) => this with { Status = WebhookStatus.Removed };

    // A 410 recorded while the store was removing the webhook must not bring it back as "disabled".
    public Webhook Apply(WebhookDisabled e) => Status == WebhookStatus.Removed ? this : this with { Status = WebhookStatus.Disabled, DisabledReason = e.Reason };

    public bool Active => Status == WebhookStatus.Active;

    public bool Wants(string type) => Active && Events.Contains(type);

    /// <summary>Visible to the store it belongs to while not removed (a store never sees another store's webhook).</summary>
    public bool VisibleTo(string storeId) => StoreId == storeId && Status != WebhookStatus.Removed;
}

public sealed record RegisterWebhook(
    [property: System.ComponentModel.Description("接收事件的 https 地址 / The https URL events are posted to")] string? Url,
    [property: System.ComponentModel.Description("订阅的事件类型：sla.atRisk、sla.breached、sla.recovered、report.ready、test / Event types to receive")]
    IReadOnlyList<string>? Events) : Vendor.ServiceDefaults.OpenApi.IExample<RegisterWebhook>
{
    public static RegisterWebhook Example => new(WebhookExamples.Url, [WebhookEventTypes.SlaAtRisk, WebhookEventTypes.SlaBreached, WebhookEventTypes.ReportReady]);
}

public static class WebhookDecisions
{
    /// <summary>Standard Webhooks secret: <c>whsec_</c> and the base64 of 32 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string NewWebhookId() => $"wh_{Guid.NewGuid():N}";

    /// <summary>The events list: at least one, each a known type, no repeats; returned distinct and in the order given (pure).</summary>
    public static IReadOnlyList<string>? CheckEvents(IReadOnlyList<string>? events, Errors errors)
    {
        if (events is null || events.Count == 0)
        {
            errors.Add("events", $"Required: at least one of {string.Join(", ", WebhookEventTypes.All)}.");
            return null;
        }
        for (var i = 0; i < events.Count; i++)
            errors.Check(events[i] is not null && WebhookEventTypes.All.Contains(events[i]), $"events[{i}]",
                $"Unknown event type; one of {string.Join(", ", WebhookEventTypes.All)}.");
        return errors.Any ? null : events.Distinct().ToList();
    }
}
