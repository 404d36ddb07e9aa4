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

    public static async Task<IReadOnlyList<BenchRow>> Run(Options o)
    {
        // This bench's own defaults (20 clients, 20 s); --clients / --seconds still override them.
        var given = Environment.GetCommandLineArgs();
        var clients = given.Contains("--clients") ? o.Clients : 20;
        var seconds = given.Contains("--seconds") ? o.Seconds : 20;
        // --schema S: a copy of the index made with KnowledgeSearch.CreateTables in another schema (to try the seed without touching
        // Quality's); --seed-only: seed and stop.
        var schema = Arg(given, "--schema") ?? "quality";
        var table = $"{schema}.knowledge_search";

        await using (var db = new NpgsqlConnection(o.Postgres))
        {
            await db.OpenAsync();
            if (await Scalar<bool>(db, $"SELECT to_regclass('{table}') IS NULL"))
            {
                Console.Error.WriteLine($"knowledge: {table} does not exist (Quality creates it at startup)");
                return [new("knowledge", "knowledge search", "", "", "", "", null, $"{table} does not exist")];
            }
            var held = await Scalar<long>(db, $"SELECT count(*) FROM {table} WHERE article_id LIKE '{Prefix}%'");
            if (held < Articles) await Seed(o.Postgres, table, held);
            Console.WriteLine($"knowledge: {await Scalar<long>(db, $"SELECT count(*) FROM {table}"):N0} articles indexed " +
                              $"({await Scalar<string>(db, $"SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = '{table}'::regclass")} with the GIN indexes)");
        }
        if (given.Contains("--seed-only")) return [];

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

        // The agent's own path: one store's articles and the shared ones (what a store key's route and an agent tool ask for).
        var scoped = await Measure(clients, seconds, async q =>
        {
            var store = $"bench-kb-store-{Random.Shared.Next(20):D2}";
            using var response = await ops.GetAsync($"/api/quality/knowledge/search?q={Uri.EscapeDataString(q)}&storeId={store}&limit=10");
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

        Print("search through the gateway (GIN bigram index, ranked), all stores", search);
        Print("search through the gateway, one store and the shared articles", scoped);
        Print("baseline, ILIKE '%q%' LIMIT 10 on PostgreSQL directly", baseline);
        Console.WriteLine($"RATIO p99 search/baseline = {search.All.P99 / baseline.All.P99:F3}, p50 = {search.All.P50 / baseline.All.P50:F3}   (target: search p99 < 50 ms)");
        var ilike = $"ILIKE '%q%' LIMIT 10 on PostgreSQL: {baseline.PerSecond:N0} queries/s, p99 {Suite.Ms(baseline.All.P99)}";
        return
        [
            new("knowledge", $"knowledge search through the gateway, 100,000 articles, {clients} clients, {seconds} s, all stores", "p99 < 50 ms",
                $"{search.PerSecond:N0} queries/s, p50 {Suite.Ms(search.All.P50)}, p99 {Suite.Ms(search.All.P99)}", ilike,
                $"{search.All.P99 / baseline.All.P99:F3} (p99)", search.All.P99 < 50),
            new("knowledge", "the same, one store's and the shared articles", "p99 < 50 ms",
                $"{scoped.PerSecond:N0} queries/s, p50 {Suite.Ms(scoped.All.P50)}, p99 {Suite.Ms(scoped.All.P99)}", ilike,
                $"{scoped.All.P99 / baseline.All.P99:F3} (p99)", scoped.All.P99 < 50),
        ];
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

/// <summary>
/// Deterministic e-commerce help articles. Each has a topic (refunds, shipping, warranty…) and draws most of its sentences from that
/// topic's pool with products, durations and amounts filled in, the rest from general service phrases, so a topic word such as 退款
/// is in a fifth to a third of the articles, as in a real knowledge base, not in every one.
/// </summary>
static class ArticleText
{
    public sealed record Generated(string? StoreId, string Kind, string Title, string[] Tags, string Body);

    private static readonly string[] Kinds = ["platformRule", "policy", "product", "script", "quickReply"];
    private static readonly string[] Products =
    [
        "iPhone 15", "iPhone 15 Pro", "iPhone 14", "AirPods Pro", "AirPods 3", "MacBook Air", "iPad Air", "小米14", "小米手环8", "Redmi K70",
        "华为 Mate 60", "MateBook 14", "华为 FreeBuds 5", "OPPO Find X7", "vivo X100", "戴森 V12 吸尘器", "戴森吹风机", "美的空调", "格力 KFR-35",
        "海尔冰箱 BCD-470", "九阳豆浆机", "苏泊尔电饭煲", "罗技 MX Master 3S", "索尼 WH-1000XM5", "任天堂 Switch", "PS5 光驱版", "李宁跑鞋",
        "安踏篮球鞋", "优衣库羽绒服", "波司登羽绒服", "三只松鼠坚果礼盒", "良品铺子零食", "雅诗兰黛小棕瓶", "兰蔻粉水", "飞利浦电动牙刷",
        "小天鹅洗衣机", "科沃斯扫地机器人", "大疆 Mini 4 Pro", "佳能 R50", "Kindle Paperwhite",
    ];
    private static readonly string[] Days = ["三", "五", "七", "十", "十五", "三十"];
    private static readonly string[] Hours = ["二十四", "四十八", "七十二"];

    private static readonly (string Topic, string[] Sentences)[] Topics =
    [
        ("退款", [
            "买家申请退款后，商家将在{h}小时内处理，审核通过后款项原路退回。", "退款一般在一到{d}个工作日到账，具体以银行或支付平台为准。",
            "退款流程：在订单详情页点击申请退款，选择原因并上传凭证，等待商家审核。", "仅退款适用于未发货或未收到货的订单，已签收请选择退货退款。",
            "{p}退款时，赠品需一并退回，否则按赠品价格从退款金额中扣除。", "使用花呗分期付款的订单，退款后分期手续费按平台规则退还。"]),
        ("退货", [
            "本店支持七天无理由退货，商品需保持完好、配件齐全、不影响二次销售。", "{p}激活后不支持七天无理由退货，如有故障请联系官方售后检测。",
            "退货寄回时请勿使用到付，运费可在退款时一并补偿。", "质量问题包邮退换，非质量问题退货的运费由买家承担。",
            "生鲜食品不支持七天无理由退货，收货后二十四小时内反馈质量问题可补发。", "{p}的包装盒、说明书和赠品请一并寄回，缺少配件将影响退款金额。"]),
        ("换货", [
            "换货请在订单详情页提交申请，客服审核后会提供寄回地址。", "{p}支持{d}天内同型号换货，颜色和尺码以库存为准。",
            "换货商品寄出后，我们收到退回件当天为您重新发出新品。", "定制商品一经生产不接受退换，请下单前仔细确认尺寸和颜色。"]),
        ("发货", [
            "订单付款后{h}小时内发货，节假日顺延，预售商品以详情页说明为准。", "{p}为预售商品，定金支付后按付尾款顺序依次发货。",
            "偏远地区发货时效可能延长，港澳台及海外地区暂不支持配送。", "同一订单的多件商品可能从不同仓库分开发货，请留意多个物流单号。"]),
        ("物流", [
            "物流信息超过{d}天未更新，请联系客服，我们会催促快递公司处理。", "签收时请当面检查外包装，如有破损请拒收并联系客服处理。",
            "默认发顺丰或京东快递，指定快递可能产生额外运费。", "快递显示已签收但未收到包裹，请先联系驿站或门卫，再联系我们核实。"]),
        ("保修", [
            "{p}享受全国联保，保修期内非人为损坏可免费维修，请保留购买凭证。", "{p}保修一年，电池保修六个月，人为损坏不在保修范围内。",
            "保修期满后提供付费维修服务，维修费用以检测结果为准。", "送修前请备份数据，维修过程中可能需要恢复出厂设置。"]),
        ("发票", [
            "如需开具发票，请在下单时备注发票抬头和税号，发货后开具电子发票。", "{p}支持开具增值税专用发票，请提供开票资料和营业执照。",
            "电子发票会在确认收货后{d}个工作日内发送到您的邮箱。", "退货后原发票作废，换货不重新开具发票。"]),
        ("优惠券", [
            "优惠券不可叠加使用，退款后已使用的优惠券不予退还。", "店铺满减与平台优惠券可以同时使用，以结算页显示为准。",
            "新人专享券领取后{d}天内有效，过期自动失效。", "{p}参与限时折扣，活动商品不支持使用店铺优惠券。"]),
        ("价保", [
            "活动期间下单享受价格保护，降价后{d}天内可申请补差价。", "{p}价保以同一店铺同一规格的实际成交价为准。",
            "直播间专享价和秒杀价不参与价保。", "价保申请请在订单页点击价格保护，系统自动计算差额。"]),
        ("安装", [
            "大件商品提供送货上门和免费安装服务，安装前请勿自行拆机。", "{p}安装师傅会在到货后{h}小时内电话预约上门时间。",
            "空调安装如需加长铜管或打孔，按当地收费标准另行收取费用。", "安装完成后请当场试机，确认无误后在服务单上签字。"]),
        ("会员", [
            "会员积分可在下单时抵扣现金，一百积分抵扣一元，退货后积分退回账户。", "{p}购买后可获得双倍积分，积分在确认收货后到账。",
            "会员等级根据近一年消费金额计算，每月一日更新。", "生日当月会员可领取专属优惠券。"]),
        ("以旧换新", [
            "{p}支持以旧换新，旧机估价后可直接抵扣新机货款。", "以旧换新需在收到新机后{d}天内寄出旧机，逾期将取消补贴。",
            "旧机估价以实际检测为准，屏幕碎裂或进水会影响回收价格。", "参与以旧换新前请退出账号并清除个人数据。"]),
    ];

    private static readonly string[] General =
    [
        "亲，您好，为了更好地为您服务，请提供订单号和收货人手机号。", "请提供开箱视频和商品照片，以便我们尽快为您核实问题。",
        "客服在线时间为每天早上九点到晚上十二点，节假日正常服务。", "如对处理结果不满意，可以申请平台客服介入。",
        "感谢您的耐心等待，我们会尽快给您答复。", "温馨提示：请勿轻信陌生来电，本店不会以任何理由要求您转账。",
        "{p}的使用说明可在商品详情页下载电子版。", "如有其他问题，请随时联系在线客服，祝您购物愉快。",
    ];

    public static Generated Generate(int i)
    {
        var random = new Random(i);
        string Fill(string sentence) => sentence.Replace("{p}", Products[random.Next(Products.Length)])
            .Replace("{d}", Days[random.Next(Days.Length)]).Replace("{h}", Hours[random.Next(Hours.Length)]);
        var product = Products[random.Next(Products.Length)];
        var (topic, pool) = Topics[random.Next(Topics.Length)];
        var (other, otherPool) = Topics[random.Next(Topics.Length)];
        var body = new StringBuilder(600);
        while (body.Length < 480)
        {
            var draw = random.Next(10);
            body.Append(Fill(draw < 6 ? pool[random.Next(pool.Length)] : draw < 8 ? otherPool[random.Next(otherPool.Length)] : General[random.Next(General.Length)]));
        }
        // 20 stores × 4,500 articles, plus 10,000 shared ones.
        var storeId = i % 10 == 9 ? null : $"bench-kb-store-{i % 20:D2}";
        return new Generated(storeId, Kinds[i % Kinds.Length], $"{product}{topic}说明（{i % 97 + 1}）", [topic, other], body.ToString());
    }
}
