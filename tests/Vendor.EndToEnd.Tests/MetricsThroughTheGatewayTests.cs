using System.Net;
using System.Net.Http.Json;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>The platform's own metrics under a real flow: conversations ingested, an SLA target newly missed, the consumers' lag.</summary>
public class MetricsThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    [Fact]
    public async Task Ingesting_breaching_conversations_counts_them_counts_the_breach_and_measures_the_consumers_lag()
    {
        using var metrics = new MetricsCapture();
        var ops = platform.Client(PlatformFixture.OpsKey);
        const string storeId = "metered";
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId, name = "指标店", platform = "jd", serviceHours = new[] { new { start = "00:00", end = "00:00" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 50_000, currency = "CNY", atRiskPercent = 12, startsOn = "2026-01-01", endsOn = "2027-12-31",
            targets = new[] { new { metric = "firstResponseSeconds", target = 30.0, allocationPercent = 50m } },
        })).StatusCode);
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var conversations = Enumerable.Range(1, 3).Select(i => new
        {
            conversationId = $"m-{i}", channel = "chat", kind = "presales",
            messages = new object[]
            {
                new { at = at.AddSeconds(i).ToString("o"), from = "customer", text = "什么时候发货？" },
                new { at = at.AddSeconds(i + 100).ToString("o"), from = "agent", agentId = "a-m", text = "今天发" },
            },
        });
        (await ops.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new { conversations })).EnsureSuccessStatusCode();

        // Other tests ingest at the same time in this process: this store's own series.
        Assert.Equal(3, metrics.Of("vendor.conversations.ingested").Where(m => (string?)m.Tags["store"] == storeId).Sum(m => m.Value));
        Assert.Single(metrics.Of("vendor.sla.breaches"), m => (string?)m.Tags["store"] == storeId && (string?)m.Tags["metric"] == "firstResponseSeconds");
        var lag = await Eventually.Until(() => Task.FromResult(metrics.Of("vendor.consumer.lag")),
            l => l.Any(m => (string?)m.Tags["message"] == "ConversationsRecordedV2"), TimeSpan.FromSeconds(30),
            "the consumers' lag for the recorded conversations");
        Assert.All(lag, m => Assert.InRange(m.Value, 0, 60));
    }
}
