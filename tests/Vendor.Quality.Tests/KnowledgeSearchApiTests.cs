using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.Quality.Knowledge;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

/// <summary>
/// The knowledge search through the Quality host against real PostgreSQL. Articles are indexed the way the articles API does it:
/// KnowledgeSearch.IndexAsync in a session's transaction, committed with the session.
/// </summary>
public class KnowledgeSearchApiTests(ServiceFixture<QualityApi> fixture) : IClassFixture<ServiceFixture<QualityApi>>
{
    private readonly ServiceHost<QualityApi> _host = fixture.Host;
    private readonly HttpClient _ops = fixture.Host.OpsClient();

    private static SearchDocument Article(string id, string title, string body, string? store = null, string kind = "policy", int version = 1,
        string[]? tags = null) => new(id, version, store, kind, title, body, tags ?? [], null);

    private async Task Index(params SearchDocument[] documents)
    {
        await using var session = _host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        await session.BeginTransactionAsync(CancellationToken.None);
        foreach (var d in documents) await KnowledgeSearch.IndexAsync(session, d, CancellationToken.None);
        await CommitAsync(session);
    }

    private async Task Remove(string articleId)
    {
        await using var session = _host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        await session.BeginTransactionAsync(CancellationToken.None);
        await KnowledgeSearch.RemoveAsync(session, articleId, CancellationToken.None);
        await CommitAsync(session);
    }

    /// <summary>
    /// SaveChangesAsync commits the session's transaction only when the unit of work holds a Marten change (the articles API always has
    /// its article's events); here the index rows are the only change, so a queued no-op statement stands in for them.
    /// </summary>
    private static async Task CommitAsync(IDocumentSession session)
    {
        session.QueueSqlCommand("SELECT 1");
        await session.SaveChangesAsync();
    }

