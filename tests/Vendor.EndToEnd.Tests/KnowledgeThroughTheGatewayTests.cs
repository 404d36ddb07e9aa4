using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>The knowledge base kept together with the stores, through the gateway with real keys: isolation, and proposal → must-read → ack.</summary>
public class KnowledgeThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    private async Task<HttpClient> StoreKey(string storeId) => platform.Client((await platform.IssueKey(Roles.Store, storeId)).Secret);

    private async Task<string> Publish(object article)
    {
        var created = await _ops.PostAsJsonAsync("/api/quality/knowledge/articles", article);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("articleId").GetString()!;
        (await _ops.PostAsync($"/api/quality/knowledge/articles/{id}/publish", null)).EnsureSuccessStatusCode();
        return id;
    }

    private static IEnumerable<string?> Ids(JsonElement list, string property) => list.EnumerateArray().Select(a => a.GetProperty(property).GetString());

    [Fact]
    public async Task A_store_key_never_sees_another_stores_articles_or_proposals()
    {
        var a = await StoreKey("e2e-kb-a");
        var b = await StoreKey("e2e-kb-b");
        var ofA = await Publish(new { storeId = "e2e-kb-a", kind = "product", title = "A 的商品", body = "a" });
        var ofB = await Publish(new { storeId = "e2e-kb-b", kind = "product", title = "B 的商品", body = "b" });
        var shared = await Publish(new { kind = "platformRule", title = "平台规则", body = "所有店铺" });

        var listed = Ids(await a.GetFromJsonAsync<JsonElement>("/api/quality/stores/e2e-kb-a/knowledge/articles"), "articleId").ToList();
        Assert.Contains(ofA, listed);
        Assert.Contains(shared, listed);
        Assert.DoesNotContain(ofB, listed);
        Assert.Equal(HttpStatusCode.NotFound, (await a.GetAsync($"/api/quality/stores/e2e-kb-a/knowledge/articles/{ofB}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync("/api/quality/stores/e2e-kb-b/knowledge/articles")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync($"/api/quality/stores/e2e-kb-b/knowledge/articles/{ofB}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync("/api/quality/stores/e2e-kb-b/quick-replies")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync($"/api/quality/knowledge/articles/{ofA}")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await a.PostAsJsonAsync("/api/quality/stores/e2e-kb-a/knowledge/proposals",
            new { articleId = ofB, title = "改", body = "改" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.PostAsJsonAsync("/api/quality/stores/e2e-kb-b/knowledge/proposals",
            new { kind = "product", title = "x", body = "y" })).StatusCode);
        var proposed = await a.PostAsJsonAsync("/api/quality/stores/e2e-kb-a/knowledge/proposals", new { articleId = ofA, title = "A 的商品", body = "a v2" });
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var proposalId = (await proposed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("proposalId").GetString();

        Assert.Contains(proposalId, Ids(await a.GetFromJsonAsync<JsonElement>("/api/quality/stores/e2e-kb-a/knowledge/proposals"), "proposalId"));
        Assert.DoesNotContain(proposalId, Ids(await b.GetFromJsonAsync<JsonElement>("/api/quality/stores/e2e-kb-b/knowledge/proposals"), "proposalId"));
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/api/quality/stores/e2e-kb-b/knowledge/proposals/{proposalId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await b.GetAsync($"/api/quality/stores/e2e-kb-a/knowledge/proposals/{proposalId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.PostAsync($"/api/quality/knowledge/proposals/{proposalId}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await a.GetAsync("/api/quality/stores/e2e-kb-a/knowledge/compliance")).StatusCode);
    }

    [Fact]
    public async Task A_proposal_accepted_and_published_becomes_a_must_read_for_the_certified_agent_who_acknowledges_it()
    {
        const string storeId = "e2e-kb-m";
        const string agentId = "e2e-kb-agent";
        // Certified the way Quality certifies: hired in Staffing, trained and examined in Quality.
        (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = "林芳", team = "kb-team", skills = new[] { "aftersales" }, hiredOn = "2026-11-01" }))
            .EnsureSuccessStatusCode();
        await Eventually.Until(() => _ops.GetAsync($"/api/quality/agents/{agentId}/training"), r => r.StatusCode == HttpStatusCode.OK, what: "training plan in Quality");
        (await _ops.PutAsJsonAsync($"/api/quality/certifications/{storeId}/aftersales",
            new { courses = new[] { "aftersales-refunds" }, exam = "onboarding-exam" })).EnsureSuccessStatusCode();
        (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/aftersales-refunds/complete", null)).EnsureSuccessStatusCode();
        (await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/training/exams/onboarding-exam", new { score = 90 })).EnsureSuccessStatusCode();

        var store = await StoreKey(storeId);
        var proposed = await store.PostAsJsonAsync($"/api/quality/stores/{storeId}/knowledge/proposals",
            new { kind = "policy", title = "双11退货政策", body = "活动期间购买的商品延长至30天无理由退货。", critical = true, tags = new[] { "双11", "退货" } });
        Assert.Equal(HttpStatusCode.Created, proposed.StatusCode);
        var proposalId = (await proposed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("proposalId").GetString();

        var accepted = await _ops.PostAsync($"/api/quality/knowledge/proposals/{proposalId}/accept", null);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var outcome = await store.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{storeId}/knowledge/proposals/{proposalId}");
        Assert.Equal("accepted", outcome.GetProperty("status").GetString());
        var articleId = outcome.GetProperty("publishedArticleId").GetString()!;
        var article = await store.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{storeId}/knowledge/articles/{articleId}");
        Assert.Equal((1, true), (article.GetProperty("version").GetInt32(), article.GetProperty("critical").GetBoolean()));

        var mustRead = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/quality/agents/{agentId}/must-read"),
            m => Ids(m.GetProperty("items"), "articleId").Contains(articleId), what: "the must-read item");
        Assert.Equal(1, mustRead.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("articleId").GetString() == articleId)
            .GetProperty("version").GetInt32());
        var before = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{storeId}/knowledge/compliance");
        Assert.Equal([agentId], Ids(before.GetProperty("articles").EnumerateArray().Single(a => a.GetProperty("articleId").GetString() == articleId)
            .GetProperty("missing"), "agentId"));

        var ack = await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/must-read/{articleId}/ack", new { version = 1 });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.DoesNotContain(articleId, Ids((await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/agents/{agentId}/must-read")).GetProperty("items"), "articleId"));
        var after = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/stores/{storeId}/knowledge/compliance");
        Assert.True(after.GetProperty("allAcknowledged").GetBoolean());
        Assert.Empty(after.GetProperty("articles").EnumerateArray().Single(a => a.GetProperty("articleId").GetString() == articleId)
            .GetProperty("missing").EnumerateArray());
    }
}
