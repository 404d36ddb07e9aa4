using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// Knowledge-base search: 100,000 generated Chinese articles (~500 characters) in Quality's index, searched by 20 concurrent clients
/// through the gateway with a fixed mix of 2-character words, 3–5-character words, Latin+CJK text and one-wrong-character queries.
/// Baseline in the same run: the same queries as a plain <c>ILIKE '%…%'</c> scan of the same rows, on PostgreSQL directly, at the same
/// concurrency (no HTTP, no ranking: the cheapest thing a search without an index could do).
/// </summary>
static class KnowledgeBench
{
    private const int Articles = 100_000;
    private const string Prefix = "bench-kb-";

    public static async Task<int> Run(Options o)
    {
        // This bench's own defaults (20 clients, 20 s); --clients / --seconds still override them.
        var given = Environment.GetCommandLineArgs();
        var clients = given.Contains("--clients") ? o.Clients : 20;
        var seconds = given.Contains("--seconds") ? o.Seconds : 20;
        var schema = Arg(given, "--schema") ?? "quality";
        var table = $"{schema}.knowledge_search";

        await using (var db = new NpgsqlConnection(o.Postgres))
        {
            await db.OpenAsync();
            if (await Scalar<bool>(db, $"SELECT to_regclass('{table}') IS NULL"))
            {
                Console.Error.WriteLine($"knowledge: {table} does not exist (Quality creates it at startup)");
                return 1;
            }
            var held = await Scalar<long>(db, $"SELECT count(*) FROM {table} WHERE article_id LIKE '{Prefix}%'");
            if (held < Articles) await Seed(o.Postgres, table, held);
            Console.WriteLine($"knowledge: {await Scalar<long>(db, $"SELECT count(*) FROM {table}"):N0} articles indexed " +
                              $"({await Scalar<string>(db, $"SELECT pg_size_pretty(pg_total_relation_size('{table}'))")} with the GIN indexes)");
        }
        if (given.Contains("--seed-only")) return 0;

        var ops = Http.Client(o.Gateway, o.OpsKey);
        foreach (var (_, q) in Queries)
        {
            var found = (await ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/search?q={Uri.EscapeDataString(q)}")).GetProperty("items").GetArrayLength();
            if (found == 0) Console.Error.WriteLine($"knowledge: no hit for {q}");
        }
        Console.WriteLine($"knowledge search: {clients} clients for {seconds} s after a 5 s warm-up; query mix {string.Join(" ", Queries.Select(x => x.Q))}");
        var search = await Measure(clients, seconds, async q =>
        {
            using var response = await ops.GetAsync($"/api/quality/knowledge/search?q={Uri.EscapeDataString(q)}&limit=10");
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
        });

        await using var pool = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(o.Postgres) { MaxPoolSize = clients + 2 }.ConnectionString);
        var baseline = await Measure(clients, seconds, async q =>
        {
            await using var command = pool.CreateCommand($"SELECT article_id, title FROM {table} WHERE title ILIKE $1 OR body ILIKE $1 LIMIT 10");
            command.Parameters.Add(new NpgsqlParameter { Value = $"%{q}%" });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) { }
        });

