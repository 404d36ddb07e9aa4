using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Knowledge;

[Description("搜索结果，最相关的在前。 / Search results, most relevant first.")]
public sealed record SearchResults(
    [property: Description("命中的文章。 / The articles found.")] IReadOnlyList<SearchHit> Items) : IExample<SearchResults>
{
    public static SearchResults Example => new([new SearchHit("kb-return-policy", "退货政策", "policy", StoreApi.StoreIdExample,
        "未拆封茶叶支持七天无理由退货；定制礼盒不支持无理由退货。", 0.82)]);
}

/// <summary>
/// The search's own connection pool (<see cref="KnowledgeSearch.DataSource"/>), one per process, and how many searches may run in
/// PostgreSQL at once: a search is pure CPU there, so more at once than the cores only lengthens each one unevenly; the rest wait
/// their turn here, first come first served.
/// </summary>
public sealed class KnowledgeSearchDatabase(Npgsql.NpgsqlDataSource source, int concurrency) : IAsyncDisposable
{
    private readonly SemaphoreSlim _turns = new(concurrency, concurrency);

    public Npgsql.NpgsqlDataSource Source => source;

    public async Task<T> InTurnAsync<T>(Func<Task<T>> search, CancellationToken ct)
    {
        await _turns.WaitAsync(ct);
        try
        {
            return await search();
        }
        finally
        {
            _turns.Release();
        }
    }

    public ValueTask DisposeAsync() => source.DisposeAsync();
}

public static class SearchModule
{
    public const int MaxQueryLength = 100, MaxLimit = 50, DefaultLimit = 10;

    /// <summary>The reasons a search request is refused (field → message); empty when it is valid.</summary>
    public static Dictionary<string, string[]> Validate(string? q, string? kind, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        var query = q?.Trim() ?? "";
        if (query.Length == 0) errors["q"] = ["A search text is required."];
        else if (query.Length > MaxQueryLength) errors["q"] = [$"At most {MaxQueryLength} characters."];
        // Punctuation or emoji only: nothing the index holds could match, so say so rather than answer an empty list.
        else if (KnowledgeSearch.TermRuns(query).Count == 0) errors["q"] = ["The text has no letter, digit or CJK character to search for."];
        if (kind is not null && !KnowledgeSearch.Kinds.Contains(kind))
            errors["kind"] = [$"One of: {string.Join(", ", KnowledgeSearch.Kinds.Order(StringComparer.Ordinal))}."];
        if (limit is < 1 or > MaxLimit) errors["limit"] = [$"From 1 to {MaxLimit}."];
        return errors;
    }

    public static void MapKnowledgeSearch(this IEndpointRouteBuilder app)
    {
        var quality = app.MapGroup("/api/quality").WithTags("Knowledge");

        quality.MapGet("/knowledge/search", (string? q, string? storeId, string? kind, int? limit, KnowledgeSearchDatabase database, CancellationToken ct) =>
                SearchAsync(database, q, storeId, kind, limit, ct))
            .RequireCaller(Roles.Ops)
            .WithName("SearchKnowledge")
            .WithSummary("Search published articles, most relevant first (ops and agents' tools): without storeId every article, with it that store's and the shared ones.")
            .ProducesValidationProblem();

        // The {storeId} route lets RequireCaller hold a store key to its own store: the search can never widen to another store's articles.
        quality.MapGet("/stores/{storeId}/knowledge", (string storeId, string? q, string? kind, int? limit, KnowledgeSearchDatabase database, CancellationToken ct) =>
                SearchAsync(database, q, storeId, kind, limit, ct))
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("Knowledge", "知识库：店铺与共享的已发布文章、快捷回复，以及店铺提交的修改建议。 / The knowledge base: the store's and the shared published articles, quick replies, and the store's proposals.")
            .WithName("SearchStoreKnowledge")
            .WithDescription("在本店和共享的已发布文章中搜索（中文按字词匹配），最相关的在前。\n\nSearch the store's own and the shared published articles (Chinese matched by characters and words), most relevant first.")
            .Parameter("q", "搜索词（必填，最多 100 个字符）。 / The search terms (required, at most 100 characters).", "退货")
            .Parameter("kind", "只搜此类型（可选）。 / Only this kind (optional).", "policy")
            .Parameter("limit", "最多返回条数，1-50，默认 10。 / At most this many hits, 1-50, default 10.", "10")
            .Produces<SearchResults>(200)
            .WithSummary("Search the store's own and the shared published articles, most relevant first (ops or the store's key).")
            .ProducesValidationProblem().ProducesProblem(403);
    }

    private static async Task<IResult> SearchAsync(KnowledgeSearchDatabase database, string? q, string? storeId, string? kind, int? limit, CancellationToken ct)
    {
        var errors = Validate(q, kind, limit);
        if (errors.Count > 0) return Problems.Validation(errors);
        return TypedResults.Ok(new SearchResults(await database.InTurnAsync(
            () => KnowledgeSearch.SearchAsync(database.Source, q!.Trim(), storeId, kind, limit ?? DefaultLimit, ct), ct)));
    }
}