    private async Task<JsonElement[]> Search(string query, HttpClient? client = null, string? path = null)
    {
        var response = await (client ?? _ops).GetAsync($"{path ?? "/api/quality/knowledge/search"}?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
    }

    private static string[] Ids(JsonElement[] items) => [.. items.Select(i => i.GetProperty("articleId").GetString()!)];

    private static string Q(string text) => Uri.EscapeDataString(text);

    [Fact]
    public async Task Chinese_words_of_two_and_three_characters_and_mixed_latin_text_are_found()
    {
        await Index(
            Article("zh-return", "退货政策", "本店支持七天无理由退货，商品需保持完好，运费由买家承担。"),
            Article("zh-refund", "钱什么时候到账", "请在订单页面申请退款，审核通过后原路返回，一般三个工作日到账。"),
            Article("zh-iphone", "Apple 售后", "iPhone 15 保修一年，人为损坏不在保修范围内。", kind: "policy"),
            Article("zh-other", "发票说明", "下单时备注发票抬头和税号，发货后开具电子发票。"));

        var noReason = await Search($"q={Q("无理由")}");
        Assert.Equal("zh-return", Ids(noReason).First());
        var hit = noReason[0];
        Assert.Equal(("退货政策", "policy", JsonValueKind.Null), (hit.GetProperty("title").GetString(), hit.GetProperty("kind").GetString(),
            hit.GetProperty("storeId").ValueKind));
        Assert.Contains("七天无理由退货", hit.GetProperty("snippet").GetString());
        Assert.True(hit.GetProperty("score").GetDouble() > 0);

        Assert.Equal(["zh-refund"], Ids(await Search($"q={Q("退款")}")));
        Assert.Equal(["zh-other"], Ids(await Search($"q={Q("发货")}")));
        Assert.Equal(["zh-iphone"], Ids(await Search($"q={Q("iPhone 15 保修")}")));
        Assert.Equal(["zh-iphone"], Ids(await Search($"q={Q("ＩＰＨＯＮＥ１５")}")));
        Assert.Equal(["zh-iphone"], Ids(await Search($"q={Q("保修")}&kind=policy")));
        Assert.Empty(await Search($"q={Q("保修")}&kind=product"));
        Assert.Empty(await Search($"q={Q("iPhone 16")}"));
    }

    [Fact]
    public async Task One_wrong_character_still_finds_the_article_ranked_below_an_exact_match()
    {
        await Index(
            Article("typo-exact", "退换须知", "收到商品后，七天内无理由退换货，请保留包装。"),
            Article("typo-near", "换货须知", "收到商品后，七天内无理由调换货，请联系客服。"),
            Article("typo-none", "发货时间", "付款后四十八小时内发货。"));

        // The article's own words with one character wrong (无里由 for 无理由) find it, with a score below any exact match.
        var typo = await Search($"q={Q("七天内无里由退换货")}");
        Assert.Equal("typo-exact", Ids(typo).First());
        Assert.DoesNotContain("typo-none", Ids(typo));

        var exact = await Search($"q={Q("七天内无理由退换货")}");
        Assert.Equal(["typo-exact", "typo-near"], Ids(exact));
        Assert.True(exact[0].GetProperty("score").GetDouble() >= 1 && exact[1].GetProperty("score").GetDouble() < 1,
            $"exact {exact[0].GetProperty("score")} must outrank one-typo {exact[1].GetProperty("score")}");
        Assert.Contains("无理由调换货", exact[1].GetProperty("snippet").GetString());
    }

    [Fact]
    public async Task A_title_match_ranks_above_a_body_match_and_the_limit_applies()
    {
        await Index(
            Article("rank-body", "常见问题", "如果需要运费险理赔，请联系客服。"),
            Article("rank-title", "运费险理赔", "理赔在确认收货后自动发起。"),
            Article("rank-tag", "售后问题", "由平台处理。", tags: ["运费险理赔"]));
        Assert.Equal(["rank-title", "rank-tag", "rank-body"], Ids(await Search($"q={Q("运费险理赔")}")));
        Assert.Equal(["rank-title"], Ids(await Search($"q={Q("运费险理赔")}&limit=1")));
        // One character: every article that has it, in a word or alone.
        Assert.Equal(3, (await Search($"q={Q("赔")}")).Length);
    }

    [Fact]
    public async Task A_store_sees_its_own_and_the_shared_articles_never_another_stores()
    {
        await Index(
            Article("iso-a", "A店尺码表", "尺码偏小，建议拍大一码。", store: "kb-iso-a"),
            Article("iso-b", "B店尺码表", "尺码标准，按平时尺码拍。", store: "kb-iso-b"),
            Article("iso-shared", "尺码通用说明", "各品牌尺码不同，以详情页为准。"));
        Assert.Equal(3, (await Search($"q={Q("尺码")}")).Length);
        Assert.Equal(["iso-a", "iso-shared"], Ids(await Search($"q={Q("尺码")}&storeId=kb-iso-a")).Order());

        var storeA = _host.ClientAs(new CallerIdentity("k-a", Roles.Store, "kb-iso-a"));
        Assert.Equal(["iso-a", "iso-shared"], Ids(await Search($"q={Q("尺码")}", storeA, "/api/quality/stores/kb-iso-a/knowledge")).Order());
        // Even naming the other store's own title, B's article never appears.
        Assert.DoesNotContain("iso-b", Ids(await Search($"q={Q("B店尺码表")}", storeA, "/api/quality/stores/kb-iso-a/knowledge")));
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.GetAsync($"/api/quality/stores/kb-iso-b/knowledge?q={Q("尺码")}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await storeA.GetAsync($"/api/quality/knowledge/search?q={Q("尺码")}")).StatusCode);
    }

    [Fact]
    public async Task A_new_version_replaces_the_old_a_late_old_one_does_not_and_a_retired_article_disappears()
    {
        await Index(Article("ver-1", "旧标题", "旧内容说明积分规则"));
        await Index(Article("ver-1", "新标题", "新内容说明会员等级", version: 2));
        await Index(Article("ver-1", "旧标题", "旧内容说明积分规则"));
        Assert.Empty(await Search($"q={Q("积分规则")}"));
        Assert.Equal("新标题", Assert.Single(await Search($"q={Q("会员等级")}")).GetProperty("title").GetString());

        await Remove("ver-1");
        Assert.Empty(await Search($"q={Q("会员等级")}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("q=")]
    [InlineData("q=%E3%80%82")]
    [InlineData("q=%E9%80%80&kind=novel")]
    [InlineData("q=%E9%80%80&limit=0")]
    [InlineData("q=%E9%80%80&limit=51")]
    public async Task Bad_input_is_a_problem(string query)
    {
        foreach (var path in new[] { "/api/quality/knowledge/search", "/api/quality/stores/kb-bad/knowledge" })
        {
            var response = await _ops.GetAsync($"{path}?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.GetAsync($"/api/quality/knowledge/search?q={new string('a', 101)}")).StatusCode);
    }

    [Theory]
    [InlineData("七天无理由退货")]
    [InlineData("iPhone15 保修，ＭａｃＢｏｏｋ Pro 14寸 ① 退")]
    [InlineData("タオル 한국어 mixed 中文 text 2026年11月 abc123def")]
    [InlineData("  ，。！？……  ")]
    public async Task The_query_tokeniser_matches_the_index_function_in_PostgreSQL(string text)
    {
        await using var connection = new NpgsqlConnection(_host.Services.GetRequiredService<IConfiguration>().ConnectionString("Postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT lexeme, pos FROM quality.knowledge_tokens($1) ORDER BY pos, lexeme", connection)
        {
            Parameters = { new() { Value = text } },
        };
        var sql = new List<(string, int)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) sql.Add((reader.GetString(0), reader.GetInt32(1)));
        var csharp = KnowledgeSearch.Tokens(text).Select(t => (t.Lexeme, t.Position)).OrderBy(t => t.Position).ThenBy(t => t.Lexeme, StringComparer.Ordinal);
        Assert.Equal(sql, csharp);
    }
}