        Print("search through the gateway (GIN bigram index, ranked)", search);
        Print("baseline, ILIKE '%q%' LIMIT 10 on PostgreSQL directly", baseline);
        Console.WriteLine($"RATIO p99 search/baseline = {search.All.P99 / baseline.All.P99:F3}, p50 = {search.All.P50 / baseline.All.P50:F3}   (target: search p99 < 50 ms)");
        return 0;
    }

    /// <summary>The query mix, each with its class (printed separately so a 2-character word can be compared with a longer one).</summary>
    private static readonly (string Class, string Q)[] Queries =
    [
        ("2-char", "退款"), ("2-char", "发货"), ("2-char", "保修"), ("2-char", "发票"),
        ("3-5-char", "无理由"), ("3-5-char", "运费险"), ("3-5-char", "七天无理由"), ("3-5-char", "退款流程"),
        ("latin+cjk", "iPhone 15 保修"), ("latin+cjk", "AirPods 退货"), ("latin+cjk", "小米14 发票"), ("latin+cjk", "MateBook 以旧换新"),
        ("one-typo", "七天无里由退货"), ("one-typo", "质量问题包油退换"), ("one-typo", "订单付款后四十八小时内发伙"), ("one-typo", "请提供开箱视屏"),
    ];

    private sealed record Figures(double P50, double P99, int Count);
    private sealed record Result(Figures All, IReadOnlyDictionary<string, Figures> ByClass, double PerSecond);

    private static async Task<Result> Measure(int clients, int seconds, Func<string, Task> call)
    {
        var latencies = new List<(string Class, double Ms)>();
        var measuring = false;
        var clock = Stopwatch.StartNew();
        var warmUp = TimeSpan.FromSeconds(5);
        var end = warmUp + TimeSpan.FromSeconds(seconds);
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (clock.Elapsed < end)
            {
                var (cls, q) = Queries[Interlocked.Increment(ref next) % Queries.Length];
                var started = Stopwatch.GetTimestamp();
                await call(q);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!measuring && clock.Elapsed >= warmUp) measuring = true;
                if (measuring) lock (latencies) latencies.Add((cls, ms));
            }
        }));
        Figures Of(IEnumerable<double> ms)
        {
            var sorted = ms.Order().ToList();
            return new Figures(Http.Percentile(sorted, 0.5), Http.Percentile(sorted, 0.99), sorted.Count);
        }
        return new Result(Of(latencies.Select(l => l.Ms)),
            latencies.GroupBy(l => l.Class).ToDictionary(g => g.Key, g => Of(g.Select(l => l.Ms))), latencies.Count / (double)seconds);
    }

    private static void Print(string what, Result r)
    {
        Console.WriteLine($"{what}: p50 {r.All.P50:F1} ms, p99 {r.All.P99:F1} ms, {r.PerSecond:N0} queries/s");
        foreach (var (cls, f) in r.ByClass.OrderBy(c => c.Key, StringComparer.Ordinal))
            Console.WriteLine($"    {cls,-10} p50 {f.P50,6:F1} ms  p99 {f.P99,6:F1} ms  ({f.Count:N0} queries)");
    }

    /// <summary>
    /// The articles go in as raw text with COPY; PostgreSQL computes their tsvectors with the same generated columns (and SQL tokeniser)
    /// the service writes through, so the bench searches exactly the index the service builds. Two streams: the tokeniser is CPU-bound.
    /// </summary>
    private static async Task Seed(string postgres, string table, long held)
    {
        Console.WriteLine($"knowledge: seeding {Articles:N0} generated Chinese articles into {table} (has {held:N0}; once per database)...");
        var clock = Stopwatch.StartNew();
        await using (var db = new NpgsqlConnection(postgres))
        {
            await db.OpenAsync();
            await using var clear = new NpgsqlCommand($"DELETE FROM {table} WHERE article_id LIKE '{Prefix}%'", db);
            await clear.ExecuteNonQueryAsync();
        }
        const int streams = 2;
        await Task.WhenAll(Enumerable.Range(0, streams).Select(async s =>
        {
            await using var db = new NpgsqlConnection(postgres);
            await db.OpenAsync();
            await using var import = await db.BeginBinaryImportAsync(
                $"COPY {table} (article_id, version, store_id, kind, title, tags, shortcut, body) FROM STDIN (FORMAT BINARY)");
            for (var i = s; i < Articles; i += streams)
            {
                var a = ArticleText.Generate(i);
                await import.StartRowAsync();
                await import.WriteAsync($"{Prefix}{i:D6}", NpgsqlDbType.Text);
                await import.WriteAsync(1, NpgsqlDbType.Integer);
                if (a.StoreId is null) await import.WriteNullAsync(); else await import.WriteAsync(a.StoreId, NpgsqlDbType.Text);
                await import.WriteAsync(a.Kind, NpgsqlDbType.Text);
                await import.WriteAsync(a.Title, NpgsqlDbType.Text);
                await import.WriteAsync(a.Tags, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await import.WriteNullAsync();
                await import.WriteAsync(a.Body, NpgsqlDbType.Text);
            }
            await import.CompleteAsync();
        }));
        await using (var db = new NpgsqlConnection(postgres))
        {
            await db.OpenAsync();
            await using var analyze = new NpgsqlCommand($"VACUUM ANALYZE {table}", db) { CommandTimeout = 600 };
            await analyze.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"knowledge: seeded in {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static async Task<T> Scalar<T>(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>Deterministic e-commerce help articles: after-sales policies, shipping, invoices, product care, in realistic phrases.</summary>
static class ArticleText
{
    public sealed record Generated(string? StoreId, string Kind, string Title, string[] Tags, string Body);

    private static readonly string[] Kinds = ["faq", "policy", "product", "script", "quick-reply"];
    private static readonly string[] Products =
    [
        "iPhone 15", "iPhone 15 Pro", "AirPods Pro", "MacBook Air", "小米14", "Redmi K70", "华为 Mate 60", "MateBook 14", "戴森 V12 吸尘器",
        "美的空调", "格力 KFR-35", "海尔冰箱 BCD-470", "九阳豆浆机", "罗技 MX Master 3S", "索尼 WH-1000XM5", "任天堂 Switch", "李宁跑鞋",
        "优衣库羽绒服", "三只松鼠坚果礼盒", "雅诗兰黛小棕瓶",
    ];
    private static readonly string[] Topics = ["退款", "退货", "换货", "发货", "物流", "保修", "发票", "优惠券", "价保", "安装", "会员积分", "运费险"];
    private static readonly string[] Sentences =
    [
        "本店支持七天无理由退货，商品需保持完好、配件齐全、不影响二次销售。",
        "买家申请退款后，商家将在四十八小时内处理，审核通过后款项原路退回。",
        "订单付款后四十八小时内发货，节假日顺延，预售商品以详情页说明为准。",
        "{p}享受全国联保，保修期内非人为损坏可免费维修，请保留购买凭证。",
        "如需开具发票，请在下单时备注发票抬头和税号，发货后开具电子发票。",
        "质量问题包邮退换，非质量问题退货的运费由买家承担，已购运费险的可理赔。",
        "签收时请当面检查外包装，如有破损请拒收并联系客服处理。",
        "退款一般在一到三个工作日到账，具体以银行或支付平台为准。",
        "{p}激活后不支持七天无理由退货，如有故障请联系官方售后检测。",
        "活动期间下单享受价格保护，降价后七天内可申请补差价。",
        "优惠券不可叠加使用，退款后已使用的优惠券不予退还。",
        "大件商品提供送货上门和免费安装服务，安装前请勿自行拆机。",
        "换货请在订单详情页提交申请，客服审核后会提供寄回地址。",
        "{p}的包装盒、说明书和赠品请一并寄回，缺少配件将影响退款金额。",
        "请提供开箱视频和商品照片，以便我们尽快为您核实问题。",
        "会员积分可在下单时抵扣现金，一百积分抵扣一元，退货后积分退回账户。",
        "物流信息超过三天未更新，请联系客服，我们会催促快递公司处理。",
        "{p}支持以旧换新，旧机估价后可直接抵扣新机货款。",
        "偏远地区发货时效可能延长，港澳台及海外地区暂不支持配送。",
        "亲，您好，为了更好地为您服务，请提供订单号和收货人手机号。",
        "退货寄回时请勿使用到付，运费可在退款时一并补偿。",
        "保修期满后提供付费维修服务，维修费用以检测结果为准。",
        "生鲜食品不支持七天无理由退货，收货后二十四小时内反馈质量问题可补发。",
        "定制商品一经生产不接受退换，请下单前仔细确认尺寸和颜色。",
    ];

    public static Generated Generate(int i)
    {
        var random = new Random(i);
        var product = Products[random.Next(Products.Length)];
        var topic = Topics[random.Next(Topics.Length)];
        var body = new StringBuilder(600);
        while (body.Length < 480) body.Append(Sentences[random.Next(Sentences.Length)].Replace("{p}", Products[random.Next(Products.Length)]));
        // 20 stores × 4,500 articles, plus 10,000 shared ones.
        var storeId = i % 10 == 9 ? null : $"bench-kb-store-{i % 20:D2}";
        return new Generated(storeId, Kinds[i % Kinds.Length], $"{product}{topic}说明（{i % 97 + 1}）", [topic, "售后"], body.ToString());
    }
}
