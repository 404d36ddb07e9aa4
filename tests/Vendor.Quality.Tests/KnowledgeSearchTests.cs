using Vendor.Quality.Knowledge;

namespace Vendor.Quality.Tests;

/// <summary>The search's pure parts: tokeniser, query builder, snippet and request validation.</summary>
public class KnowledgeSearchTests
{
    private static string[] Lexemes(string text) => [.. KnowledgeSearch.Tokens(text).Select(t => t.Lexeme)];

    [Fact]
    public void Chinese_runs_become_overlapping_bigrams_and_their_last_character()
    {
        Assert.Equal(["七天", "天无", "无理", "理由", "由退", "退货", "货"], Lexemes("七天无理由退货"));
        Assert.Equal(["退款", "款"], Lexemes("退款"));
        Assert.Equal(["退"], Lexemes("退"));
    }

    [Fact]
    public void Latin_words_and_numbers_are_lower_cased_and_split_from_each_other_and_from_CJK()
    {
        Assert.Equal(["iphone", "15", "保修", "修"], Lexemes("iPhone15保修"));
        Assert.Equal(["iphone", "15", "保修", "修"], Lexemes("iPhone 15 保修"));
        // Full-width letters and digits (common in Chinese input methods) are the same words.
        Assert.Equal(["iphone", "15"], Lexemes("ｉＰｈｏｎｅ１５"));
        Assert.Empty(Lexemes("，。！？ —— 😀"));
    }

    [Fact]
    public void Positions_leave_a_gap_between_runs_so_a_phrase_never_spans_two_of_them()
    {
        var tokens = KnowledgeSearch.Tokens("退款，发货 ok");
        Assert.Equal([("退款", 1), ("款", 2), ("发货", 4), ("货", 5), ("ok", 7)], tokens.Select(t => (t.Lexeme, t.Position)));
    }

    [Fact]
    public void A_very_long_latin_run_is_cut_into_64_character_words()
    {
        var tokens = Lexemes(new string('a', 150));
        Assert.Equal([64, 64, 22], tokens.Select(t => t.Length));
    }

    [Fact]
    public void The_exact_query_is_each_run_as_a_phrase_and_a_lone_character_as_a_prefix()
    {
        var q = KnowledgeSearch.Build("无理由")!;
        Assert.Equal("('无理' <-> '理由')", q.Exact);
        Assert.Null(q.OneTypo);
        Assert.Equal("'退款'", KnowledgeSearch.Build("退款")!.Exact);
        Assert.Equal("'退':*", KnowledgeSearch.Build("退")!.Exact);
        Assert.Equal("'iphone' & '15' & '保修'", KnowledgeSearch.Build("iPhone 15 保修")!.Exact);
        Assert.Null(KnowledgeSearch.Build("？！"));
    }

    [Fact]
    public void One_wrong_character_anywhere_in_five_or_more_leaves_a_phrase_with_a_gap()
    {
        // 七天无理由退货 with 理 wrong (无里由): the intact bigrams on either side, three positions apart.
        var alternatives = KnowledgeSearch.OneTypoAlternatives("七天无里由退货").ToList();
        Assert.Equal(7, alternatives.Count);
        Assert.Contains("'七天' <-> '天无' <3> '由退' <-> '退货'", alternatives);
        Assert.Contains("'七天' <-> '天无' <-> '无里' <-> '里由' <-> '由退'", alternatives); // the last character wrong
        // Four characters: only either end (a wrong middle character leaves a single bigram, too loose to trust).
        Assert.Equal(["'理由' <-> '由退'", "'无理' <-> '理由'"], KnowledgeSearch.OneTypoAlternatives("无理由退"));
        Assert.Empty(KnowledgeSearch.OneTypoAlternatives("无理由"));
        Assert.Empty(KnowledgeSearch.OneTypoAlternatives(new string('退', 33)));
    }

