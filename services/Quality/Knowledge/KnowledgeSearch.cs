using Vendor.ServiceDefaults.OpenApi;
using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Vendor.Quality.Knowledge;

/// <summary>What the search index holds of one published article version.</summary>
public sealed record SearchDocument(string ArticleId, int Version, string? StoreId, string Kind, string Title, string Body,
    IReadOnlyList<string> Tags, string? Shortcut);

[Description("一条搜索结果。 / One search hit.")]
public sealed record SearchHit(
    [property: Description("文章 ID。 / The article's id.")] string ArticleId,
    [property: Description("标题。 / The title.")] string Title,
    [property: Description("类型。 / The kind.")] string Kind,
    [property: Description("所属店铺（共享文章为 null）。 / The store it belongs to (null when shared).")] string? StoreId,
    [property: Description("命中的片段。 / The matching snippet.")] string Snippet,
    [property: Description("相关度，越大越相关。 / The relevance: higher is more relevant.")] double Score);

/// <summary>One indexed unit: a lower-cased Latin word or number, a CJK character bigram, or the last CJK character of a run.</summary>
public sealed record SearchToken(string Lexeme, int Position);

/// <summary>
/// The tsqueries of a search: exact (every term, CJK runs as phrases); one wrong character (null when not applicable) as a cheap
/// candidate query for the index (each long run's halves) and the precise query the candidates are checked against; rank.
/// </summary>
public sealed record SearchQuery(string Exact, string? OneTypo, string? OneTypoCandidates, string Rank, IReadOnlyList<string> Needles);

/// <summary>
/// Full-text search over published articles, in PostgreSQL core (no extension): CJK text is indexed as overlapping character bigrams
/// in a <c>tsvector</c> with a GIN index, the way Lucene's CJK analyser does, because pg_trgm has no trigram for a 2-character word
/// (退款, 发货: the commonest Chinese queries) and sees no CJK at all in a C-locale cluster (STACK.md). The tsvector is a generated
/// column computed by the SQL function below, so the service, a re-index and the bench's bulk seed all build the same index; the query
/// side is tokenised by <see cref="Tokens"/>, which mirrors that function (a test compares the two).
/// </summary>
public static class KnowledgeSearch
{
    public const string Schema = "quality";

    /// <summary>Article kinds the search can filter by.</summary>
    public static IReadOnlyList<string> Kinds => ArticleKinds.All;

    // Runs of one class: ASCII letters, ASCII digits (iPhone15 → iphone, 15, so "iPhone 15" finds it), or CJK (kana, Han, Hangul).
    // Latin runs are cut at 64 characters (a tsvector lexeme is limited to 2 KB). Kept identical to the regex in the SQL function.
    private const string CjkClass = @"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af";
    private static readonly Regex Runs = new($"[a-z]{{1,64}}|[0-9]{{1,64}}|[{CjkClass}]+", RegexOptions.CultureInvariant);

    /// <summary>Positions of the body start after the title's and the tags' so a phrase never spans two fields.</summary>
    private const int TagsOffset = 1000, BodyOffset = 2000;

    /// <summary>
    /// How many matches each tier ranks: a word in thousands of articles is ranked among the first this many found (three pages, at
    /// least 30). Measured on 100,000 articles, 20 clients on PostgreSQL: 100 instead of 30 costs ≈ 20 % of the throughput.
    /// </summary>
    public static int CandidateCap(int limit) => Math.Max(3 * limit, 30);

    /// <summary>The longest CJK run searched with one wrong character.</summary>
    public const int MaxTypoRun = 32;

