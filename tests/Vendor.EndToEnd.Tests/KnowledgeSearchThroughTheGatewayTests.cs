using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Vendor.Quality.Knowledge;
using Vendor.ServiceDefaults;

namespace Vendor.EndToEnd.Tests;

/// <summary>
/// The knowledge search through the gateway with real keys: Chinese queries, and a store key that sees its own and the shared
/// articles, never another store's (neither in its results nor by calling the other store's route).
/// </summary>
public class KnowledgeSearchThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    /// <summary>Indexes as the articles API does (IndexAsync in a session's transaction), over the platform's shared database.</summary>
    private async Task Index(params SearchDocument[] documents)
    {
        using var store = DocumentStore.For(platform.Settings["ConnectionStrings:Postgres"]!);
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(CancellationToken.None);
        foreach (var d in documents) await KnowledgeSearch.IndexAsync(session, d, CancellationToken.None);
        // SaveChangesAsync commits only a unit of work with a Marten change; the articles API has its events, this test a no-op.
        session.QueueSqlCommand("SELECT 1");
        await session.SaveChangesAsync();
    }

    private async Task Onboard(string storeId) =>
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId, name = storeId, platform = "tmall", serviceHours = new[] { new { start = "08:00", end = "00:00" } } })).StatusCode);

    private static async Task<string[]> Ids(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("articleId").GetString()!).Order(StringComparer.Ordinal)];
    }

    private static string Q(string text) => Uri.EscapeDataString(text);

    [Fact]
    public async Task A_store_key_finds_its_own_and_shared_articles_in_Chinese_and_never_another_stores()
    {
        const string mine = "e2e-kb-mine", theirs = "e2e-kb-theirs";
        await Onboard(mine);
        await Onboard(theirs);
        await Index(
            new SearchDocument("e2e-kb-1", 1, mine, "policy", "退货政策", "本店支持七天无理由退货，请保持商品完好。", ["售后"], null),
            new SearchDocument("e2e-kb-2", 1, theirs, "policy", "退货政策（他店）", "支持七天无理由退货，退款三日到账。", ["售后"], null),
            new SearchDocument("e2e-kb-3", 1, null, "product", "退款多久到账", "申请退款后，一般三个工作日原路退回。", [], null),
            new SearchDocument("e2e-kb-4", 1, mine, "product", "iPhone 15 保修", "iPhone 15 保修一年，电池保修半年。", [], null));
        var storeKey = platform.Client((await platform.IssueKey(Roles.Store, mine)).Secret);
        var own = $"/api/quality/stores/{mine}/knowledge";

        Assert.Equal(["e2e-kb-1"], await Ids(storeKey, $"{own}?q={Q("无理由")}"));
        Assert.Equal(["e2e-kb-3"], await Ids(storeKey, $"{own}?q={Q("退款")}"));
        Assert.Equal(["e2e-kb-4"], await Ids(storeKey, $"{own}?q={Q("iPhone 15 保修")}"));
        Assert.Equal(["e2e-kb-1"], await Ids(storeKey, $"{own}?q={Q("七天无里由退货")}"));
        Assert.Equal(["e2e-kb-1"], await Ids(storeKey, $"{own}?q={Q("退")}&kind=policy&limit=50"));
        Assert.DoesNotContain("e2e-kb-2", await Ids(storeKey, $"{own}?q={Q("退货政策（他店）")}"));

        // The other store's route and the ops-wide search are refused to a store key, at the gateway.
        Assert.Equal(HttpStatusCode.Forbidden, (await storeKey.GetAsync($"/api/quality/stores/{theirs}/knowledge?q={Q("退货")}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeKey.GetAsync($"/api/quality/knowledge/search?q={Q("退货")}")).StatusCode);
        // Ops see every store's through the ops route, and one store's plus the shared with storeId.
        Assert.Equal(["e2e-kb-1", "e2e-kb-2"], await Ids(_ops, $"/api/quality/knowledge/search?q={Q("无理由")}"));
        Assert.Equal(["e2e-kb-2", "e2e-kb-3"], await Ids(_ops, $"/api/quality/knowledge/search?q={Q("退款")}&storeId={theirs}"));
        Assert.Equal(HttpStatusCode.BadRequest, (await storeKey.GetAsync($"{own}?q=")).StatusCode);
    }

    [Fact]
    public async Task An_article_published_through_the_api_is_found_by_its_store_and_gone_once_retired()
    {
        const string storeId = "e2e-kb-api", other = "e2e-kb-api-other";
        await Onboard(storeId);
        await Onboard(other);
        var created = await _ops.PostAsJsonAsync("/api/quality/knowledge/articles", new
        {
            storeId, kind = "policy", title = "退换货说明", body = "本店支持七天无理由退货，赠品需一并退回。", tags = new[] { "退货" }, critical = false,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var articleId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("articleId").GetString()!;
        var mine = platform.Client((await platform.IssueKey(Roles.Store, storeId)).Secret);
        var theirs = platform.Client((await platform.IssueKey(Roles.Store, other)).Secret);
        Assert.Empty(await Ids(mine, $"/api/quality/stores/{storeId}/knowledge?q={Q("无理由")}")); // a draft is not searchable

        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/quality/knowledge/articles/{articleId}/publish", null)).StatusCode);
        Assert.Equal([articleId], await Ids(mine, $"/api/quality/stores/{storeId}/knowledge?q={Q("无理由")}"));
        Assert.Empty(await Ids(theirs, $"/api/quality/stores/{other}/knowledge?q={Q("无理由")}"));

        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsJsonAsync($"/api/quality/knowledge/articles/{articleId}/retire", new { reason = "policy changed" })).StatusCode);
        Assert.Empty(await Ids(mine, $"/api/quality/stores/{storeId}/knowledge?q={Q("无理由")}"));
    }
}