    [Fact]
    public void The_one_typo_query_keeps_latin_words_exact_and_the_rank_query_is_every_bigram()
    {
        var q = KnowledgeSearch.Build("iPhone 七天无里由退货")!;
        Assert.StartsWith("'iphone' & ('七天' <-> '天无' <-> '无里'", q.OneTypo);
        Assert.Equal("'iphone' | '七天' | '天无' | '无里' | '里由' | '由退' | '退货'", q.Rank);
        Assert.Equal(["iphone", "七天无里由退货"], q.Needles);
        // The index is asked for either intact half (cheap); the precise alternatives are checked on those rows only.
        Assert.Equal("'iphone' & ('七天' <-> '天无' | '里由' <-> '由退' <-> '退货')", q.OneTypoCandidates);
    }

    [Fact]
    public void One_wrong_character_always_leaves_one_half_of_the_run_intact()
    {
        foreach (var written in new[] { "无理由退", "七天无理由", "七天无理由退货", "订单付款后四十八小时内发货" })
            for (var p = 0; p < written.Length; p++)
            {
                // The user's query has character p wrong; the article has the words as written. One of the query's halves is in the article.
                var query = written[..p] + "错" + written[(p + 1)..];
                var k = query.Length / 2;
                Assert.True(written.Contains(query[..k]) || written.Contains(query[k..]), $"{written} with character {p} wrong");
            }
        Assert.Equal("('无理' | '由退')", KnowledgeSearch.Halves("无理由退"));
        Assert.Equal("('七天' <-> '天无' | '理由' <-> '由退' <-> '退货')", KnowledgeSearch.Halves("七天无理由退货"));
    }

    [Fact]
    public void The_snippet_is_a_window_around_the_first_hit()
    {
        var body = new string('甲', 100) + "支持七天无理由退货，运费由买家承担。" + new string('乙', 100);
        var snippet = KnowledgeSearch.Snippet(body, ["无理由"]);
        Assert.Contains("七天无理由退货", snippet);
        Assert.StartsWith("…", snippet);
        Assert.EndsWith("…", snippet);
        Assert.Equal(62, snippet.Length);
        // A one-typo query shows where a piece of it was found; no hit at all: the start.
        Assert.Contains("无理由", KnowledgeSearch.Snippet(body, ["无里由退货"]));
        Assert.StartsWith("甲甲", KnowledgeSearch.Snippet(body, ["保修"]));
        Assert.Equal("短文 申请退款", KnowledgeSearch.Snippet("短文\n  申请退款", ["退款"]));
    }

    [Theory]
    [InlineData("", null, null, "q")]
    [InlineData("   ", null, null, "q")]
    [InlineData("？！", null, null, "q")]
    [InlineData("退款", "novel", null, "kind")]
    [InlineData("退款", null, 0, "limit")]
    [InlineData("退款", null, 51, "limit")]
    public void Bad_requests_name_the_field(string q, string? kind, int? limit, string field) =>
        Assert.Equal([field], SearchModule.Validate(q, kind, limit).Keys);

    [Fact]
    public void A_query_longer_than_100_characters_is_refused_and_a_normal_one_accepted()
    {
        Assert.Equal(["q"], SearchModule.Validate(new string('退', 101), null, null).Keys);
        Assert.Empty(SearchModule.Validate("退款", "policy", 50));
    }
}

public class SearchAdmissionTests
{
    [Fact]
    public async Task No_more_searches_run_at_once_than_allowed_and_the_rest_wait_their_turn()
    {
        await using var database = new KnowledgeSearchDatabase(Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Database=unused"), concurrency: 2);
        var running = 0;
        var most = 0;
        var gate = new TaskCompletionSource();
        var searches = Enumerable.Range(0, 6).Select(i => database.InTurnAsync(async () =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            await gate.Task;
            Interlocked.Decrement(ref running);
            return i;
        }, CancellationToken.None)).ToList();

        await Vendor.Testing.Eventually.Until(() => Task.FromResult(Volatile.Read(ref running)), n => n == 2, what: "two searches running");
        Assert.Equal(2, Volatile.Read(ref running)); // the other four wait
        gate.SetResult();
        var results = await Task.WhenAll(searches);
        Assert.Equal([0, 1, 2, 3, 4, 5], results);
        Assert.Equal(2, most);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