    /// <summary>Idempotent DDL for the index table(s), run at startup with PlainTables.EnsureAsync.</summary>
    public static readonly string CreateTables = $$"""
        CREATE SCHEMA IF NOT EXISTS {{Schema}};
        -- The tokens of one text with their positions: Latin words and numbers (one position each, a gap after), CJK runs as overlapping
        -- bigrams at consecutive positions plus the run's last character alone (so a one-character query `退:*` finds every 退), a gap
        -- after each run. NFKC first (full-width ＩＰｈｏｎｅ１５ → iphone 15), ASCII-only lower-casing (locale-independent, like the C# side).
        CREATE OR REPLACE FUNCTION {{Schema}}.knowledge_tokens(t text) RETURNS TABLE(lexeme text, pos int)
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
            WITH runs AS (
                SELECT r.m[1] AS run, r.n, r.m[1] ~ '^[a-z0-9]' AS latin
                FROM regexp_matches(translate(normalize(coalesce(t, ''), NFKC), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
                    '[a-z]{1,64}|[0-9]{1,64}|[{{CjkClass}}]+', 'g') WITH ORDINALITY AS r(m, n)),
            placed AS (
                SELECT run, latin, 1 + coalesce(sum(CASE WHEN latin THEN 2 ELSE length(run) + 1 END)
                    OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::int AS start
                FROM runs)
            SELECT run, start FROM placed WHERE latin
            UNION ALL
            SELECT substr(run, i, 2), start + i - 1 FROM placed, generate_series(1, length(run)) AS i WHERE NOT latin
        $fn$;
        -- Title weight A, tags and shortcut B, body C; positions capped at 16383 by tsvector itself.
        CREATE OR REPLACE FUNCTION {{Schema}}.knowledge_tsvector(title text, tags text[], shortcut text, body text) RETURNS tsvector
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
            SELECT coalesce((SELECT string_agg('''' || lexeme || ''':' || positions, ' ') FROM (
                SELECT lexeme, string_agg(least(pos, 16383) || weight, ',' ORDER BY pos) AS positions FROM (
                    SELECT f.weight, t.lexeme, f.offs + t.pos AS pos
                    FROM (VALUES ('A', 0, title), ('B', {{TagsOffset}}, concat_ws(' ', array_to_string(tags, ' '), shortcut)), ('C', {{BodyOffset}}, body))
                        AS f(weight, offs, txt),
                        {{Schema}}.knowledge_tokens(f.txt) AS t) AS x
                GROUP BY lexeme) AS y)::tsvector, ''::tsvector)
        $fn$;
        -- Hash partitions, each with its own GIN indexes: a search reads partitions one after another and stops once it has its
        -- candidates, so a word found in thousands of articles decodes the posting lists of one or two partitions, not of all
        -- 100,000 articles (a GIN scan always builds its whole bitmap first). An index built before partitioning is moved over once.
        DO $do$ BEGIN
            IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = '{{Schema}}' AND c.relname = 'knowledge_search' AND c.relkind = 'r') THEN
                DROP INDEX IF EXISTS {{Schema}}.knowledge_search_head, {{Schema}}.knowledge_search_doc;
                ALTER TABLE {{Schema}}.knowledge_search RENAME CONSTRAINT knowledge_search_pkey TO knowledge_search_unpartitioned_pkey;
                ALTER TABLE {{Schema}}.knowledge_search RENAME TO knowledge_search_unpartitioned;
            END IF;
        END $do$;
        CREATE TABLE IF NOT EXISTS {{Schema}}.knowledge_search (
            article_id text PRIMARY KEY, version int NOT NULL, store_id text NULL, kind text NOT NULL,
            title text NOT NULL, tags text[] NOT NULL, shortcut text NULL, body text NOT NULL, indexed_at timestamptz NOT NULL DEFAULT now(),
            head tsvector GENERATED ALWAYS AS ({{Schema}}.knowledge_tsvector(title, tags, shortcut, '')) STORED,
            doc tsvector GENERATED ALWAYS AS ({{Schema}}.knowledge_tsvector(title, tags, shortcut, body)) STORED)
            PARTITION BY HASH (article_id);
        DO $do$ BEGIN
            FOR i IN 0..{{Partitions - 1}} LOOP
                EXECUTE format('CREATE TABLE IF NOT EXISTS {{Schema}}.knowledge_search_p%s PARTITION OF {{Schema}}.knowledge_search
                    FOR VALUES WITH (MODULUS {{Partitions}}, REMAINDER %s)', i, i);
            END LOOP;
        END $do$;
        -- No pending list (fastupdate off): articles are written rarely, and every search would scan a pending list end to end.
        CREATE INDEX IF NOT EXISTS knowledge_search_head ON {{Schema}}.knowledge_search USING gin (head) WITH (fastupdate = off);
        CREATE INDEX IF NOT EXISTS knowledge_search_doc ON {{Schema}}.knowledge_search USING gin (doc) WITH (fastupdate = off);
        DO $do$ BEGIN
            IF to_regclass('{{Schema}}.knowledge_search_unpartitioned') IS NOT NULL THEN
                INSERT INTO {{Schema}}.knowledge_search (article_id, version, store_id, kind, title, tags, shortcut, body, indexed_at)
                    SELECT article_id, version, store_id, kind, title, tags, shortcut, body, indexed_at FROM {{Schema}}.knowledge_search_unpartitioned;
                DROP TABLE {{Schema}}.knowledge_search_unpartitioned;
                ANALYZE {{Schema}}.knowledge_search;
            END IF;
        END $do$;
        """;

