using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Staffing.Alerts;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

/// <summary>Quality's StoreFeedbackOverdue raises one feedbackOverdue alert, delivered once per channel; StoreFeedbackSettled resolves it.</summary>
public class FeedbackOverdueAlertTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private static readonly DateTimeOffset Due = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _ops = fixture.Host.OpsClient();

    private Task Publish(object message) => fixture.Host.Services.GetRequiredService<IBus>().Publish(message);

    private static Contracts.StoreFeedbackOverdue Overdue(string storeId, string feedbackId, string severity = "critical", DateTimeOffset? due = null) =>
        new(feedbackId, storeId, "complaint", severity, due ?? Due, $"{severity} complaint from store {storeId}, unresolved", (due ?? Due).AddSeconds(20));

    private async Task<JsonElement[]> AlertsOf(string scope, string status = "all") =>
        [.. (await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts?status={status}")).EnumerateArray().Where(a => a.GetProperty("scope").GetString() == scope)];

    [Fact]
    public async Task An_overdue_item_raises_one_alert_delivered_once_and_its_settlement_resolves_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var created = await _ops.PostAsJsonAsync("/api/staffing/alert-channels", new { kind = "webhook", url = receiver.WebhookUrl });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var channelId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("channelId").GetString();
        var storeId = $"fs-{Guid.NewGuid():N}"[..11];
        var scope = FeedbackAlerts.Scope(storeId, "fb-1");

        await Publish(Overdue(storeId, "fb-1"));
        await Publish(Overdue(storeId, "fb-1")); // the same item and due time again (another message id): still one alert
        var alertId = (await Eventually.Until(() => AlertsOf(scope), a => a.Length > 0, what: "the feedback alert"))[0].GetProperty("alertId").GetString()!;
        var raised = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{alertId}"),
            a => a.GetProperty("deliveries").EnumerateArray().Any(d => d.GetProperty("status").GetString() == "delivered"), what: "the alert delivered");
        Assert.Equal(("feedbackOverdue", "critical", "open"), (raised.GetProperty("kind").GetString(), raised.GetProperty("severity").GetString(),
            raised.GetProperty("status").GetString()));
        Assert.Single(await AlertsOf(scope));

        await Publish(new Contracts.StoreFeedbackSettled("fb-1", storeId, Due.AddMinutes(30)));
        var resolved = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{alertId}"),
            a => a.GetProperty("status").GetString() == "resolved"
                 && a.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered")
                 && a.GetProperty("deliveries").GetArrayLength() == 2, what: "the alert resolved and the resolution delivered");

        var calls = receiver.Calls.Where(c => c.IdempotencyKey!.StartsWith(alertId)).ToList();
        Assert.Equal(2, calls.Count); // raised once, resolved once
        foreach (var delivery in resolved.GetProperty("deliveries").EnumerateArray())
            Assert.Single(calls, c => c.IdempotencyKey == delivery.GetProperty("deliveryId").GetString());
        var body = JsonDocument.Parse(calls.Single(c => c.Body.Contains("\"change\":\"raised\"")).Body).RootElement;
        Assert.Contains("商家反馈超时", body.GetProperty("title").GetString());
        Assert.Equal("feedbackOverdue", body.GetProperty("alert").GetProperty("kind").GetString());
        Assert.Single(await AlertsOf(scope));

        await _ops.DeleteAsync($"/api/staffing/alert-channels/{channelId}");
    }

    [Fact]
    public async Task A_reopened_item_overdue_again_has_one_open_alert_whatever_order_the_messages_arrive_in_and_normal_feedback_is_a_warning()
    {
        var storeId = $"fs-{Guid.NewGuid():N}"[..11];
        var scope = FeedbackAlerts.Scope(storeId, "fb-2");
        var later = Due.AddDays(3);
        // Two queues (overdue, settled): the first round's settlement may be handled before or after either overdue message.
        await Publish(Overdue(storeId, "fb-2", "normal"));
        await Publish(new Contracts.StoreFeedbackSettled("fb-2", storeId, Due.AddMinutes(5)));
        await Publish(Overdue(storeId, "fb-2", "normal", later));

        var open = await Eventually.Until(() => AlertsOf(scope, "open"),
            a => a.Length == 1 && a[0].GetProperty("windowFrom").GetDateTimeOffset() == later, what: "the second round's alert open");
        Assert.Equal("warning", open[0].GetProperty("severity").GetString());

        await Publish(new Contracts.StoreFeedbackSettled("fb-2", storeId, later.AddHours(1)));
        await Eventually.Until(() => AlertsOf(scope, "open"), a => a.Length == 0, what: "resolved by the second settlement");
        Assert.All(await AlertsOf(scope), a => Assert.Equal("resolved", a.GetProperty("status").GetString()));
    }

    [Fact]
    public void Feedback_alert_rules_raise_once_and_resolve_only_for_a_settlement_after_the_due_time()
    {
        var now = Due.AddMinutes(1);
        var message = Overdue("s-1", "fb-9");
        var raised = Assert.IsType<FeedbackAlertRaised>(Assert.Single(FeedbackAlerts.OnOverdue(null, null, message, () => "fb-a1", now)));
        Assert.Equal((AlertKinds.FeedbackOverdue, "store:s-1:feedback:fb-9", Severities.Critical), (raised.Finding.Kind, raised.Finding.Scope, raised.Finding.Severity));
        Assert.Equal(Severities.Warning, FeedbackAlerts.Finding(Overdue("s-1", "fb-9", "normal")).Severity);
        var alert = AlertEngine.Next(null, raised);
        Assert.Equal("raised", AlertEngine.ChangeName(raised));
        Assert.Empty(FeedbackAlerts.OnOverdue(alert, null, message, () => "fb-a2", now));
        var nextRound = FeedbackAlerts.OnOverdue(alert, Due.AddMinutes(3), Overdue("s-1", "fb-9", due: Due.AddDays(1)), () => "fb-a2", now.AddDays(1));
        Assert.Equal([typeof(AlertResolved), typeof(FeedbackAlertRaised)], nextRound.Select(e => e.GetType()));
        Assert.Empty(FeedbackAlerts.OnOverdue(null, Due.AddMinutes(3), message, () => "fb-a2", now));
        Assert.Empty(FeedbackAlerts.OnSettled(alert, new Contracts.StoreFeedbackSettled("fb-9", "s-1", Due.AddMinutes(-10)), now));
        Assert.IsType<AlertResolved>(Assert.Single(FeedbackAlerts.OnSettled(alert, new Contracts.StoreFeedbackSettled("fb-9", "s-1", Due.AddMinutes(10)), now)));
        // The evaluator keeps it open (same finding) and only escalates a critical one nobody acknowledged.
        Assert.Empty(AlertRules.Reconcile(alert, alert.Finding, () => "x", now.AddMinutes(5), new AlertSettings()));
        Assert.IsType<AlertEscalated>(Assert.Single(AlertRules.Reconcile(alert, alert.Finding, () => "x", now.AddMinutes(16), new AlertSettings())));
    }
}
