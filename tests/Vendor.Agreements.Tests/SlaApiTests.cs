using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vendor.Agreements.Sla;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>Agreements with its clock fixed on 2026-11-20 10:00 (Asia/Shanghai), so "the current month" is November 2026.</summary>
public sealed class FixedClockAgreements : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private ServiceHost<AgreementsApi> _factory = null!;
    public WebApplicationFactory<AgreementsApi> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _factory = new ServiceHost<AgreementsApi>(await ServiceHost<AgreementsApi>.SettingsAsync());
        Host = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(new FakeTimeProvider(Now))));
        Host.CreateClient();
    }

    // Signed at the fixed time: the service checks the signature's age against its own (fake) clock.
    public HttpClient Ops() => Host.CreateDefaultClient(new GatewaySigningHandler(
        new ServiceDefaults.CallerIdentity("ops", ServiceDefaults.Roles.Ops, null), ServiceHost<AgreementsApi>.GatewaySecret, () => Now));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _factory.DisposeAsync();
    }
}

public class SlaApiTests(FixedClockAgreements agreements) : IClassFixture<FixedClockAgreements>
{
    private readonly HttpClient _ops = agreements.Ops();

    private static object Conversation(string id, int replySeconds, string kind = "presales", string? rating = null, bool? resolved = null,
        string? paid = null, int day = 2, bool answered = true, params string[] extraCustomerMessagesAt)
    {
        var start = new DateTimeOffset(2026, 11, day, 10, 0, 0, TimeSpan.FromHours(8));
        var messages = new List<object>
        {
            new { at = start.AddSeconds(-5).ToString("o"), from = "bot", text = "您好，欢迎光临" },
            new { at = start.ToString("o"), from = "customer", text = "在吗？这个有货吗" },
        };
        if (answered) messages.Add(new { at = start.AddSeconds(replySeconds).ToString("o"), from = "agent", agentId = "a-1", text = "亲，有货的" });
        messages.AddRange(extraCustomerMessagesAt.Select(at => (object)new { at, from = "customer", text = "好的" }));
        return new { conversationId = id, channel = "chat", kind, messages, rating, resolved, orderPaidAt = paid };
    }