    /// <summary>How many hash partitions the index is split into.</summary>
    public const int Partitions = 8;

    /// <summary>Adds or replaces the article's entry with its newly published version, in the caller's transaction (begun by the caller).</summary>
    public static async Task IndexAsync(IDocumentSession session, SearchDocument document, CancellationToken ct)
    {
        // An older version delivered late never replaces a newer one.
        await using var command = new NpgsqlCommand($"""
            INSERT INTO {Schema}.knowledge_search AS s (article_id, version, store_id, kind, title, tags, shortcut, body, indexed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
            ON CONFLICT (article_id) DO UPDATE SET version = excluded.version, store_id = excluded.store_id, kind = excluded.kind,
                title = excluded.title, tags = excluded.tags, shortcut = excluded.shortcut, body = excluded.body, indexed_at = excluded.indexed_at
            WHERE s.version <= excluded.version
            """)
        {
            Parameters =
            {
                new() { Value = document.ArticleId }, new() { Value = document.Version },
                new() { Value = (object?)document.StoreId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new() { Value = document.Kind }, new() { Value = document.Title }, new() { Value = document.Tags.ToArray() },
                new() { Value = (object?)document.Shortcut ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text }, new() { Value = document.Body },
            },
        };
        await session.ExecuteAsync(command, ct);
    }

    /// <summary>Removes a retired article from the index, in the caller's transaction.</summary>
    public static async Task RemoveAsync(IDocumentSession session, string articleId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {Schema}.knowledge_search WHERE article_id = $1") { Parameters = { new() { Value = articleId } } };
        await session.ExecuteAsync(command, ct);
    }

    /// <summary>
    /// The searches' own connection pool, with automatic prepared statements: planning the two-tier query over the partitions costs
    /// more than running it (≈ 3 ms against ≈ 0.5 ms), and a prepared statement plans once per connection.
    /// </summary>
    public static NpgsqlDataSource DataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.MaxAutoPrepare = 16;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        builder.ConnectionStringBuilder.MaxPoolSize = 24;
        // A search changes no session state, so the reset round trip on each return to the pool is pure cost.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        builder.ConnectionStringBuilder.ApplicationName = "quality-knowledge-search";
        return builder.Build();
    }

    /// <summary>Most relevant first. <paramref name="storeId"/> null: every article; else that store's and the shared ones.</summary>
    public static async Task<IReadOnlyList<SearchHit>> SearchAsync(NpgsqlDataSource database, string query, string? storeId, string? kind, int limit,
        CancellationToken ct)
    {
        if (Build(query) is not { } q) return [];
        await using var session = await database.OpenConnectionAsync(ct);
        // Score bands: exact in title/tags 3.x, exact in the body 2.x, one wrong character in title/tags 1.x, in the body 0.x; the
        // fraction is ts_rank (title weight above tags above body), so every exact match ranks above every one-typo match.
        var hits = await RunAsync(session, q.Exact, null, q.Rank, 2, storeId, kind, limit, CandidateCap(limit), [], ct);
        // One-typo matches fill what exact ones leave, ranked among just as many as are wanted: each candidate costs a check of the
        // whole document against every one-character variant, the dearest step of a search.
        if (hits.Count < limit && q.OneTypo is { } typo)
            hits.AddRange(await RunAsync(session, q.OneTypoCandidates!, typo, q.Rank, 0, storeId, kind, limit - hits.Count, limit - hits.Count,
                [.. hits.Select(h => h.Id)], ct));
        return [.. hits.Select(h => new SearchHit(h.Id, h.Title, h.Kind, h.StoreId, Snippet(h.Body, q.Needles), h.Score))];
    }

    private sealed record Row(string Id, string Title, string Kind, string? StoreId, string Body, double Score);

