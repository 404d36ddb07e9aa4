using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Quality.Feedback;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

/// <summary>The Quality host on a clock the tests move, without the background sweep: the tests run each sweep themselves.</summary>
public sealed class FeedbackHost : IAsyncLifetime
{
    private ServiceHost<QualityApi> _factory = null!;

    public TestClock Clock { get; } = new(DateTimeOffset.UtcNow);
    public WebApplicationFactory<QualityApi> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = await ServiceHost<QualityApi>.SettingsAsync();
        settings["Quality:Feedback:Background"] = "false";
        _factory = new ServiceHost<QualityApi>(settings);
        Host = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock)));
        Host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _factory.DisposeAsync();
    }

    /// <summary>A caller as the gateway would sign it, at the host's (moved) time.</summary>
    public HttpClient ClientAs(CallerIdentity caller) =>
        Host.CreateDefaultClient(new GatewaySigningHandler(caller, ServiceHost<QualityApi>.GatewaySecret, () => Clock.GetUtcNow()));

    public HttpClient Store(string storeId) => ClientAs(new CallerIdentity($"key-{storeId}", Roles.Store, storeId));

    public HttpClient Ops() => ClientAs(new CallerIdentity("ops-1", Roles.Ops, null));

    public Task<int> SweepAsync() => FeedbackSweep.RunAsync(Host.Services.GetRequiredService<IDocumentStore>(), Clock.GetUtcNow(), CancellationToken.None);
}

/// <summary>Store feedback through the Quality host against real PostgreSQL and RabbitMQ.</summary>
public class FeedbackApiTests(FeedbackHost fixture) : IClassFixture<FeedbackHost>
{
    private readonly HttpClient _ops = fixture.Ops();

    private static string NewStore() => $"fbs-{Guid.NewGuid():N}"[..12];

