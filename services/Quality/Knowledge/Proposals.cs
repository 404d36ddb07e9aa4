using Vendor.ServiceDefaults.OpenApi;
using System.ComponentModel;
using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Knowledge;

/// <summary>A store proposed a new article (<see cref="ArticleId"/> null) or a change to one of its own.</summary>
public sealed record ProposalSubmitted(string ProposalId, string StoreId, string? ArticleId, string Kind, string Title, string Body,
    IReadOnlyList<string> Tags, bool Critical, string? Shortcut, string By, DateTimeOffset At);

public sealed record ProposalAccepted(string ProposalId, string StoreId, string ArticleId, int Version, string By, DateTimeOffset At);

public sealed record ProposalRejected(string ProposalId, string StoreId, string Reason, string By, DateTimeOffset At);

public static class ProposalStatus
{
    public const string Pending = "pending", Accepted = "accepted", Rejected = "rejected";
}

/// <summary>A store's proposal and its outcome, stream <c>proposal:{proposalId}</c>, kept as an inline snapshot.</summary>
public sealed record Proposal(string Id, string ProposalId, string StoreId, string? ArticleId, string Kind, string Title, string Body,
    IReadOnlyList<string> Tags, bool Critical, string? Shortcut, string Status, string SubmittedBy, DateTimeOffset SubmittedAt,
    string? DecidedBy = null, DateTimeOffset? DecidedAt = null, string? Reason = null, string? PublishedArticleId = null, int? PublishedVersion = null)
{
    public static string StreamKey(string proposalId) => $"proposal:{proposalId}";

    public static string NewId() => $"kp-{Guid.NewGuid():N}"[..15];

    public static Proposal Create(ProposalSubmitted e) => new(StreamKey(e.ProposalId), e.ProposalId, e.StoreId, e.ArticleId, e.Kind, e.Title, e.Body,
        e.Tags, e.Critical, e.Shortcut, ProposalStatus.Pending, e.By, e.At);

    public Proposal Apply(ProposalAccepted e) => this with
    {
        Status = ProposalStatus.Accepted, DecidedBy = e.By, DecidedAt = e.At, PublishedArticleId = e.ArticleId, PublishedVersion = e.Version,
    };

    public Proposal Apply(ProposalRejected e) => this with { Status = ProposalStatus.Rejected, DecidedBy = e.By, DecidedAt = e.At, Reason = e.Reason };

    public Proposal Step(object @event) => @event switch
    {
        ProposalAccepted e => Apply(e),
        ProposalRejected e => Apply(e),
        _ => this,
    };
}

/// <summary>The body of POST /api/quality/stores/{storeId}/knowledge/proposals: a new article, or (with articleId) a change to one.</summary>
[Description("店铺提出的新文章或对本店文章的修改。 / A new article, or a change to one of the store's own, proposed by the store.")]
public sealed record ProposeArticle(
    [property: Description("要修改的本店文章 ID（提议新文章时省略）。 / The store's article to change (absent for a new one).")] string? ArticleId,
    [property: Description("类型：product、policy、platformRule、script、quickReply 或 case。 / The kind: product, policy, platformRule, script, quickReply or case.")] string? Kind,
    [property: Description("标题。 / The title.")] string? Title,
    [property: Description("正文。 / The body.")] string? Body,
    [property: Description("标签。 / The tags.")] IReadOnlyList<string?>? Tags,
    [property: Description("是否为必读文章。 / Whether it is critical (a must-read).")] bool? Critical,
    [property: Description("快捷回复的快捷键（quickReply 必填）。 / The shortcut (required for a quickReply).")] string? Shortcut) : IExample<ProposeArticle>
{
    public static ProposeArticle Example => new("kb-return-policy", "policy", "退货政策",
        "未拆封茶叶支持七天无理由退货；定制礼盒、已开封茶叶不支持无理由退货。", ["退货"], true, null);
}

public sealed record RejectProposal(string? Reason);

