using System.Text.Json.Serialization;
using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Knowledge;

public static class ArticleKinds
{
    public const string Product = "product", Policy = "policy", PlatformRule = "platformRule", Script = "script", QuickReply = "quickReply",
        Case = "case";

    public static readonly IReadOnlyList<string> All = [Product, Policy, PlatformRule, Script, QuickReply, Case];
}

/// <summary>An article is a draft until first published, then published, until retired (for good).</summary>
public static class ArticleStatus
{
    public const string Draft = "draft", Published = "published", Retired = "retired";
}

/// <summary>
/// A version is a draft, the published one, superseded (an older published version, or a draft a later version overtook), or retired
/// with the article.
/// </summary>
public static class VersionStatus
{
    public const string Draft = "draft", Published = "published", Superseded = "superseded", Retired = "retired";
}

/// <summary>A new version of an article's content (version 1 creates the article). Store and kind are fixed at version 1.</summary>
public sealed record ArticleDrafted(string ArticleId, int Version, string? StoreId, string Kind, string Title, string Body,
    IReadOnlyList<string> Tags, bool Critical, string? Shortcut, string By, DateTimeOffset At, string? ProposalId = null,
    string? SourceReviewId = null, IReadOnlyList<string>? CourseCodes = null);

/// <summary>A draft version became the one in force; <see cref="ProposalId"/> credits the store's proposal it came from.</summary>
public sealed record ArticlePublished(string ArticleId, int Version, string? StoreId, bool Critical, string By, DateTimeOffset At,
    string? ProposalId = null);

public sealed record ArticleRetired(string ArticleId, string? StoreId, string By, string? Reason, DateTimeOffset At);

public sealed record ArticleVersion(int Version, string Status, string Title, string Body, IReadOnlyList<string> Tags, bool Critical,
    string? Shortcut, string DraftedBy, DateTimeOffset DraftedAt, DateTimeOffset? PublishedAt = null, string? PublishedBy = null,
    string? ProposalId = null);

/// <summary>
/// A knowledge-base article with every version, stream <c>article:{articleId}</c>, kept as an inline snapshot. A published version is
/// never edited: a change is a new draft version, published in its turn. <see cref="StreamVersion"/> is the ETag.
/// </summary>
public sealed record Article(string Id, string ArticleId, string? StoreId, string Kind, string Status, IReadOnlyList<ArticleVersion> Versions,
    int? PublishedVersion, DateTimeOffset CreatedAt, long StreamVersion, string? SourceReviewId = null,
    IReadOnlyList<string>? CourseCodes = null, DateTimeOffset? RetiredAt = null, string? RetiredReason = null)
{
    public static string StreamKey(string articleId) => $"article:{articleId}";

    public static Article Create(IEvent<ArticleDrafted> e) => Start(e.Data, e.Version);

    public Article Apply(IEvent<ArticleDrafted> e) => Step(e.Data, e.Version);

    public Article Apply(IEvent<ArticlePublished> e) => Step(e.Data, e.Version);

    public Article Apply(IEvent<ArticleRetired> e) => Step(e.Data, e.Version);

    [JsonIgnore]
    public ArticleVersion? Published => PublishedVersion is { } v ? Versions.FirstOrDefault(x => x.Version == v) : null;

    [JsonIgnore]
    public ArticleVersion Latest => Versions[^1];

    /// <summary>In force now: published and not retired.</summary>
    [JsonIgnore]
    public bool InForce => Status == ArticleStatus.Published && Published is not null;

    /// <summary>Whether the article applies to the store: its own, or shared (no store).</summary>
    public bool AppliesTo(string storeId) => StoreId is null || StoreId == storeId;

    private static Article Start(ArticleDrafted e, long version) =>
        new Article(StreamKey(e.ArticleId), e.ArticleId, e.StoreId, e.Kind, ArticleStatus.Draft, [], null, e.At, 0, e.SourceReviewId, e.CourseCodes)
            .Step(e, version);

    /// <summary>The state after the events (a null state starts from the first, which must be an ArticleDrafted).</summary>
    public static Article Fold(Article? state, IEnumerable<object> events)
    {
        foreach (var e in events)
            state = state is null ? Start((ArticleDrafted)e, 1) : state.Step(e, state.StreamVersion + 1);
        return state!;
    }

    public Article Step(object @event, long streamVersion) => (@event switch
    {
        ArticleDrafted e => this with
        {
            Versions = [.. Versions, new ArticleVersion(e.Version, VersionStatus.Draft, e.Title, e.Body, e.Tags, e.Critical, e.Shortcut, e.By, e.At,
                ProposalId: e.ProposalId)],
        },
        ArticlePublished e => this with
        {
            Status = ArticleStatus.Published,
            PublishedVersion = e.Version,
            Versions =
            [
                .. Versions.Select(v => v.Version == e.Version
                    ? v with { Status = VersionStatus.Published, PublishedAt = e.At, PublishedBy = e.By, ProposalId = e.ProposalId ?? v.ProposalId }
                    : v.Version < e.Version && v.Status is VersionStatus.Published or VersionStatus.Draft ? v with { Status = VersionStatus.Superseded } : v),
            ],
        },
        ArticleRetired e => this with
        {
            Status = ArticleStatus.Retired,
            RetiredAt = e.At,
            RetiredReason = e.Reason,
            Versions = [.. Versions.Select(v => v.Status is VersionStatus.Published or VersionStatus.Draft ? v with { Status = VersionStatus.Retired } : v)],
        },
        _ => this,
    }) with { StreamVersion = streamVersion };
}

