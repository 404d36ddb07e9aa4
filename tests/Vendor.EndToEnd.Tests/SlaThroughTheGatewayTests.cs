using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;

namespace Vendor.EndToEnd.Tests;

/// <summary>Contracts, ingestion, the SLA API and reports as client stores and ops use them: through the gateway, with their keys.</summary>
public class SlaThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);
    private static readonly string Month = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM");

    // Ten minutes before the test run in Shanghai (whole seconds), kept inside the current month; the same for every call.
    private static readonly DateTimeOffset Start = StartOfTheTest();

    private static DateTimeOffset StartOfTheTest()
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        return now.AddMinutes(-10).Month == now.Month ? now.AddMinutes(-10) : new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, now.Offset);
    }

    private static object Conversation(string id, int replySeconds)
    {
        var at = Start;
        return new
        {
            conversationId = id, channel = "chat", kind = "presales", rating = "satisfied", resolved = true,
            messages = new object[]
            {
                new { at = at.ToString("o"), from = "customer", text = "请问什么时候发货？" },
                new { at = at.AddSeconds(replySeconds).ToString("o"), from = "agent", agentId = "a-1", text = "亲，今天下午发货哦" },
            },
        };
    }

    private async Task<(string Store, string Ingest)> StoreWithContractAndKeys(string storeId)
    {
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId, name = storeId, platform = "tmall", serviceHours = new[] { new { start = "00:00", end = "00:00" } } })).StatusCode);
        var contract = await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 50_000, currency = "CNY", atRiskPercent = 12, startsOn = "2026-01-01", endsOn = "2027-12-31",
            targets = new[] { new { metric = "firstResponseSeconds", target = 30.0, allocationPercent = 50m } },
        });
        Assert.Equal(HttpStatusCode.Created, contract.StatusCode);
        return ((await platform.IssueKey(Roles.Store, storeId)).Secret, (await platform.IssueKey(Roles.Ingest, storeId)).Secret);
    }

    [Fact]
    public async Task An_ingest_key_posts_conversations_and_the_store_key_reads_its_figures_report_and_contract()
    {
        var (storeKey, ingestKey) = await StoreWithContractAndKeys("e2e-sla");
        var ingest = platform.Client(ingestKey);
        var store = platform.Client(storeKey);

        var posted = await ingest.PostAsJsonAsync("/api/sla/stores/e2e-sla/conversations", new { conversations = new[] { Conversation("c1", 20), Conversation("c2", 100) } });
        var again = await ingest.PostAsJsonAsync("/api/sla/stores/e2e-sla/conversations", new { conversations = new[] { Conversation("c1", 20) } });

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(2, (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        Assert.Equal(1, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unchanged").GetInt32());

        var first = $"{Month}-01";
        var last = DateOnly.ParseExact(first, "yyyy-MM-dd").AddMonths(1).AddDays(-1).ToString("yyyy-MM-dd");
        var sla = await store.GetFromJsonAsync<JsonElement>($"/api/sla/stores/e2e-sla/sla?from={first}&to={last}");
        var frt = sla.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == "firstResponseSeconds");
        Assert.Equal(2, sla.GetProperty("conversations").GetInt64());
        Assert.Equal(60, frt.GetProperty("actual").GetDouble());
        Assert.Equal("missed", frt.GetProperty("status").GetString());

        var report = await store.GetFromJsonAsync<JsonElement>($"/api/sla/stores/e2e-sla/reports/{Month}");
        Assert.Equal(6_000, report.GetProperty("atRiskPool").GetDecimal());
        Assert.Equal(3_000, report.GetProperty("totalCredit").GetDecimal());
        Assert.Equal("text/csv", (await store.GetAsync($"/api/sla/stores/e2e-sla/reports/{Month}.csv")).Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await store.GetAsync("/api/sla/stores/e2e-sla/contract")).StatusCode);
        Assert.Equal(2, (await store.GetFromJsonAsync<JsonElement>("/api/sla/stores/e2e-sla/contract/history")).GetArrayLength() + 1);
    }

    [Fact]
    public async Task Each_key_does_only_its_part()
    {
        var (storeKey, ingestKey) = await StoreWithContractAndKeys("e2e-sla-roles");
        var body = new { conversations = new[] { Conversation("x1", 5) } };

        Assert.Equal(HttpStatusCode.Forbidden, (await platform.Client(storeKey).PostAsJsonAsync("/api/sla/stores/e2e-sla-roles/conversations", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.Client(ingestKey).GetAsync($"/api/sla/stores/e2e-sla-roles/reports/{Month}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.Client(storeKey).PutAsJsonAsync("/api/sla/stores/e2e-sla-roles/contract", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.Client(ingestKey).PostAsJsonAsync("/api/sla/stores/e2e-sla/conversations", body)).StatusCode);
    }

    [Fact]
    public async Task Contract_mistakes_are_400_problems_naming_the_fields()
    {
        await StoreWithContractAndKeys("e2e-sla-bad");

        var response = await _ops.PutAsJsonAsync("/api/sla/stores/e2e-sla-bad/contract", new
        {
            monthlyFee = -1, atRiskPercent = 10, startsOn = "2026-12-01", endsOn = "2026-01-01",
            targets = new object[] { new { metric = "uptime", target = 1, allocationPercent = 60 }, new { metric = "missedRate", target = 0.05, allocationPercent = 50 } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "monthlyFee", "endsOn", "targets[0].metric" }) Assert.True(errors.TryGetProperty(field, out _), field);
        // The stored contract is untouched.
        var contract = await _ops.GetFromJsonAsync<JsonElement>("/api/sla/stores/e2e-sla-bad/contract");
        Assert.Equal(50_000, contract.GetProperty("monthlyFee").GetDecimal());
    }

    [Fact]
    public async Task More_than_1000_conversations_or_5_MB_is_413()
    {
        var (_, ingestKey) = await StoreWithContractAndKeys("e2e-sla-big");
        var ingest = platform.Client(ingestKey);

        var many = await ingest.PostAsJsonAsync("/api/sla/stores/e2e-sla-big/conversations",
            new { conversations = Enumerable.Range(0, 1001).Select(i => Conversation($"m{i}", 5)).ToArray() });
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sla/stores/e2e-sla-big/conversations")
        {
            // Over the issue's 5 MB, the limit the gateway and the service share (a stricter service cut uploads off into a 502).
            Content = new StringContent($"{{\"conversations\":[],\"padding\":\"{new string('x', 5 * 1024 * 1024)}\"}}", null, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var huge = await ingest.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, many.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
        Assert.Equal("application/problem+json", huge.Content.Headers.ContentType!.MediaType);
    }
}