    /// <param name="tsquery">What the GIN indexes answer.</param>
    /// <param name="check">When set, what each candidate must also match, checked on the row only: written as ts_match_vq(), not @@, so
    /// the planner cannot hand it to the index, whose consistent function would evaluate its many alternatives for every document
    /// holding any of their bigrams (measured on 100,000 articles: 45 ms for a 13-character query with one typo, 9 ms via its halves).</param>
    private static async Task<List<Row>> RunAsync(NpgsqlConnection session, string tsquery, string? check, string rank, int band, string? storeId,
        string? kind, int limit, int candidates, string[] exclude, CancellationToken ct)
    {
        // Title/tag hits always outrank body-only ones, so the body is searched only when they do not fill the page (a one-time
        // filter: the plan skips that scan). Each tier ranks at most CandidateCap(limit) rows, so a 2-character word found in a third of
        // 100,000 articles costs about what a rare one does (ranking every match would read every match's tsvector). Title/tag hits
        // rank on the small head tsvector, body hits on the whole document.
        await using var command = new NpgsqlCommand($"""
            WITH h AS MATERIALIZED (
                SELECT article_id, title, kind, store_id, body, $3 + 1 + least(ts_rank(head, $2::tsquery), 0.999) AS score
                FROM {Schema}.knowledge_search
                WHERE head @@ $1::tsquery AND ($8::tsquery IS NULL OR ts_match_vq(head, $8::tsquery))
                    AND ($4::text IS NULL OR store_id = $4 OR store_id IS NULL) AND ($5::text IS NULL OR kind = $5) AND NOT article_id = ANY($6)
                LIMIT $9),
            b AS (
                SELECT article_id, title, kind, store_id, body, $3 + least(ts_rank(doc, $2::tsquery), 0.999) AS score
                FROM {Schema}.knowledge_search
                WHERE (SELECT count(*) FROM h) < $7 AND doc @@ $1::tsquery AND ($8::tsquery IS NULL OR ts_match_vq(doc, $8::tsquery))
                    AND NOT ts_match_vq(head, coalesce($8::tsquery, $1::tsquery))
                    AND ($4::text IS NULL OR store_id = $4 OR store_id IS NULL) AND ($5::text IS NULL OR kind = $5) AND NOT article_id = ANY($6)
                LIMIT $9)
            SELECT * FROM (SELECT * FROM h UNION ALL SELECT * FROM b) AS c
            ORDER BY score DESC, article_id
            LIMIT $7
            """, session)
        {
            Parameters =
            {
                new() { Value = tsquery }, new() { Value = rank }, new() { Value = band },
                new() { Value = (object?)storeId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new() { Value = (object?)kind ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new() { Value = exclude, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text }, new() { Value = limit },
                new() { Value = (object?)check ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text }, new() { Value = candidates },
            },
        };
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new Row(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), Math.Round(reader.GetDouble(5), 4)));
        return rows;
    }