/// <summary>The body of POST /api/quality/knowledge/articles and of PUT .../articles/{articleId} (store and kind only on POST).</summary>
public sealed record DraftArticle(string? StoreId, string? Kind, string? Title, string? Body, IReadOnlyList<string?>? Tags, bool? Critical,
    string? Shortcut);

public sealed record RetireArticle(string? Reason);

/// <summary>Validated article content.</summary>
public sealed record ArticleContent(string Title, string Body, IReadOnlyList<string> Tags, bool Critical, string? Shortcut);

public static class ArticleDecisions
{
    public const int MaxTitle = 200, MaxBody = 20_000, MaxTags = 20, MaxTag = 40, MaxShortcut = 20;

    public static string NewId() => $"kb-{Guid.NewGuid():N}"[..15];

    /// <summary>Checks title, body, tags, critical and shortcut (errors go to <paramref name="errors"/>); null when any is wrong.</summary>
    public static ArticleContent? Content(Errors errors, string kind, string? title, string? body, IReadOnlyList<string?>? tags, bool? critical,
        string? shortcut)
    {
        errors.Check(!string.IsNullOrWhiteSpace(title) && title.Trim().Length <= MaxTitle, "title", $"Required, at most {MaxTitle} characters.")
            .Check(!string.IsNullOrWhiteSpace(body) && body.Length <= MaxBody, "body", $"Required (Markdown), at most {MaxBody} characters.")
            .Check(tags is null || (tags.Count <= MaxTags && tags.All(t => !string.IsNullOrWhiteSpace(t) && t.Trim().Length <= MaxTag)), "tags",
                $"At most {MaxTags} non-empty tags of at most {MaxTag} characters.");
        if (kind == ArticleKinds.QuickReply)
            errors.Check(shortcut is { Length: >= 2 and <= MaxShortcut } && shortcut[0] == '/' && !shortcut.Any(char.IsWhiteSpace), "shortcut",
                $"Required for a quick reply: '/' and a word, at most {MaxShortcut} characters, no spaces (e.g. /发货).");
        else
            errors.Check(shortcut is null, "shortcut", "Only quick replies have a shortcut.");
        if (errors.Any) return null;
        var content = new ArticleContent(title!.Trim(), body!, [.. (tags ?? []).Select(t => t!.Trim()).Distinct()], critical ?? false, shortcut);
        // A teaching case comes from real conversations: whatever reaches it is masked, on every version.
        return kind == ArticleKinds.Case ? content with { Title = PiiMasking.Mask(content.Title), Body = PiiMasking.Mask(content.Body) } : content;
    }

    /// <summary>
    /// Whether another article in force already uses the shortcut where this one would be listed: quick replies are listed per store with
    /// the shared ones, so a store's shortcut clashes with its own and the shared ones, and a shared one with every store's.
    /// </summary>
    public static Article? ShortcutClash(string articleId, string? storeId, string shortcut, IEnumerable<Article> articles) =>
        articles.FirstOrDefault(a => a.ArticleId != articleId && a.Kind == ArticleKinds.QuickReply && a.InForce
                                     && a.Published!.Shortcut == shortcut && (storeId is null || a.AppliesTo(storeId)));