public static class ProposalDecisions
{
    /// <summary>
    /// A store proposes for itself only. <paramref name="target"/> is the article a change is about, already known to be the store's own
    /// or shared (the endpoint answers 404 for another store's). Teaching cases come from QC reviews, not from stores.
    /// </summary>
    public static Decision Submit(string storeId, string proposalId, ProposeArticle command, Article? target, string by, DateTimeOffset now)
    {
        var errors = new Errors();
        string kind;
        if (command.ArticleId is not null)
        {
            if (target is null) return errors.Add("articleId", $"No article '{command.ArticleId}' of this store.").ToDecision();
            if (target.StoreId != storeId) return errors.Add("articleId", "Shared articles are changed by ops; propose a store article instead.").ToDecision();
            if (target.Status == ArticleStatus.Retired) return new Decision.Conflict($"Article '{target.ArticleId}' is retired.");
            errors.Check(command.Kind is null || command.Kind == target.Kind, "kind", "The kind of an article does not change.");
            kind = target.Kind;
        }
        else
        {
            var proposable = ArticleKinds.All.Where(k => k != ArticleKinds.Case).ToList();
            if (command.Kind is null || !proposable.Contains(command.Kind))
                return errors.Add("kind", $"Required, one of: {string.Join(", ", proposable)}.").ToDecision();
            kind = command.Kind;
        }
        var content = ArticleDecisions.Content(errors, kind, command.Title, command.Body, command.Tags, command.Critical, command.Shortcut);
        if (content is null) return errors.ToDecision();
        return Decision.Of(new ProposalSubmitted(proposalId, storeId, command.ArticleId, kind, content.Title, content.Body, content.Tags,
            content.Critical, content.Shortcut, by, now));
    }

    /// <summary>
    /// Accepting publishes the proposed content as a new version (of a new article, or of the proposal's article), credited to the proposal.
    /// The events of both streams come back together: article events (ArticleDrafted, ArticlePublished) and ProposalAccepted.
    /// </summary>
    public static Decision Accept(Proposal proposal, Article? target, string newArticleId, string by, IEnumerable<Article> inForce, DateTimeOffset now)
    {
        if (proposal.Status == ProposalStatus.Accepted) return new Decision.Unchanged();
        if (proposal.Status == ProposalStatus.Rejected) return new Decision.Conflict($"Proposal '{proposal.ProposalId}' was rejected.");
        var command = new DraftArticle(proposal.StoreId, proposal.Kind, proposal.Title, proposal.Body, [.. proposal.Tags], proposal.Critical,
            proposal.Shortcut);
        var inForceList = inForce.ToList();
        var drafted = proposal.ArticleId is null
            ? ArticleDecisions.Create(newArticleId, command, by, inForceList, now, proposalId: proposal.ProposalId)
            : target is null
                ? new Decision.Conflict($"Article '{proposal.ArticleId}' no longer exists.")
                : ArticleDecisions.Revise(target, command, by, inForceList, now, proposal.ProposalId);
        if (drafted is not Decision.Append append) return drafted;
        var article = Article.Fold(target, append.Events);
        var published = ArticleDecisions.Publish(article, by, inForceList, now, proposal.ProposalId);
        if (published is not Decision.Append publish) return published;
        var version = ((ArticlePublished)publish.Events[0]).Version;
        return Decision.Of([.. append.Events, .. publish.Events,
            new ProposalAccepted(proposal.ProposalId, proposal.StoreId, article.ArticleId, version, by, now)]);
    }

    public static Decision Reject(Proposal proposal, RejectProposal command, string by, DateTimeOffset now)
    {
        if (proposal.Status == ProposalStatus.Rejected) return new Decision.Unchanged();
        if (proposal.Status == ProposalStatus.Accepted) return new Decision.Conflict($"Proposal '{proposal.ProposalId}' was accepted already.");
        if (string.IsNullOrWhiteSpace(command.Reason) || command.Reason.Length > 500)
            return new Errors().Add("reason", "Required: why, at most 500 characters (the store sees it).").ToDecision();
        return Decision.Of(new ProposalRejected(proposal.ProposalId, proposal.StoreId, command.Reason.Trim(), by, now));
    }
}
