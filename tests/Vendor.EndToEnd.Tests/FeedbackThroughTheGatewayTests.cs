using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>
/// A store's feedback through the gateway: filed and followed with the store's own key, triaged by ops, and, when it runs late,
/// flagged by Quality's background sweep and alerted by Staffing through its channels, once.
/// </summary>
public class FeedbackThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    [Fact]
    public async Task A_store_files_feedback_sees_only_its_own_and_the_response_and_a_late_item_alerts_once()
    {
        string a = $"e2e-fb-{Guid.NewGuid():N}"[..14], b = $"e2e-fb-{Guid.NewGuid():N}"[..14];
        var storeA = platform.Client((await platform.IssueKey(Roles.Store, a)).Secret);
        var storeB = platform.Client((await platform.IssueKey(Roles.Store, b)).Secret);
        await using var receiver = await WebhookReceiver.StartAsync();
        var channel = await _ops.PostAsJsonAsync("/api/staffing/alert-channels", new { kind = "webhook", url = receiver.WebhookUrl });
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        // This store's contract promises critical feedback within 0.001 hours (3.6 seconds): the real sweep runs late in seconds.
        Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync($"/api/quality/stores/{a}/feedback-settings", new { criticalHours = 0.001, normalHours = 48 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.PutAsJsonAsync($"/api/quality/stores/{a}/feedback-settings", new { criticalHours = 1, normalHours = 2 })).StatusCode);

        var filed = await storeA.PostAsJsonAsync($"/api/quality/stores/{a}/feedback",
            new { kind = "complaint", severity = "critical", conversationId = "e2e-conv-1", text = "客服承诺次日达，实际没有" });
        Assert.Equal(HttpStatusCode.Created, filed.StatusCode);
        var feedbackId = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedbackId").GetString()!;
        Assert.Equal(HttpStatusCode.Created, (await storeB.PostAsJsonAsync($"/api/quality/stores/{b}/feedback",
            new { kind = "praise", severity = "normal", text = "谢谢" })).StatusCode);

        // Isolation: store B never reaches store A's feedback, by list, by id or by its own route.
        Assert.Equal(HttpStatusCode.Forbidden, (await storeB.GetAsync($"/api/quality/stores/{a}/feedback")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeB.GetAsync($"/api/quality/stores/{a}/feedback/{feedbackId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await storeB.GetAsync($"/api/quality/stores/{b}/feedback/{feedbackId}")).StatusCode);
        var listB = await storeB.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{b}/feedback");
        Assert.All(listB.GetProperty("items").EnumerateArray(), i => Assert.Equal(b, i.GetProperty("storeId").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.PostAsJsonAsync($"/api/quality/stores/{a}/feedback/{feedbackId}/resolve", new { action = "x" })).StatusCode);

        // Late: Quality flags it, Staffing raises a critical alert and delivers it to the webhook once.
        bool Raised(ReceivedCall c) => c.Body.Contains(feedbackId) && c.Body.Contains("\"change\":\"raised\"");
        await Eventually.Until(() => Task.FromResult(receiver.Calls.Count(c => Raised(c) && c.Accepted)), n => n > 0, TimeSpan.FromSeconds(90),
            "the overdue alert delivered");
        var alert = JsonDocument.Parse(receiver.Calls.First(Raised).Body).RootElement.GetProperty("alert");
        Assert.Equal(("feedbackOverdue", "critical"), (alert.GetProperty("kind").GetString(), alert.GetProperty("severity").GetString()));
        var alertId = alert.GetProperty("alertId").GetString()!;

        (await _ops.PostAsJsonAsync($"/api/quality/stores/{a}/feedback/{feedbackId}/assign", new { assignee = "客服主管 周", note = "agent on probation" })).EnsureSuccessStatusCode();
        (await _ops.PostAsJsonAsync($"/api/quality/stores/{a}/feedback/{feedbackId}/respond", new { text = "已核实，补偿优惠券" })).EnsureSuccessStatusCode();
        (await _ops.PostAsJsonAsync($"/api/quality/stores/{a}/feedback/{feedbackId}/resolve", new { action = "coupon sent, agent coached" })).EnsureSuccessStatusCode();

        var seen = await storeA.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{a}/feedback/{feedbackId}");
        Assert.Equal("resolved", seen.GetProperty("status").GetString());
        Assert.Equal("已核实，补偿优惠券", seen.GetProperty("responses")[0].GetProperty("text").GetString());
        Assert.Equal("coupon sent, agent coached", seen.GetProperty("action").GetString());
        Assert.False(seen.TryGetProperty("assignee", out _));
        Assert.False(seen.TryGetProperty("notes", out _));

        // Settled: the alert resolves, and each change reached the webhook exactly once.
        var resolved = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{alertId}"),
            x => x.GetProperty("status").GetString() == "resolved"
                 && x.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered")
                 && x.GetProperty("deliveries").GetArrayLength() == 2, TimeSpan.FromSeconds(60), "the alert resolved and delivered");
        foreach (var delivery in resolved.GetProperty("deliveries").EnumerateArray())
            Assert.Single(receiver.Calls, c => c.IdempotencyKey == delivery.GetProperty("deliveryId").GetString() && c.Accepted);
        Assert.Single(receiver.Calls, Raised);

        var summary = await storeA.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{a}/feedback/summary");
        Assert.Equal((1, 1, 0), (summary.GetProperty("total").GetProperty("received").GetInt32(), summary.GetProperty("total").GetProperty("overdue").GetInt32(),
            summary.GetProperty("total").GetProperty("resolvedInTime").GetInt32()));
        await _ops.DeleteAsync($"/api/staffing/alert-channels/{channel.Headers.Location!.ToString().Split('/')[^1]}");
    }

    [Fact]
    public async Task A_complaint_naming_an_ingested_conversation_puts_it_at_the_head_of_the_qc_queue()
    {
        var storeId = $"e2e-fbq-{Guid.NewGuid():N}"[..15];
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId, name = storeId, platform = "tmall", serviceHours = new[] { new { start = "00:00", end = "00:00" } } })).StatusCode);
        var ingest = platform.Client((await platform.IssueKey(Roles.Ingest, storeId)).Secret);
        var store = platform.Client((await platform.IssueKey(Roles.Store, storeId)).Secret);
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120).ToOffset(TimeSpan.FromHours(8));
        var posted = await ingest.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new
        {
            conversations = new[]
            {
                new
                {
                    conversationId = "calm-but-wrong", channel = "chat", kind = "presales", rating = "satisfied",
                    messages = new object[]
                    {
                        new { at = start.ToString("o"), from = "customer", text = "这个能用在iPhone 15上吗" },
                        new { at = start.AddSeconds(20).ToString("o"), from = "agent", agentId = "e2e-fbq-agent", text = "可以的亲" },
                    },
                },
            },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        Assert.Equal(HttpStatusCode.Created, (await store.PostAsJsonAsync($"/api/quality/stores/{storeId}/feedback",
            new { kind = "wrongAnswer", severity = "normal", conversationId = "calm-but-wrong", text = "其实不兼容，客服答错了" })).StatusCode);

        var queue = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>("/api/quality/queue?limit=500"),
            q => q.EnumerateArray().Any(i => i.GetProperty("conversationId").GetString() == "calm-but-wrong"), what: "the conversation in the QC queue");
        var head = queue.EnumerateArray().First();
        Assert.True(head.GetProperty("priority").GetBoolean());
        var item = queue.EnumerateArray().Single(i => i.GetProperty("conversationId").GetString() == "calm-but-wrong");
        Assert.True(item.GetProperty("priority").GetBoolean());
        Assert.Contains("feedback:wrongAnswer", item.GetProperty("riskReasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/quality/queue")).StatusCode);
    }
}