    private static Decision.Conflict Clash(string shortcut, Article other) =>
        new($"The shortcut '{shortcut}' is already used by article '{other.ArticleId}'{(other.StoreId is null ? " (shared)" : "")}.");

    /// <summary>Version 1 of a new article (a draft; publishing is a separate step).</summary>
    public static Decision Create(string articleId, DraftArticle command, string by, IEnumerable<Article> inForce, DateTimeOffset now,
        string? sourceReviewId = null, IReadOnlyList<string>? courseCodes = null, string? proposalId = null)
    {
        var errors = new Errors()
            .Check(command.StoreId is null || Ids.IsValid(command.StoreId), "storeId", $"Optional (absent: every store): {Ids.Rule}.")
            .Check(command.Kind is not null && ArticleKinds.All.Contains(command.Kind), "kind", $"Required, one of: {string.Join(", ", ArticleKinds.All)}.");
        if (errors.Any) return errors.ToDecision();
        var content = Content(errors, command.Kind!, command.Title, command.Body, command.Tags, command.Critical, command.Shortcut);
        if (content is null) return errors.ToDecision();
        if (content.Shortcut is { } shortcut && ShortcutClash(articleId, command.StoreId, shortcut, inForce) is { } other) return Clash(shortcut, other);
        return Decision.Of(new ArticleDrafted(articleId, 1, command.StoreId, command.Kind!, content.Title, content.Body, content.Tags, content.Critical,
            content.Shortcut, by, now, proposalId, sourceReviewId, courseCodes));
    }

    /// <summary>A new draft version; the same content as the latest version again changes nothing.</summary>
    public static Decision Revise(Article article, DraftArticle command, string by, IEnumerable<Article> inForce, DateTimeOffset now,
        string? proposalId = null)
    {
        if (article.Status == ArticleStatus.Retired) return new Decision.Conflict($"Article '{article.ArticleId}' is retired.");
        var errors = new Errors()
            .Check(command.StoreId is null || command.StoreId == article.StoreId, "storeId", "The store of an article does not change; create another article.")
            .Check(command.Kind is null || command.Kind == article.Kind, "kind", "The kind of an article does not change; create another article.");
        var content = Content(errors, article.Kind, command.Title, command.Body, command.Tags, command.Critical, command.Shortcut);
        if (content is null) return errors.ToDecision();
        var latest = article.Latest;
        if (proposalId is null && latest.Title == content.Title && latest.Body == content.Body && latest.Tags.SequenceEqual(content.Tags)
            && latest.Critical == content.Critical && latest.Shortcut == content.Shortcut)
            return new Decision.Unchanged();
        if (content.Shortcut is { } shortcut && ShortcutClash(article.ArticleId, article.StoreId, shortcut, inForce) is { } other)
            return Clash(shortcut, other);
        return Decision.Of(new ArticleDrafted(article.ArticleId, latest.Version + 1, article.StoreId, article.Kind, content.Title, content.Body,
            content.Tags, content.Critical, content.Shortcut, by, now, proposalId));
    }

    /// <summary>Publishes the latest version when it is a draft; when it is already the published one, nothing changes.</summary>
    public static Decision Publish(Article article, string by, IEnumerable<Article> inForce, DateTimeOffset now, string? proposalId = null)
    {
        if (article.Status == ArticleStatus.Retired) return new Decision.Conflict($"Article '{article.ArticleId}' is retired.");
        var latest = article.Latest;
        if (latest.Status == VersionStatus.Published) return new Decision.Unchanged();
        if (latest.Shortcut is { } shortcut && ShortcutClash(article.ArticleId, article.StoreId, shortcut, inForce) is { } other)
            return Clash(shortcut, other);
        return Decision.Of(new ArticlePublished(article.ArticleId, latest.Version, article.StoreId, latest.Critical, by, now, proposalId));
    }

    public static Decision Retire(Article article, RetireArticle command, string by, DateTimeOffset now)
    {
        if (article.Status == ArticleStatus.Retired) return new Decision.Unchanged();
        if (command.Reason is { Length: > 500 }) return new Errors().Add("reason", "At most 500 characters.").ToDecision();
        return Decision.Of(new ArticleRetired(article.ArticleId, article.StoreId, by, command.Reason, now));
    }
}
