using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.Quality.Reviews;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

/// <summary>QC through the Quality host against real PostgreSQL and RabbitMQ: sampling from the bus, the queue, reviews, disputes, calibration.</summary>
public class QcApiTests(ServiceFixture<QualityApi> fixture) : IClassFixture<ServiceFixture<QualityApi>>
{
    private readonly ServiceHost<QualityApi> _host = fixture.Host;
    private readonly HttpClient _ops = fixture.Host.OpsClient();

    private static object FullMarks => new[]
    {
        new { code = "greeting", points = 10 }, new { code = "accuracy", points = 30 }, new { code = "attitude", points = 20 },
        new { code = "resolution", points = 25 }, new { code = "scripts", points = 15 },
    };

    private async Task Publish(string store, params Contracts.ConversationRecorded[] conversations) =>
        await _host.Services.GetRequiredService<IBus>().Publish(new Contracts.ConversationsRecorded(store, conversations));

    private Task<JsonElement> Queue(string query = "") => _ops.GetFromJsonAsync<JsonElement>($"/api/quality/queue{query}");

    private static IEnumerable<string> Ids(JsonElement queue, string store) =>
        queue.EnumerateArray().Where(i => i.GetProperty("storeId").GetString() == store).Select(i => i.GetProperty("conversationId").GetString()!);

