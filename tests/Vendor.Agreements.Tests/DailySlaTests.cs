using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.Agreements.Sla;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>GET /api/sla/stores/{storeId}/sla/daily: the per-day series the dashboard's trend charts draw.</summary>
public class DailySlaTests(FixedClockAgreements agreements) : IClassFixture<FixedClockAgreements>
{
    private readonly HttpClient _ops = agreements.Ops();

    private HttpClient StoreKey(string storeId) => agreements.Host.CreateDefaultClient(new GatewaySigningHandler(
        new CallerIdentity("store-key", Roles.Store, storeId), ServiceHost<AgreementsApi>.GatewaySecret, () => FixedClockAgreements.Now));

    private static object Conversation(string id, int replySeconds, int day, bool answered = true)
    {
        var start = new DateTimeOffset(2026, 11, day, 10, 0, 0, TimeSpan.FromHours(8));
        var messages = new List<object> { new { at = start.ToString("o"), from = "customer", text = "在吗？" } };
        if (answered) messages.Add(new { at = start.AddSeconds(replySeconds).ToString("o"), from = "agent", agentId = "a-1", text = "在的" });
        return new { conversationId = id, channel = "chat", kind = "presales", messages };
    }

    private async Task Onboard(string storeId)
    {
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores", new { storeId, name = storeId, platform = "tmall" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 100_000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-08-01", endsOn = "2027-07-31",
            headcount = new { presales = 4, aftersales = 2, hotline = 0 },
            targets = new object[]
            {
                new { metric = "threeMinuteResponseRate", target = 0.9, allocationPercent = 50 },
                new { metric = "missedRate", target = 0.05, allocationPercent = 50 },
            },
        })).StatusCode);
    }

    private static JsonElement Metric(JsonElement day, string name) =>
        day.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == name);

    [Fact]
    public async Task Each_day_has_its_own_figures_and_status_and_empty_days_are_listed()
    {
        await Onboard("daily-1");
        var post = await _ops.PostAsJsonAsync("/api/sla/stores/daily-1/conversations", new
        {
            conversations = new[]
            {
                Conversation("d2-a", 10, day: 2), Conversation("d2-b", 20, day: 2),                     // all within 3 minutes: met
                Conversation("d4-a", 10, day: 4), Conversation("d4-b", 0, day: 4, answered: false),      // half missed: missed
            },
        });
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        var answer = await _ops.GetFromJsonAsync<JsonElement>("/api/sla/stores/daily-1/sla/daily?from=2026-11-01&to=2026-11-05");

        var days = answer.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"], days.Select(d => d.GetProperty("date").GetString()));
        Assert.Equal([0L, 2, 0, 2, 0], days.Select(d => d.GetProperty("conversations").GetInt64()));
        Assert.Equal(1.0, Metric(days[1], "threeMinuteResponseRate").GetProperty("actual").GetDouble());
        Assert.Equal("met", Metric(days[1], "threeMinuteResponseRate").GetProperty("status").GetString());
        Assert.Equal(0.5, Metric(days[3], "missedRate").GetProperty("actual").GetDouble());
        Assert.Equal("missed", Metric(days[3], "missedRate").GetProperty("status").GetString());
        Assert.Equal(0.05, Metric(days[3], "missedRate").GetProperty("target").GetDouble());
        Assert.Equal("noData", Metric(days[0], "missedRate").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, Metric(days[0], "missedRate").GetProperty("actual").ValueKind);
    }

    [Fact]
    public async Task A_store_key_reads_its_own_series_only()
    {
        await Onboard("daily-own");
        await Onboard("daily-other");

        Assert.Equal(HttpStatusCode.OK, (await StoreKey("daily-own").GetAsync("/api/sla/stores/daily-own/sla/daily?from=2026-11-01&to=2026-11-02")).StatusCode);
        var other = await StoreKey("daily-own").GetAsync("/api/sla/stores/daily-other/sla/daily?from=2026-11-01&to=2026-11-02");
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData("from=2026-11-05&to=2026-11-01", "to")]
    [InlineData("from=2026-01-01&to=2026-12-31", "to")]
    [InlineData("from=yesterday&to=2026-11-01", "from")]
    [InlineData("to=2026-11-01", "from")]
    public async Task Bad_ranges_are_problems_naming_the_field(string query, string field)
    {
        var response = await _ops.GetAsync($"/api/sla/stores/daily-1/sla/daily?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task An_unknown_store_is_a_404()
    {
        var response = await _ops.GetAsync("/api/sla/stores/daily-nobody/sla/daily?from=2026-11-01&to=2026-11-02");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void The_series_is_pure_and_uses_each_day_s_terms()
    {
        var counts = new Dictionary<DateOnly, DailyCounts> { [new DateOnly(2026, 11, 2)] = default(DailyCounts) with { Conversations = 3 } };
        var series = DailySla.Series(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 3), counts, _ => null);
        Assert.Equal([0L, 3, 0], series.Select(d => d.Conversations));
        Assert.All(series, d => Assert.All(d.Metrics, m => Assert.Null(m.Status)));
    }
}