    private async Task<JsonElement> Post(string storeId, params object[] conversations)
    {
        var response = await _ops.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new { conversations });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task Onboard(string storeId, bool withContract = true)
    {
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores", new { storeId, name = storeId, platform = "tmall" })).StatusCode);
        if (!withContract) return;
        var contract = await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 100_000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-08-01", endsOn = "2027-07-31",
            headcount = new { presales = 4, aftersales = 2, hotline = 0 },
            targets = new object[]
            {
                new { metric = "threeMinuteResponseRate", target = 0.9, allocationPercent = 20 },
                new { metric = "missedRate", target = 0.05, allocationPercent = 30 },
                new { metric = "firstResponseSeconds", target = 100, allocationPercent = 10 },
                new { metric = "qcScore", target = 90, allocationPercent = 40 },
            },
        });
        Assert.Equal(HttpStatusCode.Created, contract.StatusCode);
    }

    private static JsonElement Metric(JsonElement sla, string name) =>
        sla.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == name);

    [Fact]
    public async Task Re_posting_changes_nothing_and_an_update_replaces_the_old_contribution()
    {
        await Onboard("sla-idem");
        var first = await Post("sla-idem", Conversation("c1", 30), Conversation("c2", 300), Conversation("c3", 0, answered: false));
        var again = await Post("sla-idem", Conversation("c1", 30), Conversation("c2", 300), Conversation("c3", 0, answered: false));
        // c3 gets its answer late, and a rating: an update, not another conversation; c4 is new in the same batch.
        var update = await Post("sla-idem", Conversation("c3", 60, rating: "satisfied"), Conversation("c4", 10));

        Assert.Equal(3, first.GetProperty("accepted").GetInt32());
        Assert.Equal(3, again.GetProperty("unchanged").GetInt32());
        Assert.Equal("updated", update.GetProperty("results")[0].GetProperty("status").GetString());
        Assert.Equal("accepted", update.GetProperty("results")[1].GetProperty("status").GetString());

        var sla = await _ops.GetFromJsonAsync<JsonElement>("/api/sla/stores/sla-idem/sla?from=2026-11-01&to=2026-11-30");
        Assert.Equal(4, sla.GetProperty("conversations").GetInt64());
        Assert.Equal((30 + 300 + 60 + 10) / 4.0, Metric(sla, "firstResponseSeconds").GetProperty("actual").GetDouble(), 3);
        Assert.Equal(0, Metric(sla, "missedRate").GetProperty("actual").GetDouble());
        Assert.Equal(3 / 4.0, Metric(sla, "threeMinuteResponseRate").GetProperty("actual").GetDouble(), 3);
        Assert.Equal(1, Metric(sla, "satisfactionRate").GetProperty("actual").GetDouble());
        Assert.Equal("noData", Metric(sla, "qcScore").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, Metric(sla, "qcScore").GetProperty("actual").ValueKind);
    }

    [Fact]
    public async Task One_bad_conversation_does_not_reject_the_batch()
    {
        await Onboard("sla-batch", withContract: false);
        var noOffset = new { conversationId = "bad-1", channel = "chat", kind = "presales", messages = new[] { new { at = "2026-11-02T10:00:00", from = "customer" } } };
        var badSender = new { conversationId = "bad-2", channel = "fax", kind = "presales", messages = new[] { new { at = "2026-11-02T10:00:00+08:00", from = "robot" } } };

        var answer = await Post("sla-batch", Conversation("good-1", 10), noOffset, badSender);

        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        Assert.Equal(2, answer.GetProperty("rejected").GetInt32());
        var results = answer.GetProperty("results");
        Assert.True(results[1].GetProperty("errors").TryGetProperty("messages[0].at", out _));
        Assert.True(results[2].GetProperty("errors").TryGetProperty("channel", out _));
        Assert.True(results[2].GetProperty("errors").TryGetProperty("messages[0].from", out _));
        var sla = await _ops.GetFromJsonAsync<JsonElement>("/api/sla/stores/sla-batch/sla?from=2026-11-01&to=2026-11-30");
        Assert.Equal(1, sla.GetProperty("conversations").GetInt64());
        Assert.Equal(JsonValueKind.Null, Metric(sla, "missedRate").GetProperty("status").ValueKind); // no contract: no target, no status
    }

    [Fact]
    public async Task The_monthly_report_credits_missed_targets_and_breaches_are_recorded_once_per_change()
    {
        await Onboard("sla-report");
        // November: 2 of 4 first turns within 3 minutes (0.5 < 0.9: missed), 1 of 4 missed (0.25 > 0.05: missed),
        // mean FRT of the answered three (10+20+400)/3 = 143.3 > 100: missed; no QC reviews: noData, no credit.
        await Post("sla-report", Conversation("r1", 10), Conversation("r2", 20), Conversation("r3", 400), Conversation("r4", 0, answered: false));
        // October, for the trend.
        await Post("sla-report", Shift(Conversation("o1", 10), -31));

        var report = await _ops.GetFromJsonAsync<JsonElement>("/api/sla/stores/sla-report/reports/2026-11");
        Assert.Equal(10_000, report.GetProperty("atRiskPool").GetDecimal());
        var lines = report.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("metric").GetString()!);
        Assert.Equal("missed", lines["threeMinuteResponseRate"].GetProperty("status").GetString());
        Assert.Equal(2_000, lines["threeMinuteResponseRate"].GetProperty("credit").GetDecimal());
        Assert.Equal(3_000, lines["missedRate"].GetProperty("credit").GetDecimal());
        Assert.Equal(1_000, lines["firstResponseSeconds"].GetProperty("credit").GetDecimal());
        Assert.Equal("noData", lines["qcScore"].GetProperty("status").GetString());
        Assert.Equal(0, lines["qcScore"].GetProperty("credit").GetDecimal());
        Assert.Equal(6_000, report.GetProperty("totalCredit").GetDecimal());
        Assert.Equal("2026-10", lines["threeMinuteResponseRate"].GetProperty("trend")[0].GetProperty("month").GetString());

        var csv = await _ops.GetAsync("/api/sla/stores/sla-report/reports/2026-11.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        Assert.Contains("sla-report,2026-11,missedRate,0.05,0.25,missed,30,3000.00,CNY,", text);
        Assert.Contains("sla-report,2026-11,total,,,,,6000.00,CNY,", text);

        // The same data again: no new status changes.
        await Post("sla-report", Conversation("r1", 10));
        var store = agreements.Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        var changes = (await session.Events.FetchStreamAsync(SlaMonth.StreamKey("sla-report", "2026-11"))).Select(e => (SlaStatusChanged)e.Data).ToList();
        Assert.Equal(["firstResponseSeconds", "missedRate", "threeMinuteResponseRate"], changes.Select(c => c.Metric).Order());
        Assert.All(changes, c => Assert.Equal(MetricStatus.Missed, c.To));
        Assert.IsType<Contracts.SlaBreached>(IntegrationEvents.Map(new JasperFx.Events.Event<SlaStatusChanged>(changes[0])));
    }

    [Fact]
    public async Task Qc_reviews_fold_into_qc_score_once_and_a_later_revision_replaces_the_score()
    {
        await Onboard("sla-qc");
        await Post("sla-qc", Conversation("q1", 10), Conversation("q2", 10));
        var bus = agreements.Host.Services.GetRequiredService<IBus>();
        var id = Guid.NewGuid();
        var review = new Contracts.QcReviewCompleted("rv-1", "sla-qc", "q1", "a-1", 80, FixedClockAgreements.Now);
        await bus.Publish(review, c => c.MessageId = id);
        await bus.Publish(review, c => c.MessageId = id);
        await bus.Publish(new Contracts.QcReviewCompleted("rv-2", "sla-qc", "q2", "a-1", 100, FixedClockAgreements.Now));
        await Eventually.Until(() => QcScore("sla-qc"), s => s == 90, what: "qcScore 90");

        await bus.Publish(review with { Score = 60, Revision = 2 });
        await Eventually.Until(() => QcScore("sla-qc"), s => s == 80, what: "re-scored qcScore 80");
        // The original revision delivered again late (a new MessageId) does not undo the correction.
        await bus.Publish(review);
        await bus.Publish(new Contracts.QcReviewCompleted("rv-3", "sla-qc", "q2", "a-1", 40, FixedClockAgreements.Now));
        await Eventually.Until(() => QcScore("sla-qc"), s => s is { } v && Math.Abs(v - 200.0 / 3) < 0.001, what: "third review counted, the stale revision not");
        // Re-posting a reviewed conversation keeps its review.
        await Post("sla-qc", Conversation("q1", 10, rating: "neutral"));
        Assert.Equal(200.0 / 3, (await QcScore("sla-qc"))!.Value, 3);
    }

    [Fact]
    public async Task A_review_that_arrives_before_its_conversation_moves_to_the_conversation_day()
    {
        await Onboard("sla-early-qc");
        var bus = agreements.Host.Services.GetRequiredService<IBus>();
        await bus.Publish(new Contracts.QcReviewCompleted("rv-early", "sla-early-qc", "e1", "a-1", 70, FixedClockAgreements.Now));
        await Eventually.Until(() => QcScore("sla-early-qc", "2026-11-20", "2026-11-20"), s => s == 70, what: "review on its completion day");

        await Post("sla-early-qc", Conversation("e1", 10)); // started 2026-11-02

        Assert.Equal(70, await QcScore("sla-early-qc", "2026-11-02", "2026-11-02"));
        Assert.Null(await QcScore("sla-early-qc", "2026-11-20", "2026-11-20"));
        // A re-score lands on the conversation's day too.
        await bus.Publish(new Contracts.QcReviewCompleted("rv-early", "sla-early-qc", "e1", "a-1", 90, FixedClockAgreements.Now, Revision: 2));
        await Eventually.Until(() => QcScore("sla-early-qc", "2026-11-02", "2026-11-02"), s => s == 90, what: "re-score on the conversation day");
        Assert.Equal(90, await QcScore("sla-early-qc"));
    }

    [Fact]
    public async Task Concurrent_posts_to_one_store_count_each_conversation_once_and_merge_every_message()
    {
        await Onboard("sla-parallel");
        // Twelve requests at once, each with the same 30 conversations (new to the store) and one customer message of its own on each,
        // every other one in reverse order: they insert the same rows side by side, so most collide and are done again, merging into
        // what the others stored. First responses of 200-229 s miss two of the contract's targets for the current month.
        const int requests = 12, conversations = 30;
        var start = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.FromHours(8));
        var answers = await Task.WhenAll(Enumerable.Range(0, requests).Select(async r =>
        {
            var ids = Enumerable.Range(0, conversations).ToArray();
            if (r % 2 == 1) Array.Reverse(ids);
            var body = ids.Select(c => Conversation($"p{c}", 200 + c,
                extraCustomerMessagesAt: [start.AddMinutes(5 + r).ToString("o")])).ToArray();
            var response = await _ops.PostAsJsonAsync("/api/sla/stores/sla-parallel/conversations", new { conversations = body });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }));

        // Each conversation was new to exactly one request; every other request merged its message into it.
        Assert.Equal(conversations, answers.Sum(a => a.GetProperty("accepted").GetInt32()));
        Assert.Equal((requests - 1) * conversations, answers.Sum(a => a.GetProperty("updated").GetInt32()));
        var sla = await _ops.GetFromJsonAsync<JsonElement>("/api/sla/stores/sla-parallel/sla?from=2026-11-01&to=2026-11-30");
        Assert.Equal(conversations, sla.GetProperty("conversations").GetInt64());
        Assert.Equal(Enumerable.Range(0, conversations).Average(c => 200.0 + c), Metric(sla, "firstResponseSeconds").GetProperty("actual").GetDouble(), 3);
        var store = agreements.Host.Services.GetRequiredService<IDocumentStore>();
        await using var session = store.QuerySession();
        // bot, customer, agent and one customer message from each request; one revision a request.
        var rows = await session.AdvancedSql.QueryAsync<int>(
            "SELECT jsonb_array_length(body -> 'messages') * 1000 + revision FROM agreements.conversations WHERE store_id = 'sla-parallel'",
            CancellationToken.None);
        Assert.Equal(conversations, rows.Count);
        Assert.All(rows, row => Assert.Equal((3 + requests) * 1000 + requests, row));
        // Each target crossed into missed once, however many requests saw the month at once.
        var changes = (await session.Events.FetchStreamAsync(SlaMonth.StreamKey("sla-parallel", "2026-11"))).Select(e => (SlaStatusChanged)e.Data);
        Assert.Equal(["firstResponseSeconds", "threeMinuteResponseRate"], changes.Select(c => c.Metric).Order());
    }

    private async Task<double?> QcScore(string storeId, string from = "2026-11-01", string to = "2026-11-30")
    {
        var sla = await _ops.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/sla?from={from}&to={to}");
        var actual = Metric(sla, "qcScore").GetProperty("actual");
        return actual.ValueKind == JsonValueKind.Null ? null : actual.GetDouble();
    }

    private static object Shift(object conversation, int days)
    {
        var json = JsonSerializer.Serialize(conversation);
        var shifted = json.Replace("2026-11-02", new DateOnly(2026, 11, 2).AddDays(days).ToString("yyyy-MM-dd"));
        return JsonSerializer.Deserialize<JsonElement>(shifted);
    }
}