    [Fact]
    public async Task Risky_conversations_are_sampled_a_late_bad_rating_samples_too_and_stale_revisions_change_nothing()
    {
        Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync("/api/quality/sampling", new { seed = "it-1", randomShare = 0.0 })).StatusCode);
        var calm = SamplingTests.Conversation("calm", agent: "a-7", rating: "satisfied", store: "qc-s1");
        await Publish("qc-s1", SamplingTests.Conversation("angry", agent: "a-7", rating: "unsatisfied", store: "qc-s1"), calm);
        await Eventually.Until(() => Queue(), q => Ids(q, "qc-s1").Contains("angry"), what: "the unsatisfied conversation sampled");
        Assert.DoesNotContain("calm", Ids(await Queue(), "qc-s1"));

        // The rating changes later (revision 2), then revision 1 is delivered again late.
        await Publish("qc-s1", calm with { Revision = 2, Rating = "unsatisfied" });
        var queue = await Eventually.Until(() => Queue(), q => Ids(q, "qc-s1").Contains("calm"), what: "the re-rated conversation sampled");
        await Publish("qc-s1", calm);
        await Publish("qc-s1", SamplingTests.Conversation("marker", agent: "a-7", rating: "unsatisfied", store: "qc-s1"));
        queue = await Eventually.Until(() => Queue(), q => Ids(q, "qc-s1").Contains("marker"), what: "a later message handled");
        var item = queue.EnumerateArray().Single(i => i.GetProperty("conversationId").GetString() == "calm");
        Assert.Equal("unsatisfied", item.GetProperty("rating").GetString());
        Assert.Equal("risk", item.GetProperty("reason").GetString());

        // The audit lists the day's samples with the seed they were decided under; the decision recomputes the same.
        var audit = await _ops.GetFromJsonAsync<JsonElement>("/api/quality/samples?storeId=qc-s1&date=2026-11-02");
        var angry = audit.EnumerateArray().Single(s => s.GetProperty("conversationId").GetString() == "angry");
        Assert.Equal("it-1", angry.GetProperty("seed").GetString());
        var policy = Conversations.SamplingPolicy.Default with { Seed = "it-1", RandomShare = 0 };
        var again = Conversations.Sampling.Decide(policy, SamplingTests.Conversation("angry", agent: "a-7", rating: "unsatisfied", store: "qc-s1"), "a-7");
        Assert.Equal(angry.GetProperty("reason").GetString(), again!.Reason);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.GetAsync("/api/quality/samples?storeId=qc-s1&date=02-11-2026")).StatusCode);
    }

    [Fact]
    public async Task A_first_revision_arriving_after_a_later_one_leaves_it_and_the_rest_of_its_batch_is_stored()
    {
        // First revisions are written with COPY; a batch holding one that is already stored (revision 2 overtook it) falls back to the
        // upsert for the whole batch, so the new rows still land and the stored later revision stays.
        var later = SamplingTests.Conversation("late-1", agent: "a-6", rating: "unsatisfied", store: "qc-s4") with { Revision = 2, MessageCount = 9 };
        await Publish("qc-s4", later);
        await Eventually.Until(() => Rows("qc-s4"), rows => rows.ContainsKey(("late-1", "a-6")), what: "revision 2 stored");
        await Publish("qc-s4", SamplingTests.Conversation("late-1", agent: "a-6", rating: "satisfied", store: "qc-s4"),
            SamplingTests.Conversation("new-1", agent: "a-6", store: "qc-s4"), SamplingTests.Conversation("new-2", agent: "a-5", store: "qc-s4"));
        var rows = await Eventually.Until(() => Rows("qc-s4"), r => r.Count == 3, what: "the batch's new rows stored");
        Assert.Equal((2, 9, "unsatisfied"), rows[("late-1", "a-6")]);
        Assert.Equal(1, rows[("new-1", "a-6")].Revision);
        Assert.Equal(1, rows[("new-2", "a-5")].Revision);
    }

    private async Task<Dictionary<(string Conversation, string Agent), (int Revision, int Messages, string? Rating)>> Rows(string store)
    {
        await using var connection = new NpgsqlConnection(_host.Services.GetRequiredService<IConfiguration>()
            .GetConnectionString("Postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT conversation_id, agent_id, revision, message_count, rating FROM quality.agent_conversations WHERE store_id = $1", connection)
        {
            Parameters = { new() { Value = store } },
        };
        var rows = new Dictionary<(string, string), (int, int, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows[(reader.GetString(0), reader.GetString(1))] = (reader.GetInt32(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetString(4));
        return rows;
    }

    [Fact]
    public async Task Samples_are_queued_per_inspector_and_reviewed_once_against_the_rubric_in_force()
    {
        Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync("/api/quality/inspectors/i-only-s2", new { name = "Lin", storeIds = new[] { "qc-s2" } })).StatusCode);
        await Publish("qc-s2", SamplingTests.Conversation("r1", agent: "a-8", rating: "unsatisfied", store: "qc-s2"));
        var mine = await Eventually.Until(() => Queue("?inspector=i-only-s2"), q => Ids(q, "qc-s2").Contains("r1"), what: "queued for the inspector");
        Assert.All(mine.EnumerateArray(), i => Assert.Equal("qc-s2", i.GetProperty("storeId").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/queue?inspector=nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.GetAsync("/api/quality/queue?limit=0")).StatusCode);

        var notSampled = await _ops.PostAsJsonAsync("/api/quality/reviews", new { storeId = "qc-s2", conversationId = "nope", agentId = "a-8", inspectorId = "i-only-s2", scores = FullMarks });
        Assert.Equal(HttpStatusCode.NotFound, notSampled.StatusCode);
        var invalid = await _ops.PostAsJsonAsync("/api/quality/reviews", new { storeId = "qc-s2", conversationId = "r1", agentId = "a-8", inspectorId = "i-only-s2", scores = new[] { new { code = "greeting", points = 11 } } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType!.MediaType);
        Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("scores.greeting", out _));

        var created = await _ops.PostAsJsonAsync("/api/quality/reviews", new { storeId = "qc-s2", conversationId = "r1", agentId = "a-8", inspectorId = "i-only-s2", scores = FullMarks, criticalErrors = new[] { "false-promise" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var review = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((0.0, true), (review.GetProperty("score").GetDouble(), review.GetProperty("critical").GetBoolean()));
        Assert.DoesNotContain("r1", Ids(await Queue("?inspector=i-only-s2"), "qc-s2"));
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsJsonAsync("/api/quality/reviews", new { storeId = "qc-s2", conversationId = "r1", agentId = "a-8", inspectorId = "i-only-s2", scores = FullMarks })).StatusCode);

        var listed = await _ops.GetFromJsonAsync<JsonElement>("/api/quality/reviews?agentId=a-8");
        Assert.Equal(review.GetProperty("reviewId").GetString(), Assert.Single(listed.EnumerateArray()).GetProperty("reviewId").GetString());
        // The review left through the outbox as QcReviewCompleted (the event the subscription publishes).
        await using var session = _host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(QcReview.StreamKey(review.GetProperty("reviewId").GetString()!));
        var published = Assert.IsType<Contracts.QcReviewCompleted>(IntegrationEvents.Map(Assert.Single(events)));
        Assert.True(published.Critical);
    }

    [Fact]
    public async Task A_dispute_overturned_by_a_senior_inspector_corrects_the_review()
    {
        await _host.Services.GetRequiredService<IBus>().Publish(new Contracts.AgentHired("a-9", "周洁", "jd-aftersales", ["aftersales"],
            new DateOnly(2026, 10, 1), DateTimeOffset.UtcNow));
        await Eventually.Until(() => _ops.GetAsync("/api/quality/agents/a-9/training"), r => r.StatusCode == HttpStatusCode.OK, what: "a-9 hired");
        await _ops.PutAsJsonAsync("/api/quality/inspectors/i-d1", new { name = "D1" });
        await _ops.PutAsJsonAsync("/api/quality/inspectors/i-senior", new { name = "Senior", senior = true });
        await Publish("qc-s3", SamplingTests.Conversation("d1", agent: "a-9", rating: "unsatisfied", store: "qc-s3"));
        await Eventually.Until(() => Queue(), q => Ids(q, "qc-s3").Contains("d1"), what: "sampled");
        var review = await (await _ops.PostAsJsonAsync("/api/quality/reviews", new { storeId = "qc-s3", conversationId = "d1", agentId = "a-9", inspectorId = "i-d1", scores = FullMarks, criticalErrors = new[] { "rude" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = review.GetProperty("reviewId").GetString();

        // The critical review assigned remedial training in the same transaction.
        var training = await _ops.GetFromJsonAsync<JsonElement>("/api/quality/agents/a-9/training");
        var remedial = training.GetProperty("courses").EnumerateArray().Single(c => c.GetProperty("code").GetString() == "remedial-quality");
        Assert.Equal(id, remedial.GetProperty("reviewId").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync($"/api/quality/reviews/{id}/dispute", new { agentId = "a-other", reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsJsonAsync($"/api/quality/reviews/{id}/dispute", new { agentId = "a-9", reason = "客户先辱骂" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync($"/api/quality/reviews/{id}/dispute/decision",
            new { inspectorId = "i-d1", outcome = "overturned", reason = "mine", scores = FullMarks })).StatusCode);
        var decided = await _ops.PostAsJsonAsync($"/api/quality/reviews/{id}/dispute/decision",
            new { inspectorId = "i-senior", outcome = "overturned", reason = "no rudeness", scores = FullMarks, criticalErrors = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var after = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/reviews/{id}");
        Assert.Equal(("overturned", 100.0, 0.0, 2), (after.GetProperty("status").GetString(), after.GetProperty("score").GetDouble(),
            after.GetProperty("originalScore").GetDouble(), after.GetProperty("revision").GetInt32()));
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsJsonAsync($"/api/quality/reviews/{id}/dispute", new { agentId = "a-9", reason = "again" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsJsonAsync("/api/quality/reviews/qc-none/dispute", new { agentId = "a-9", reason = "x" })).StatusCode);
    }

    [Fact]
    public async Task A_calibration_session_reports_each_inspectors_deviation()
    {
        await _ops.PutAsJsonAsync("/api/quality/inspectors/cal-a", new { name = "A" });
        await _ops.PutAsJsonAsync("/api/quality/inspectors/cal-b", new { name = "B" });
        var conversation = new { storeId = "qc-s4", conversationId = "k1", agentId = "a-1" };
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/quality/calibrations",
            new { calibrationId = "cal-nov", name = "11月校准", conversations = new[] { conversation }, inspectorIds = new[] { "cal-a", "cal-b" } })).StatusCode);
        await _ops.PostAsJsonAsync("/api/quality/calibrations/cal-nov/scores", new { inspectorId = "cal-a", conversation.storeId, conversation.conversationId, conversation.agentId, scores = FullMarks });
        var lower = new[] { new { code = "greeting", points = 10 }, new { code = "accuracy", points = 10 }, new { code = "attitude", points = 20 }, new { code = "resolution", points = 25 }, new { code = "scripts", points = 15 } };
        var report = await (await _ops.PostAsJsonAsync("/api/quality/calibrations/cal-nov/scores", new { inspectorId = "cal-b", conversation.storeId, conversation.conversationId, conversation.agentId, scores = lower }))
            .Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1.0, report.GetProperty("completion").GetDouble());
        var a = report.GetProperty("byInspector").EnumerateArray().Single(i => i.GetProperty("inspectorId").GetString() == "cal-a");
        Assert.Equal(10, a.GetProperty("meanDeviation").GetDouble());
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/calibrations/none")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync("/api/quality/calibrations/cal-nov/scores", new { inspectorId = "cal-x", conversation.storeId, conversation.conversationId, conversation.agentId, scores = FullMarks })).StatusCode);
    }

    [Fact]
    public async Task A_prioritized_conversation_goes_to_the_head_of_the_queue_whether_it_arrived_before_or_after()
    {
        var store = _host.Services.GetRequiredService<IDocumentStore>();
        async Task Prioritize(string conversationId)
        {
            await using var session = store.LightweightSession();
            await session.BeginTransactionAsync(CancellationToken.None);
            await Conversations.ConversationFacts.PrioritizeAsync(session, "qc-s5", conversationId, "feedback:complaint", DateTimeOffset.UtcNow, CancellationToken.None);
            // The caller's own change (feedback recorded, in real use) is what makes SaveChangesAsync commit the transaction.
            session.Store(new ProcessedMessage($"test:{conversationId}", "test", DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        var early = SamplingTests.Conversation("p-early", agent: "a-5", rating: "satisfied", store: "qc-s5");
        await Prioritize("p-later"); // the store complains before the conversation reaches Quality
        await Publish("qc-s5", early, SamplingTests.Conversation("p-later", agent: "a-5", rating: "satisfied", store: "qc-s5"));
        await Eventually.Until(() => Queue("?limit=500"), q => Ids(q, "qc-s5").Contains("p-later"), what: "the complained-about conversation sampled on arrival");
        await Prioritize("p-early");

        var queue = await Eventually.Until(() => Queue("?limit=500"), q => Ids(q, "qc-s5").Contains("p-early"), what: "the held conversation sampled");
        var head = queue.EnumerateArray().Take(2).ToList();
        Assert.All(head, i => Assert.True(i.GetProperty("priority").GetBoolean()));
        Assert.Equal(["p-early", "p-later"], head.Select(i => i.GetProperty("conversationId").GetString()).Order());
        Assert.Contains("feedback:complaint", head[0].GetProperty("riskReasons").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task When_an_inspector_leaves_their_pending_samples_reach_the_others_covering_the_store()
    {
        await _ops.PutAsJsonAsync("/api/quality/inspectors/i-leaving", new { name = "X", storeIds = new[] { "qc-s6" } });
        await _ops.PutAsJsonAsync("/api/quality/inspectors/i-staying", new { name = "Y", storeIds = new[] { "qc-s6" } });
        await Publish("qc-s6", [.. Enumerable.Range(0, 12).Select(i => SamplingTests.Conversation($"l{i}", agent: "a-6", rating: "unsatisfied", store: "qc-s6"))]);
        var leaving = await Eventually.Until(() => Queue("?inspector=i-leaving"), q => Ids(q, "qc-s6").Any(), what: "samples assigned to i-leaving");
        var theirs = Ids(leaving, "qc-s6").ToList();
        Assert.DoesNotContain(theirs[0], Ids(await Queue("?inspector=i-staying"), "qc-s6"));

        await _ops.PutAsJsonAsync("/api/quality/inspectors/i-leaving", new { name = "X", storeIds = new[] { "qc-s6" }, active = false });

        var staying = Ids(await Queue("?inspector=i-staying&limit=500"), "qc-s6").ToList();
        Assert.All(theirs, id => Assert.Contains(id, staying));
        Assert.Equal(12, staying.Count);
    }

    [Fact]
    public async Task Every_qc_route_checks_the_caller()
    {
        var store = _host.ClientAs(new CallerIdentity("k", Roles.Store, "qc-s1"));
        var anonymous = _host.CreateClient();
        foreach (var path in new[] { "/api/quality/queue", "/api/quality/reviews", "/api/quality/sampling", "/api/quality/inspectors", "/api/quality/rubrics" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PutAsJsonAsync("/api/quality/sampling", new { randomShare = 2 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PutAsJsonAsync("/api/quality/rubrics/default", new { name = "x", items = Array.Empty<object>() })).StatusCode);
    }
}
