using Marten;

namespace Vendor.Quality.Knowledge;

/// <summary>What the search index holds of one published article version.</summary>
public sealed record SearchDocument(string ArticleId, int Version, string? StoreId, string Kind, string Title, string Body,
    IReadOnlyList<string> Tags, string? Shortcut);

public sealed record SearchHit(string ArticleId, string Title, string Kind, string? StoreId, string Snippet, double Score);

/// <summary>
/// Full-text search over published articles, in PostgreSQL (placeholder: the search engineer replaces this file with the index
/// and its queries; the signatures stay).
/// </summary>
public static class KnowledgeSearch
{
    /// <summary>Idempotent DDL for the index table(s), run at startup with PlainTables.EnsureAsync.</summary>
    public static readonly string CreateTables = "CREATE SCHEMA IF NOT EXISTS quality;";

    /// <summary>Adds or replaces the article's entry with its newly published version, in the caller's transaction (begun by the caller).</summary>
    public static Task IndexAsync(IDocumentSession session, SearchDocument document, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Removes a retired article from the index, in the caller's transaction.</summary>
    public static Task RemoveAsync(IDocumentSession session, string articleId, CancellationToken ct) => Task.CompletedTask;

    /// <summary>Most relevant first. <paramref name="storeId"/> null: every article; else that store's and the shared ones.</summary>
    public static Task<IReadOnlyList<SearchHit>> SearchAsync(IQuerySession session, string query, string? storeId, string? kind, int limit,
        CancellationToken ct) => Task.FromResult<IReadOnlyList<SearchHit>>([]);
}