    /// <summary>Text as the index sees it: NFKC (full-width → ASCII), ASCII letters lower-cased, nothing else changed.</summary>
    public static string Normalise(string text)
    {
        var n = text.Normalize(NormalizationForm.FormKC);
        return string.Create(n.Length, n, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++) span[i] = s[i] is >= 'A' and <= 'Z' ? (char)(s[i] + 32) : s[i];
        });
    }

    /// <summary>The runs of one text (Latin word, number or CJK run) with the position of their first token, as the SQL function places them.</summary>
    public static IReadOnlyList<(string Run, bool Latin, int Start)> TermRuns(string text)
    {
        var runs = new List<(string, bool, int)>();
        var position = 1;
        foreach (Match m in Runs.Matches(Normalise(text)))
        {
            var latin = m.Value[0] is >= 'a' and <= 'z' or >= '0' and <= '9';
            runs.Add((m.Value, latin, position));
            position += latin ? 2 : m.Value.Length + 1;
        }
        return runs;
    }

    /// <summary>The tokens of a text exactly as <c>quality.knowledge_tokens</c> makes them (positions relative to the field).</summary>
    public static IReadOnlyList<SearchToken> Tokens(string text) =>
    [
        .. TermRuns(text).SelectMany(r => r.Latin
            ? [new SearchToken(r.Run, r.Start)]
            : Enumerable.Range(0, r.Run.Length).Select(i => new SearchToken(r.Run.Substring(i, Math.Min(2, r.Run.Length - i)), r.Start + i))),
    ];

    /// <summary>
    /// The tsqueries for a user's query, or null when it has nothing to search for. Exact: every Latin word and number, each CJK run as
    /// a phrase of its bigrams (consecutive positions: the run appears as written), a lone CJK character as a prefix (any bigram starting
    /// with it, or a run's last character). One wrong character: for a CJK run of 5+ characters, any one character replaced — the run's
    /// bigrams that do not touch it, at their exact distances; 4-character runs only at either end (the middle leaves one bigram);
    /// runs over 32 characters only as written.
    /// Rank: the OR of all bigrams, so a one-typo hit ranks by the share of the query it matches.
    /// </summary>
    public static SearchQuery? Build(string query)
    {
        var runs = TermRuns(query);
        if (runs.Count == 0) return null;
        var exact = new List<string>();
        var typo = new List<string>();
        var candidates = new List<string>();
        var anyTypo = false;
        var all = new List<string>();
        foreach (var (run, latin, _) in runs)
        {
            if (latin || run.Length == 1)
            {
                var term = latin ? Quote(run) : Quote(run) + ":*";
                exact.Add(term);
                typo.Add(term);
                candidates.Add(term);
                all.Add(term);
                continue;
            }
            var bigrams = Enumerable.Range(0, run.Length - 1).Select(i => run.Substring(i, 2)).ToArray();
            all.AddRange(bigrams.Select(Quote));
            var phrase = Chain(bigrams.Select((b, i) => (b, i)));
            exact.Add(phrase);
            var alternatives = OneTypoAlternatives(run).ToList();
            if (alternatives.Count == 0)
            {
                typo.Add(phrase);
                candidates.Add(phrase);
            }
            else
            {
                anyTypo = true;
                typo.Add("(" + string.Join(" | ", alternatives.Prepend(phrase)) + ")");
                candidates.Add(Halves(run));
            }
        }
        return new SearchQuery(Join(exact), anyTypo ? Join(typo) : null, anyTypo ? Join(candidates) : null, string.Join(" | ", all.Distinct()),
            [.. runs.Select(r => r.Run).Distinct()]);

        static string Join(List<string> terms) => string.Join(" & ", terms.Select(t => t.Contains(' ') && !t.StartsWith('(') ? $"({t})" : t));
    }

    /// <summary>For each character of the run that could be the wrong one, the phrase of the bigrams left intact (at least two).</summary>
    public static IEnumerable<string> OneTypoAlternatives(string run)
    {
        // A longer run (a pasted sentence) would make a query of run² bigrams to check on every candidate; it is searched as written.
        if (run.Length is < 4 or > MaxTypoRun) yield break;
        for (var p = 0; p < run.Length; p++)
        {
            // Bigram i covers characters i and i+1: replacing character p breaks bigrams p-1 and p.
            var kept = Enumerable.Range(0, run.Length - 1).Where(i => i != p && i != p - 1).Select(i => (run.Substring(i, 2), i)).ToList();
            if (kept.Count >= 2) yield return Chain(kept);
        }
    }

    /// <summary>
    /// A superset of the run's one-typo alternatives the index answers cheaply: one wrong character leaves the first or the second half
    /// of the run intact, so the phrase of either half.
    /// </summary>
    public static string Halves(string run)
    {
        var k = run.Length / 2;
        string Half(int from, int to) => Chain(Enumerable.Range(from, to - from).Select(i => (run.Substring(i, 2), i)));
        return $"({Half(0, k - 1)} | {Half(k, run.Length - 1)})";
    }

    /// <summary>A phrase of bigrams at their relative positions: <c>'a' &lt;-&gt; 'b' &lt;3&gt; 'c'</c>.</summary>
    private static string Chain(IEnumerable<(string Bigram, int At)> bigrams)
    {
        var text = new StringBuilder();
        var previous = -1;
        foreach (var (bigram, at) in bigrams)
        {
            if (previous >= 0) text.Append(at - previous == 1 ? " <-> " : $" <{(at - previous).ToString(CultureInfo.InvariantCulture)}> ");
            text.Append(Quote(bigram));
            previous = at;
        }
        return text.ToString();
    }

    // Lexemes are ASCII letters, digits or CJK characters only: nothing to escape, quoted so tsquery parses them as one lexeme each.
    private static string Quote(string lexeme) => $"'{lexeme}'";

    /// <summary>
    /// About 60 characters of plain text around the first place any needle occurs (else the start), with an ellipsis where cut; for a
    /// one-typo hit, the longest piece of the query found.
    /// </summary>
    public static string Snippet(string body, IReadOnlyList<string> needles, int width = 60)
    {
        var text = string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var at = First(text, needles);
        if (at < 0) at = First(text, needles.Where(n => n.Length > 2).SelectMany(Pieces));
        if (text.Length <= width) return text;
        var start = Math.Max(0, Math.Min(at < 0 ? 0 : at - width / 3, text.Length - width));
        if (start > 0 && char.IsLowSurrogate(text[start])) start--;
        var end = Math.Min(text.Length, start + width);
        if (end < text.Length && char.IsHighSurrogate(text[end - 1])) end--;
        return (start > 0 ? "…" : "") + text[start..end] + (end < text.Length ? "…" : "");

        static IEnumerable<string> Pieces(string run) => Enumerable.Range(0, run.Length - 1).Select(i => run.Substring(i, 2));
        static int First(string text, IEnumerable<string> needles) =>
            needles.Select(n => text.IndexOf(n, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
    }
}
