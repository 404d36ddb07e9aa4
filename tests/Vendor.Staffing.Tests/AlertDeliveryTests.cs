using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.Staffing.Alerts;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

/// <summary>
/// Absences posted through the API raise an alert that the service's own loops deliver to a local receiver answering like the
/// DingTalk and WeCom robots and a webhook: signed, once per alert state change and channel, also after the receiver was down.
/// </summary>
public class AlertDeliveryTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private readonly HttpClient _ops = fixture.Host.OpsClient();

    private async Task<List<string>> ChannelsTo(WebhookReceiver receiver)
    {
        var bodies = new object[]
        {
            new { kind = "dingtalk", url = receiver.DingTalkUrl, secret = WebhookReceiver.DingTalkSecret, minSeverity = "warning" },
            new { kind = "wecom", url = receiver.WeComUrl },
            new { kind = "webhook", url = receiver.WebhookUrl, secret = "hook-secret" },
        };
        var ids = new List<string>();
        foreach (var body in bodies)
        {
            var created = await _ops.PostAsJsonAsync("/api/staffing/alert-channels", body);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var channel = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.DoesNotContain("secret", channel.EnumerateObject().Select(p => p.Name));
            ids.Add(channel.GetProperty("channelId").GetString()!);
        }
        return ids;
    }

    /// <summary>Five agents of a new team, all reported sick from now on: far above the team's baseline of none.</summary>
    private async Task<string> TeamOfFiveCallsInSick()
    {
        var team = $"team-{Guid.NewGuid():N}"[..13];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            var agentId = $"{team}-a{i}";
            (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = $"客服{i}", team, skills = new[] { "presales" }, hiredOn = "2026-10-01" }))
                .EnsureSuccessStatusCode();
            (await _ops.PostAsJsonAsync("/api/staffing/absences", new { agentId, kind = "sick", from = now.AddMinutes(-1), to = now.AddHours(8) }))
                .EnsureSuccessStatusCode();
        }
        return team;
    }

    private async Task<JsonElement> AlertOf(string scope, Func<JsonElement, bool> done, string what)
    {
        var alertId = await Eventually.Until(async () =>
                (await _ops.GetFromJsonAsync<JsonElement>("/api/staffing/alerts")).EnumerateArray()
                .Where(a => a.GetProperty("scope").GetString() == scope).Select(a => a.GetProperty("alertId").GetString()).FirstOrDefault(),
            id => id is not null, TimeSpan.FromSeconds(30), $"an alert for {scope}");
        return await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{alertId}"), done, TimeSpan.FromSeconds(60), what);
    }

    private static bool AllDelivered(JsonElement alert) =>
        alert.GetProperty("deliveries").GetArrayLength() > 0
        && alert.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered");

    private static void EachKeyAcceptedOnce(WebhookReceiver receiver, JsonElement alert)
    {
        foreach (var delivery in alert.GetProperty("deliveries").EnumerateArray())
        {
            var key = delivery.GetProperty("deliveryId").GetString();
            Assert.Single(receiver.Calls, c => c.IdempotencyKey == key && c.Accepted);
        }
    }

    [Fact]
    public async Task An_absence_spike_reaches_DingTalk_WeCom_and_a_webhook_once_per_change_and_channel()
    {
        using var metrics = new MetricsCapture();
        await using var receiver = await WebhookReceiver.StartAsync();
        var channels = await ChannelsTo(receiver);

        var team = await TeamOfFiveCallsInSick();
        var alert = await AlertOf($"team:{team}", a => a.GetProperty("severity").GetString() == "critical" && AllDelivered(a), "the critical alert delivered");

        EachKeyAcceptedOnce(receiver, alert);
        // Each delivery's latency (alert change written → channel accepted) is measured per kind of channel.
        var latencies = metrics.Of("vendor.alert.delivery.latency");
        Assert.Equal(["dingtalk", "webhook", "wecom"], latencies.Select(m => (string)m.Tags["channel"]!).Distinct().Order());
        Assert.All(latencies, m => Assert.InRange(m.Value, 0, 60));
        var alertId = alert.GetProperty("alertId").GetString()!;
        var mine = receiver.Calls.Where(c => c.IdempotencyKey!.StartsWith(alertId)).ToList();
        Assert.Equal(["dingtalk", "webhook", "wecom"], mine.Select(c => c.Robot).Distinct().Order());
        Assert.All(mine.Where(c => c.Robot == "dingtalk"), c => Assert.True(c.SignatureValid));
        var dingtalk = JsonDocument.Parse(mine.Last(c => c.Robot == "dingtalk").Body).RootElement;
        Assert.Equal("markdown", dingtalk.GetProperty("msgtype").GetString());
        Assert.Contains("缺勤激增", dingtalk.GetProperty("markdown").GetProperty("title").GetString());
        Assert.Contains("5 agents absent", dingtalk.GetProperty("markdown").GetProperty("text").GetString());
        var wecom = JsonDocument.Parse(mine.Last(c => c.Robot == "wecom").Body).RootElement;
        Assert.True(Encoding.UTF8.GetByteCount(wecom.GetProperty("markdown").GetProperty("content").GetString()!) <= 4096);

        var ack = await _ops.PostAsync($"/api/staffing/alerts/{alertId}/ack", null);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var acknowledged = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{alertId}"),
            a => a.GetProperty("status").GetString() == "acknowledged" && AllDelivered(a)
                 && a.GetProperty("deliveries").EnumerateArray().Count(d => d.GetProperty("change").GetString() == "acknowledged") == 3,
            TimeSpan.FromSeconds(60), "the acknowledgement delivered");
        EachKeyAcceptedOnce(receiver, acknowledged);
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/staffing/alerts/{alertId}/ack", null)).StatusCode);
        Assert.Equal("test-ops", acknowledged.GetProperty("acknowledgedBy").GetString());

        foreach (var channel in channels) Assert.Equal(HttpStatusCode.NoContent, (await _ops.DeleteAsync($"/api/staffing/alert-channels/{channel}")).StatusCode);
    }

    [Fact]
    public async Task A_receiver_that_was_down_gets_each_delivery_once_after_it_comes_back()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        var channels = await ChannelsTo(receiver);

        var team = await TeamOfFiveCallsInSick();
        var failing = await AlertOf($"team:{team}",
            a => a.GetProperty("deliveries").GetArrayLength() > 0
                 && a.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("attempts").GetInt32() >= 1 && d.GetProperty("status").GetString() == "pending"),
            "failed first attempts");
        Assert.All(failing.GetProperty("deliveries").EnumerateArray(), d => Assert.NotNull(d.GetProperty("lastError").GetString()));
        receiver.Down = false;

        var delivered = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{failing.GetProperty("alertId").GetString()}"),
            AllDelivered, TimeSpan.FromSeconds(90), "deliveries after the receiver came back");
        EachKeyAcceptedOnce(receiver, delivered);
        Assert.Contains(receiver.Calls, c => !c.Accepted);

        foreach (var channel in channels) await _ops.DeleteAsync($"/api/staffing/alert-channels/{channel}");
    }

    [Fact]
    public async Task A_delivery_whose_sender_died_mid_send_is_sent_again_once_marked_as_a_possible_repeat()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Down = true;
        var channels = await ChannelsTo(receiver);
        var team = await TeamOfFiveCallsInSick();
        var failing = await AlertOf($"team:{team}",
            a => a.GetProperty("severity").GetString() == "critical" && a.GetProperty("deliveries").GetArrayLength() > 0
                 && a.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("attempts").GetInt32() >= 1),
            "failed first attempts");
        var alertId = failing.GetProperty("alertId").GetString()!;
        try
        {
            // As a process killed between "sending" and its outcome leaves them: holding each channel's sending lock (the
            // dispatcher's), mark the deliveries as begun.
            var documents = fixture.Host.Services.GetRequiredService<IDocumentStore>();
            await using var connection = documents.Storage.Database.CreateConnection();
            await connection.OpenAsync();
            foreach (var channel in channels)
                await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext($1))", connection) { Parameters = { new() { Value = $"alert-channel:{channel}" } } })
                    await take.ExecuteScalarAsync();
            await using (var session = documents.LightweightSession())
            {
                var begun = await session.Query<AlertDelivery>().Where(d => d.AlertId == alertId).ToListAsync();
                Assert.Equal(failing.GetProperty("deliveries").GetArrayLength(), begun.Count);
                foreach (var d in begun) session.Store(d with { SendingSince = DateTimeOffset.UtcNow });
                await session.SaveChangesAsync();
            }
            await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection)) await release.ExecuteScalarAsync();
            receiver.Down = false;

            var delivered = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{alertId}"),
                AllDelivered, TimeSpan.FromSeconds(90), "deliveries after the receiver came back");
            EachKeyAcceptedOnce(receiver, delivered);
            // Every one was begun before: each arrives once, and says it may repeat what the channel already had.
            var accepted = receiver.Calls.Where(c => c.Accepted && c.IdempotencyKey!.StartsWith(alertId)).ToList();
            Assert.Equal(["dingtalk", "webhook", "wecom"], accepted.Select(c => c.Robot).Distinct().Order());
            Assert.All(accepted.Where(c => c.Robot == "dingtalk"), c => Assert.StartsWith("【可能重复 possible repeat】",
                JsonDocument.Parse(c.Body).RootElement.GetProperty("markdown").GetProperty("title").GetString()));
            Assert.All(accepted.Where(c => c.Robot == "wecom"), c => Assert.Contains("可能重复 possible repeat",
                JsonDocument.Parse(c.Body).RootElement.GetProperty("markdown").GetProperty("content").GetString()));
            Assert.All(accepted.Where(c => c.Robot == "webhook"), c =>
                Assert.True(JsonDocument.Parse(c.Body).RootElement.GetProperty("possibleRepeat").GetBoolean()));
        }
        finally
        {
            foreach (var channel in channels) await _ops.DeleteAsync($"/api/staffing/alert-channels/{channel}");
        }
    }

    [Fact]
    public async Task Bad_channels_and_unknown_alerts_are_problems()
    {
        var bad = await _ops.PostAsJsonAsync("/api/staffing/alert-channels", new { kind = "slack", url = "ftp://x", minSeverity = "panic" });
        var missing = await _ops.PostAsync("/api/staffing/alerts/no-such-alert/ack", null);
        var badStatus = await _ops.GetAsync("/api/staffing/alerts?status=sleeping");

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("\"kind\"", problem);
        Assert.Contains("\"url\"", problem);
        Assert.Contains("\"minSeverity\"", problem);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.DeleteAsync("/api/staffing/alert-channels/ch-none")).StatusCode);
    }
}
