using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>
/// QC across the platform: a conversation ingested in Agreements is sampled in Quality, an inspector reviews it, and the score shows
/// in the store's qcScore; a dispute that overturns the review corrects the store's figure.
/// </summary>
public class QcThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);
    // A minute before the test in Shanghai, whole seconds; the SLA figures are read for that store-local day.
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60)
        .ToOffset(TimeSpan.FromHours(8));
    private static readonly string Today = Start.ToString("yyyy-MM-dd");

    private static object Conversation(string id, string agentId, string customerText, string? rating) => new
    {
        conversationId = id, channel = "chat", kind = "aftersales", rating,
        messages = new object[]
        {
            new { at = Start.ToString("o"), from = "customer", text = customerText },
            new { at = Start.AddSeconds(40).ToString("o"), from = "agent", agentId, text = "亲，马上为您处理" },
        },
    };

    private async Task<double?> QcScore(HttpClient store, string storeId)
    {
        var sla = await store.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/sla?from={Today}&to={Today}");
        var metric = sla.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "qcScore");
        return metric.GetProperty("actual").ValueKind == JsonValueKind.Null ? null : metric.GetProperty("actual").GetDouble();
    }

    [Fact]
    public async Task An_ingested_conversation_is_sampled_reviewed_and_its_score_reaches_the_store_and_an_overturn_corrects_it()
    {
        const string storeId = "e2e-qc";
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId, name = "QC store", platform = "jd", serviceHours = new[] { new { start = "00:00", end = "00:00" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 80_000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-01-01", endsOn = "2027-12-31",
            targets = new[] { new { metric = "qcScore", target = 90.0, allocationPercent = 30m } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync("/api/quality/inspectors/e2e-inspector",
            new { name = "质检 小林", storeIds = new[] { storeId } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync("/api/quality/inspectors/e2e-senior", new { name = "质检主管", senior = true })).StatusCode);
        var storeKey = (await platform.IssueKey(Roles.Store, storeId)).Secret;
        var ingestKey = (await platform.IssueKey(Roles.Ingest, storeId)).Secret;

        var posted = await platform.Client(ingestKey).PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new
        {
            conversations = new[] { Conversation("angry-1", "e2e-agent", "三天了还不发货，我要投诉！", "unsatisfied"), Conversation("calm-1", "e2e-agent", "有赠品吗", "satisfied") },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        // A complaint with an unsatisfied rating is always sampled, and goes to the inspector covering the store.
        var queue = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>("/api/quality/queue?inspector=e2e-inspector"),
            q => q.EnumerateArray().Any(i => i.GetProperty("conversationId").GetString() == "angry-1"), what: "the risky conversation in the queue");
        var item = queue.EnumerateArray().Single(i => i.GetProperty("conversationId").GetString() == "angry-1");
        Assert.Equal("risk", item.GetProperty("reason").GetString());
        Assert.Equal(["unsatisfied", "complaint"], item.GetProperty("riskReasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("e2e-inspector", item.GetProperty("inspectorId").GetString());

        var reviewed = await _ops.PostAsJsonAsync("/api/quality/reviews", new
        {
            storeId, conversationId = "angry-1", agentId = "e2e-agent", inspectorId = "e2e-inspector",
            scores = new[] { new { code = "greeting", points = 10 }, new { code = "accuracy", points = 20 }, new { code = "attitude", points = 20 },
                new { code = "resolution", points = 20 }, new { code = "scripts", points = 10 } },
            criticalErrors = Array.Empty<string>(), comment = "没有主动告知物流进度",
        });
        Assert.Equal(HttpStatusCode.Created, reviewed.StatusCode);
        var review = await reviewed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(80, review.GetProperty("score").GetDouble());
        var reviewId = review.GetProperty("reviewId").GetString();

        var store = platform.Client(storeKey);
        await Eventually.Until(() => QcScore(store, storeId), s => s == 80, what: "qcScore 80 in the store's SLA figures");

        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsJsonAsync($"/api/quality/reviews/{reviewId}/dispute",
            new { agentId = "e2e-agent", reason = "物流延迟已在第一句说明" })).StatusCode);
        var overturned = await _ops.PostAsJsonAsync($"/api/quality/reviews/{reviewId}/dispute/decision", new
        {
            inspectorId = "e2e-senior", outcome = "overturned", reason = "transcript shows the delay was explained",
            scores = new[] { new { code = "greeting", points = 10 }, new { code = "accuracy", points = 30 }, new { code = "attitude", points = 20 },
                new { code = "resolution", points = 20 }, new { code = "scripts", points = 15 } },
        });
        Assert.Equal(HttpStatusCode.OK, overturned.StatusCode);
        await Eventually.Until(() => QcScore(store, storeId), s => s == 95, what: "the corrected qcScore 95");

        // The store's key reads its SLA figures, never Quality's.
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/quality/queue")).StatusCode);
        // A conversation is reviewed once per agent.
        var again = await _ops.PostAsJsonAsync("/api/quality/reviews", new
        {
            storeId, conversationId = "angry-1", agentId = "e2e-agent", inspectorId = "e2e-inspector",
            scores = new[] { new { code = "greeting", points = 10 }, new { code = "accuracy", points = 30 }, new { code = "attitude", points = 20 },
                new { code = "resolution", points = 25 }, new { code = "scripts", points = 15 } },
        });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
    }
}