    private static async Task<JsonElement> File(HttpClient client, string storeId, string kind = "complaint", string severity = "critical",
        string? conversationId = null, string text = "客服说不能退货，其实可以")
    {
        var response = await client.PostAsJsonAsync($"/api/quality/stores/{storeId}/feedback", new { kind, severity, conversationId, agentId = "a-1", text });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Id(JsonElement filed) => filed.GetProperty("feedbackId").GetString()!;

    [Fact]
    public async Task A_store_key_files_and_follows_its_own_feedback_and_never_sees_another_stores()
    {
        string a = NewStore(), b = NewStore();
        var storeA = fixture.Store(a);
        var storeB = fixture.Store(b);
        var filed = await File(storeA, a);
        var mine = Id(filed);
        Assert.Equal(fixture.Clock.GetUtcNow().AddHours(4), filed.GetProperty("dueAt").GetDateTimeOffset());
        await File(storeB, b, kind: "praise", severity: "normal");

        Assert.Equal(HttpStatusCode.Forbidden, (await storeB.GetAsync($"/api/quality/stores/{a}/feedback")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeB.GetAsync($"/api/quality/stores/{a}/feedback/{mine}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeB.PostAsJsonAsync($"/api/quality/stores/{a}/feedback", new { kind = "praise", severity = "normal", text = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeB.GetAsync($"/api/quality/stores/{a}/feedback/summary")).StatusCode);
        // Its own route with another store's feedback id: not found, not leaked.
        Assert.Equal(HttpStatusCode.NotFound, (await storeB.GetAsync($"/api/quality/stores/{b}/feedback/{mine}")).StatusCode);
        var listB = await storeB.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{b}/feedback");
        Assert.All(listB.GetProperty("items").EnumerateArray(), i => Assert.Equal(b, i.GetProperty("storeId").GetString()));
        Assert.Single(listB.GetProperty("items").EnumerateArray());

        // Triage is ops only; a store key may reopen only.
        foreach (var action in new[] { "assign", "respond", "resolve" })
            Assert.Equal(HttpStatusCode.Forbidden, (await storeA.PostAsJsonAsync($"/api/quality/stores/{a}/feedback/{mine}/{action}", new { assignee = "x", text = "x", action = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.PutAsJsonAsync($"/api/quality/stores/{a}/feedback-settings", new { criticalHours = 1, normalHours = 2 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.GetAsync("/api/quality/knowledge/tasks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.CreateClient().GetAsync($"/api/quality/stores/{a}/feedback")).StatusCode);

        var bad = await storeA.PostAsJsonAsync($"/api/quality/stores/{a}/feedback", new { kind = "rant", severity = "critical", text = "" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType!.MediaType);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("kind", out _) && errors.TryGetProperty("text", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await storeA.GetAsync($"/api/quality/stores/{a}/feedback?status=sleeping")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await storeA.GetAsync($"/api/quality/stores/{a}/feedback?cursor=garbage")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await storeA.GetAsync($"/api/quality/stores/{a}/feedback/summary?month=2026-13")).StatusCode);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_newest_first_without_gaps_or_repeats_even_at_the_same_instant()
    {
        var s = NewStore();
        var store = fixture.Store(s);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(Id(await File(store, s, kind: "process", severity: "normal", text: $"流程问题 {i}"))); // same clock time
        fixture.Clock.Now = fixture.Clock.Now.AddSeconds(1);
        var newest = Id(await File(store, s, kind: "praise", severity: "normal"));

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await store.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{s}/feedback?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("feedbackId").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        } while (cursor is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(6, seen.Distinct().Count());
        Assert.Equal(newest, seen[0]);
        Assert.Equal(ids.Order(StringComparer.Ordinal).Reverse(), seen.Skip(1));

        (await _ops.PostAsJsonAsync($"/api/quality/stores/{s}/feedback/{newest}/resolve", new { action = "谢谢" })).EnsureSuccessStatusCode();
        var resolved = await store.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{s}/feedback?status=resolved");
        Assert.Equal(newest, Assert.Single(resolved.GetProperty("items").EnumerateArray()).GetProperty("feedbackId").GetString());
        var unresolved = await store.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{s}/feedback?status=unresolved");
        Assert.Equal(5, unresolved.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Ops_triage_with_etags_the_store_sees_responses_not_internal_notes_and_reopens()
    {
        var s = NewStore();
        var store = fixture.Store(s);
        var id = Id(await File(store, s, severity: "normal"));
        var url = $"/api/quality/stores/{s}/feedback/{id}";

        var get = await _ops.GetAsync(url);
        Assert.Equal("\"1\"", get.Headers.ETag!.Tag);
        var stale = new HttpRequestMessage(HttpMethod.Post, $"{url}/assign") { Content = JsonContent.Create(new { assignee = "王经理" }) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _ops.SendAsync(stale)).StatusCode);
        var assign = new HttpRequestMessage(HttpMethod.Post, $"{url}/assign") { Content = JsonContent.Create(new { assignee = "王经理", note = "probation agent" }) };
        assign.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        var assigned = await _ops.SendAsync(assign);
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        Assert.Equal("\"2\"", assigned.Headers.ETag!.Tag);
        (await _ops.PostAsJsonAsync($"{url}/respond", new { text = "we checked the chat log" })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync($"{url}/resolve", new { action = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await store.PostAsJsonAsync($"{url}/reopen", new { reason = "not yet resolved" })).StatusCode);
        fixture.Clock.Now = fixture.Clock.Now.AddHours(2);
        (await _ops.PostAsJsonAsync($"{url}/resolve", new { action = "refunded and coached the agent", note = "second warning" })).EnsureSuccessStatusCode();

        var seen = await store.GetStringAsync(url);
        Assert.Contains("we checked the chat log", seen);
        Assert.Contains("refunded and coached the agent", seen);
        Assert.DoesNotContain("probation", seen);
        Assert.DoesNotContain("second warning", seen);
        Assert.DoesNotContain("assignee", seen);
        var opsView = await _ops.GetFromJsonAsync<JsonElement>(url);
        Assert.Equal("王经理", opsView.GetProperty("assignee").GetString());
        Assert.Equal(2, opsView.GetProperty("notes").GetArrayLength());

        fixture.Clock.Now = fixture.Clock.Now.AddHours(1);
        var reopened = await store.PostAsJsonAsync($"{url}/reopen", new { reason = "the buyer complained again" });
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
        var item = await reopened.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("assigned", item.GetProperty("status").GetString());
        Assert.Equal(fixture.Clock.GetUtcNow().AddHours(48), item.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsJsonAsync($"/api/quality/stores/{s}/feedback/fb-nope/resolve", new { action = "x" })).StatusCode);

        var summary = await store.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{s}/feedback/summary?month={FeedbackSummaries.MonthOf(fixture.Clock.GetUtcNow().AddHours(-3))}");
        Assert.Equal(1, summary.GetProperty("total").GetProperty("received").GetInt32());
        Assert.Equal(1, summary.GetProperty("byKind").GetProperty("complaint").GetProperty("received").GetInt32());
    }

    [Fact]
    public async Task A_complaint_naming_a_conversation_heads_the_qc_queue_and_a_wrong_answer_opens_a_knowledge_task()
    {
        var s = NewStore();
        var store = fixture.Store(s);
        var bus = fixture.Host.Services.GetRequiredService<IBus>();
        await bus.Publish(new Contracts.ConversationsRecorded(s,
        [
            SamplingTests.Conversation("fb-calm-1", agent: "a-31", rating: "satisfied", store: s), SamplingTests.Conversation("fb-calm-2", agent: "a-32", rating: "satisfied", store: s),
            SamplingTests.Conversation("fb-marker", agent: "a-31", rating: "unsatisfied", store: s),
        ]));
        // The conversations are in Quality (the unsatisfied one is sampled) before the store complains: ConversationFacts does not
        // serialise a complaint with a ConversationsRecorded of the same conversation committing at the same moment (see the report).
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>("/api/quality/queue?limit=500"),
            q => q.EnumerateArray().Any(i => i.GetProperty("conversationId").GetString() == "fb-marker"), what: "the conversations recorded");
        var complaint = await File(store, s, conversationId: "fb-calm-2");
        Assert.Equal(JsonValueKind.Null, complaint.GetProperty("knowledgeTaskId").ValueKind);

        var queue = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>("/api/quality/queue?limit=5"),
            q => q.GetArrayLength() > 0 && q[0].GetProperty("conversationId").GetString() == "fb-calm-2", what: "the complained-about conversation at the head");
        Assert.True(queue[0].GetProperty("priority").GetBoolean());
        Assert.Contains("feedback:complaint", queue[0].GetProperty("riskReasons").EnumerateArray().Select(r => r.GetString()));

        // Before the conversation arrives: sampled with priority when it does.
        var wrong = await store.PostAsJsonAsync($"/api/quality/stores/{s}/feedback",
            new { kind = "wrongAnswer", severity = "normal", conversationId = "fb-later", articleId = "kb-returns", text = "退货时效答错" });
        var taskId = (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("knowledgeTaskId").GetString()!;
        await bus.Publish(new Contracts.ConversationsRecorded(s, [SamplingTests.Conversation("fb-later", agent: "a-33", rating: "satisfied", store: s)]));
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>("/api/quality/queue?limit=500"),
            q => q.EnumerateArray().Any(i => i.GetProperty("conversationId").GetString() == "fb-later" && i.GetProperty("priority").GetBoolean()),
            what: "the wrong answer's conversation prioritized on arrival");

        var tasks = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/tasks?storeId={s}");
        var task = Assert.Single(tasks.EnumerateArray());
        Assert.Equal((taskId, "kb-returns", "open"), (task.GetProperty("taskId").GetString(), task.GetProperty("articleId").GetString(), task.GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsJsonAsync($"/api/quality/knowledge/tasks/{taskId}/done", new { note = "article v3" })).StatusCode);
        Assert.Empty((await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/tasks?storeId={s}")).EnumerateArray());
        Assert.Single((await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/tasks?storeId={s}&status=done")).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsJsonAsync("/api/quality/knowledge/tasks/kbt-none/done", new { })).StatusCode);
    }

    [Fact]
    public async Task Overdue_feedback_is_flagged_once_per_due_time_and_published_and_resolving_it_publishes_the_settlement()
    {
        var s = NewStore();
        var store = fixture.Store(s);
        var overdue = new ConcurrentQueue<Contracts.StoreFeedbackOverdue>();
        var settled = new ConcurrentQueue<Contracts.StoreFeedbackSettled>();
        var handle = fixture.Host.Services.GetRequiredService<IBus>().ConnectReceiveEndpoint($"quality-test-feedback-{Guid.NewGuid():N}", e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.AutoDelete = true;
            e.Handler<Contracts.StoreFeedbackOverdue>(c =>
            {
                if (c.Message.StoreId == s) overdue.Enqueue(c.Message);
                return Task.CompletedTask;
            });
            e.Handler<Contracts.StoreFeedbackSettled>(c =>
            {
                if (c.Message.StoreId == s) settled.Enqueue(c.Message);
                return Task.CompletedTask;
            });
        });
        await handle.Ready;
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync($"/api/quality/stores/{s}/feedback-settings", new { criticalHours = 2, normalHours = 24 })).StatusCode);
            var filedAt = fixture.Clock.GetUtcNow();
            var id = Id(await File(store, s));
            var url = $"/api/quality/stores/{s}/feedback/{id}";

            fixture.Clock.Now = filedAt.AddHours(2).AddSeconds(-1);
            await fixture.SweepAsync();
            Assert.False((await _ops.GetFromJsonAsync<JsonElement>(url)).GetProperty("overdue").GetBoolean());
            fixture.Clock.Now = filedAt.AddHours(2).AddSeconds(1);
            await fixture.SweepAsync();
            await fixture.SweepAsync();
            var flagged = await _ops.GetFromJsonAsync<JsonElement>(url);
            Assert.True(flagged.GetProperty("overdue").GetBoolean());
            Assert.Equal(filedAt.AddHours(2), flagged.GetProperty("flaggedDueAt").GetDateTimeOffset());
            Assert.True((await store.GetFromJsonAsync<JsonElement>(url)).GetProperty("overdue").GetBoolean());

            var message = await Eventually.Until(() => Task.FromResult(overdue.ToArray()), m => m.Length > 0, what: "StoreFeedbackOverdue published");
            Assert.Equal((id, "critical", "complaint", filedAt.AddHours(2)), (message[0].FeedbackId, message[0].Severity, message[0].Kind, message[0].DueAt));

            (await _ops.PostAsJsonAsync($"{url}/resolve", new { action = "refunded" })).EnsureSuccessStatusCode();
            var settlement = await Eventually.Until(() => Task.FromResult(settled.ToArray()), m => m.Length > 0, what: "StoreFeedbackSettled published");
            Assert.Equal(id, settlement[0].FeedbackId);
            Assert.Single(overdue);

            var summary = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{s}/feedback/summary?month={FeedbackSummaries.MonthOf(filedAt)}");
            var total = summary.GetProperty("total");
            Assert.Equal((1, 1, 0, 1), (total.GetProperty("received").GetInt32(), total.GetProperty("resolved").GetInt32(),
                total.GetProperty("resolvedInTime").GetInt32(), total.GetProperty("overdue").GetInt32()));
            Assert.True(total.GetProperty("medianHoursToResolve").GetDouble() >= 2);
        }
        finally
        {
            await handle.StopAsync();
        }
    }
}
