using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Quality.Reviews;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Tests;

/// <summary>The knowledge base through the Quality host (real PostgreSQL), as ops and as store keys, on a clock the test moves.</summary>
public class KnowledgeApiTests(QualityWorld world) : IClassFixture<QualityWorld>
{
    private readonly HttpClient _ops = world.As(Roles.Ops);

    private static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    private async Task<string> Create(object article)
    {
        var created = await _ops.PostAsJsonAsync("/api/quality/knowledge/articles", article);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Json(created)).GetProperty("articleId").GetString()!;
    }

    private async Task<string> Publish(object article)
    {
        var id = await Create(article);
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/quality/knowledge/articles/{id}/publish", null)).StatusCode);
        return id;
    }

    private static HttpRequestMessage Put(string articleId, object body, string? etag) =>
        new HttpRequestMessage(HttpMethod.Put, $"/api/quality/knowledge/articles/{articleId}")
        {
            Content = JsonContent.Create(body),
        }.WithIfMatch(etag);

    private async Task Certify(string agentId, string storeId)
    {
        await using var session = world.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.Append(AgentCertifications.StreamKey(agentId), new CertificationGranted(agentId, storeId, "presales", world.Clock.GetUtcNow()));
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task An_article_is_versioned_with_If_Match_published_and_retired_and_its_history_keeps_every_version()
    {
        var created = await _ops.PostAsJsonAsync("/api/quality/knowledge/articles",
            new { storeId = "kb-v", kind = "policy", title = "退货政策", body = "七天无理由退货。", tags = new[] { "售后" }, critical = false });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await Json(created);
        var id = body.GetProperty("articleId").GetString()!;
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.StartsWith("kb-", id);

        var invalid = await _ops.PostAsJsonAsync("/api/quality/knowledge/articles", new { kind = "faq", title = "", tags = new[] { "" } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType!.MediaType);
        Assert.True((await Json(invalid)).GetProperty("errors").TryGetProperty("kind", out _));
        var noTitle = await Json(await _ops.PostAsJsonAsync("/api/quality/knowledge/articles", new { kind = "script", body = "x" }));
        Assert.True(noTitle.GetProperty("errors").TryGetProperty("title", out _));

        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/quality/knowledge/articles/{id}/publish", null)).StatusCode);
        var get = await _ops.GetAsync($"/api/quality/knowledge/articles/{id}");
        var etag = get.Headers.ETag!.Tag;
        Assert.Equal("\"2\"", etag);

        Assert.Equal((HttpStatusCode)428, (await _ops.PutAsJsonAsync($"/api/quality/knowledge/articles/{id}", new { title = "退货政策", body = "十五天" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.SendAsync(Put(id, new { title = "退货政策", body = "十五天" }, "\"1\""))).StatusCode);
        var revised = await _ops.SendAsync(Put(id, new { title = "退货政策", body = "十五天无理由退货。", critical = true }, etag));
        Assert.Equal(HttpStatusCode.OK, revised.StatusCode);
        var article = await Json(revised);
        Assert.Equal((1, 2, "七天无理由退货。", "draft"), (article.GetProperty("publishedVersion").GetInt32(), article.GetProperty("latestVersion").GetInt32(),
            article.GetProperty("published").GetProperty("body").GetString(), article.GetProperty("latest").GetProperty("status").GetString()));
        // The same edit again on the old ETag is stale too: the first one won.
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.SendAsync(Put(id, new { title = "x", body = "y" }, etag))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.SendAsync(Put(id, new { kind = "script", title = "x", body = "y" }, revised.Headers.ETag!.Tag))).StatusCode);

        (await _ops.PostAsync($"/api/quality/knowledge/articles/{id}/publish", null)).EnsureSuccessStatusCode();
        var history = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/articles/{id}/history");
        Assert.Equal([(1, "superseded", "七天无理由退货。"), (2, "published", "十五天无理由退货。")], history.GetProperty("versions").EnumerateArray()
            .Select(v => (v.GetProperty("version").GetInt32(), v.GetProperty("status").GetString(), v.GetProperty("body").GetString())));

        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.SendAsync(Put(id, new { title = "x", body = "y" }, "\"abc\""))).StatusCode);
        var notJson = await _ops.PostAsync("/api/quality/knowledge/articles", new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        var retired = await _ops.PostAsJsonAsync($"/api/quality/knowledge/articles/{id}/retire", new { reason = "政策调整" });
        Assert.Equal("retired", (await Json(retired)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsync($"/api/quality/knowledge/articles/{id}/publish", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync($"/api/quality/stores/kb-v/knowledge/articles/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/knowledge/articles/kb-none")).StatusCode);
        // Retiring needs no body.
        var plain = await Publish(new { storeId = "kb-v", kind = "script", title = "t", body = "b" });
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/quality/knowledge/articles/{plain}/retire", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsync("/api/quality/knowledge/articles/kb-none/publish", null)).StatusCode);
        // Stores do not write articles directly: they propose.
        var store = world.As(Roles.Store, "kb-v");
        Assert.Equal(HttpStatusCode.Forbidden, (await store.PostAsJsonAsync("/api/quality/knowledge/articles", new { kind = "policy", title = "t", body = "b" })).StatusCode);
    }

    [Fact]
    public async Task A_store_reads_its_own_and_shared_articles_and_proposes_only_for_itself_and_ops_accept_or_reject()
    {
        var own = await Publish(new { storeId = "kb-a", kind = "product", title = "A 尺码表", body = "S/M/L" });
        var shared = await Publish(new { kind = "platformRule", title = "平台规则", body = "不得引导线下交易" });
        var other = await Publish(new { storeId = "kb-b", kind = "product", title = "B 商品", body = "b" });
        var draft = await Create(new { storeId = "kb-a", kind = "script", title = "未发布", body = "d" });
        var storeA = world.As(Roles.Store, "kb-a");
        var storeB = world.As(Roles.Store, "kb-b");

        var listed = await storeA.GetFromJsonAsync<JsonElement>("/api/quality/stores/kb-a/knowledge/articles");
        var ids = listed.EnumerateArray().Select(a => a.GetProperty("articleId").GetString()).ToList();
        Assert.Contains(own, ids);
        Assert.Contains(shared, ids);
        Assert.DoesNotContain(other, ids);
        Assert.DoesNotContain(draft, ids);
        Assert.Equal(HttpStatusCode.OK, (await storeA.GetAsync($"/api/quality/stores/kb-a/knowledge/articles/{shared}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await storeA.GetAsync($"/api/quality/stores/kb-a/knowledge/articles/{other}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.GetAsync($"/api/quality/stores/kb-b/knowledge/articles/{other}")).StatusCode);

        // Proposals: not for another store's article, not for another store, not a shared one.
        Assert.Equal(HttpStatusCode.NotFound, (await storeA.PostAsJsonAsync("/api/quality/stores/kb-a/knowledge/proposals",
            new { articleId = other, title = "x", body = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.PostAsJsonAsync("/api/quality/stores/kb-b/knowledge/proposals",
            new { kind = "product", title = "x", body = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await storeA.PostAsJsonAsync("/api/quality/stores/kb-a/knowledge/proposals",
            new { articleId = shared, title = "x", body = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await storeA.PostAsJsonAsync("/api/quality/stores/kb-a/knowledge/proposals",
            new { articleId = draft, title = "x", body = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await storeA.PostAsJsonAsync("/api/quality/stores/kb-a/knowledge/proposals",
            new { kind = "case", title = "x", body = "y" })).StatusCode);

        var change = await storeA.PostAsJsonAsync("/api/quality/stores/kb-a/knowledge/proposals",
            new { articleId = own, title = "A 尺码表", body = "S/M/L/XL（新增XL）", tags = new[] { "尺码" } });
        Assert.Equal(HttpStatusCode.Created, change.StatusCode);
        var changeId = (await Json(change)).GetProperty("proposalId").GetString()!;
        var fresh = await Json(await storeA.PostAsJsonAsync("/api/quality/stores/kb-a/knowledge/proposals",
            new { kind = "quickReply", title = "催付", body = "亲，您的订单还没付款哦", shortcut = "/催付" }));
        var freshId = fresh.GetProperty("proposalId").GetString()!;
        Assert.Equal("pending", fresh.GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await storeB.GetAsync($"/api/quality/stores/kb-b/knowledge/proposals/{changeId}")).StatusCode);
        Assert.Empty((await storeB.GetFromJsonAsync<JsonElement>("/api/quality/stores/kb-b/knowledge/proposals")).EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.PostAsync($"/api/quality/knowledge/proposals/{changeId}/accept", null)).StatusCode);

        var accepted = await Json(await _ops.PostAsync($"/api/quality/knowledge/proposals/{changeId}/accept", null));
        Assert.Equal(("accepted", own, 2), (accepted.GetProperty("status").GetString(), accepted.GetProperty("publishedArticleId").GetString(),
            accepted.GetProperty("publishedVersion").GetInt32()));
        var updated = await storeA.GetFromJsonAsync<JsonElement>($"/api/quality/stores/kb-a/knowledge/articles/{own}");
        Assert.Equal((2, "S/M/L/XL（新增XL）"), (updated.GetProperty("version").GetInt32(), updated.GetProperty("body").GetString()));
        var credited = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/articles/{own}");
        Assert.Equal(changeId, credited.GetProperty("published").GetProperty("proposalId").GetString());
        // Accepting twice changes nothing.
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/quality/knowledge/proposals/{changeId}/accept", null)).StatusCode);
        Assert.Equal(2, (await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/articles/{own}")).GetProperty("latestVersion").GetInt32());

        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync($"/api/quality/knowledge/proposals/{freshId}/reject", new { reason = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsJsonAsync($"/api/quality/knowledge/proposals/{freshId}/reject", new { reason = "话术需更礼貌" })).StatusCode);
        var outcome = await storeA.GetFromJsonAsync<JsonElement>($"/api/quality/stores/kb-a/knowledge/proposals/{freshId}");
        Assert.Equal(("rejected", "话术需更礼貌"), (outcome.GetProperty("status").GetString(), outcome.GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsync($"/api/quality/knowledge/proposals/{freshId}/accept", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsync("/api/quality/knowledge/proposals/kp-none/accept", null)).StatusCode);
    }

    [Fact]
    public async Task Quick_replies_are_listed_per_store_with_the_shared_ones_and_a_shortcut_is_unique_where_it_is_listed()
    {
        await Publish(new { storeId = "kb-q", kind = "quickReply", title = "发货", body = "亲，48小时内发货", shortcut = "/发货" });
        await Publish(new { kind = "quickReply", title = "问候", body = "亲，在的，请问有什么可以帮您？", shortcut = "/hi" });
        await Publish(new { storeId = "kb-q2", kind = "quickReply", title = "发货", body = "当天发", shortcut = "/发货" });
        await Publish(new { storeId = "kb-q", kind = "script", title = "not a reply", body = "x" });

        var replies = await world.As(Roles.Store, "kb-q").GetFromJsonAsync<JsonElement>("/api/quality/stores/kb-q/quick-replies");
        var mine = replies.EnumerateArray().Where(r => r.GetProperty("shortcut").GetString() is "/发货" or "/hi").ToList();
        Assert.Equal([("/hi", true), ("/发货", false)], mine.Select(r => (r.GetProperty("shortcut").GetString(), r.GetProperty("shared").GetBoolean())));
        Assert.Equal("亲，48小时内发货", mine[1].GetProperty("body").GetString());
        Assert.DoesNotContain(replies.EnumerateArray(), r => r.GetProperty("body").GetString() == "当天发");

        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsJsonAsync("/api/quality/knowledge/articles",
            new { storeId = "kb-q", kind = "quickReply", title = "t", body = "b", shortcut = "/hi" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync("/api/quality/knowledge/articles",
            new { storeId = "kb-q", kind = "quickReply", title = "t", body = "b" })).StatusCode);
    }

    [Fact]
    public async Task A_critical_article_is_a_must_read_for_agents_certified_for_its_store_until_they_acknowledge_the_current_version()
    {
        await Certify("kb-m1", "kb-m");
        await Certify("kb-m2", "kb-m");
        await Certify("kb-x1", "kb-x");
        var published = world.Clock.GetUtcNow();
        var id = await Publish(new { storeId = "kb-m", kind = "policy", title = "双11活动规则", body = "11月1日至11日满300减50", critical = true });

        var mustRead = await _ops.GetFromJsonAsync<JsonElement>("/api/quality/agents/kb-m1/must-read");
        var item = Assert.Single(mustRead.GetProperty("items").EnumerateArray(), i => i.GetProperty("articleId").GetString() == id);
        Assert.Equal(1, item.GetProperty("version").GetInt32());
        Assert.DoesNotContain((await _ops.GetFromJsonAsync<JsonElement>("/api/quality/agents/kb-x1/must-read")).GetProperty("items").EnumerateArray(),
            i => i.GetProperty("articleId").GetString() == id);
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsJsonAsync($"/api/quality/agents/kb-x1/must-read/{id}/ack", new { })).StatusCode);

        world.Clock.Now = published.AddHours(3);
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsJsonAsync($"/api/quality/agents/kb-m1/must-read/{id}/ack", new { version = 7 })).StatusCode);
        var ack = await _ops.PostAsJsonAsync($"/api/quality/agents/kb-m1/must-read/{id}/ack", new { version = 1 });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Equal(1, (await Json(ack)).GetProperty("version").GetInt32());
        Assert.DoesNotContain((await _ops.GetFromJsonAsync<JsonElement>("/api/quality/agents/kb-m1/must-read")).GetProperty("items").EnumerateArray(),
            i => i.GetProperty("articleId").GetString() == id);

        var compliance = await _ops.GetFromJsonAsync<JsonElement>("/api/quality/stores/kb-m/knowledge/compliance");
        var article = Assert.Single(compliance.GetProperty("articles").EnumerateArray(), a => a.GetProperty("articleId").GetString() == id);
        var missing = Assert.Single(article.GetProperty("missing").EnumerateArray());
        Assert.Equal(("kb-m2", 3.0), (missing.GetProperty("agentId").GetString(), missing.GetProperty("hoursOutstanding").GetDouble()));
        Assert.Equal((2, 1), (article.GetProperty("certifiedAgents").GetInt32(), article.GetProperty("acknowledged").GetInt32()));
        Assert.Equal(HttpStatusCode.Forbidden, (await world.As(Roles.Store, "kb-m").GetAsync("/api/quality/stores/kb-m/knowledge/compliance")).StatusCode);

        // A new version is owed again, by everyone.
        var etag = (await _ops.GetAsync($"/api/quality/knowledge/articles/{id}")).Headers.ETag!.Tag;
        (await _ops.SendAsync(Put(id, new { title = "双11活动规则", body = "满300减60", critical = true }, etag))).EnsureSuccessStatusCode();
        (await _ops.PostAsync($"/api/quality/knowledge/articles/{id}/publish", null)).EnsureSuccessStatusCode();
        var again = Assert.Single((await _ops.GetFromJsonAsync<JsonElement>("/api/quality/agents/kb-m1/must-read")).GetProperty("items").EnumerateArray(),
            i => i.GetProperty("articleId").GetString() == id);
        Assert.Equal((2, 1), (again.GetProperty("version").GetInt32(), again.GetProperty("acknowledgedVersion").GetInt32()));
    }

    [Fact]
    public async Task A_QC_review_becomes_a_masked_teaching_case_of_its_store_linked_to_courses()
    {
        await using (var session = world.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Events.StartStream<QcReview>(QcReview.StreamKey("qc-case-1"), new ReviewCompleted("qc-case-1", "kb-c", "c-1", "a-1",
                new DateOnly(2026, 12, 30), "i-1", "default", 1, [], ["false-promise"], 0, true, "承诺当天发货", world.Clock.GetUtcNow()));
            await session.SaveChangesAsync();
        }
        var command = new
        {
            title = "案例：对刘女士的错误承诺",
            body = "买家：收件人：王建国，电话13912345678，地址北京市朝阳区建国路88号SOHO现代城5号楼1802室，订单号：3345678901234567890\n客服：今天一定发！",
            courseCodes = new[] { "aftersales-refunds", "service-scripts" },
        };
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsJsonAsync("/api/quality/reviews/qc-none/case", command)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync("/api/quality/reviews/qc-case-1/case", new { title = "t", body = "b", courseCodes = new[] { "nope" } })).StatusCode);

        var created = await _ops.PostAsJsonAsync("/api/quality/reviews/qc-case-1/case", command);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await Json(created)).GetProperty("articleId").GetString()!;
        var article = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/articles/{id}");
        var text = article.GetProperty("latest").GetProperty("title").GetString() + article.GetProperty("latest").GetProperty("body").GetString();
        foreach (var pii in new[] { "刘女士", "王建国", "13912345678", "朝阳区", "建国路88号", "1802室", "3345678901234567890" }) Assert.DoesNotContain(pii, text);
        Assert.Equal(("case", "kb-c", "qc-case-1"), (article.GetProperty("kind").GetString(), article.GetProperty("storeId").GetString(),
            article.GetProperty("sourceReviewId").GetString()));
        Assert.Equal(["aftersales-refunds", "service-scripts"], article.GetProperty("courseCodes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsJsonAsync("/api/quality/reviews/qc-case-1/case", command)).StatusCode);
    }
}

internal static class IfMatchRequests
{
    public static HttpRequestMessage WithIfMatch(this HttpRequestMessage request, string? etag)
    {
        if (etag is not null) request.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        return request;
    }
}
