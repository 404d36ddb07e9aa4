using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Marten.Exceptions;
using Vendor.Quality.Reviews;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Knowledge;

public static class KnowledgeModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<ArticleDrafted>("knowledge.article-drafted.v1");
        options.Events.MapEventType<ArticlePublished>("knowledge.article-published.v1");
        options.Events.MapEventType<ArticleRetired>("knowledge.article-retired.v1");
        options.Events.MapEventType<ProposalSubmitted>("knowledge.proposal-submitted.v1");
        options.Events.MapEventType<ProposalAccepted>("knowledge.proposal-accepted.v1");
        options.Events.MapEventType<ProposalRejected>("knowledge.proposal-rejected.v1");
        options.Events.MapEventType<MustReadAcknowledged>("knowledge.must-read-acknowledged.v1");
        options.Projections.Snapshot<Article>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<Proposal>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<AgentReading>(SnapshotLifecycle.Inline);
        options.Schema.For<Article>().Index(a => a.StoreId).Index(a => a.Status);
        options.Schema.For<Proposal>().Index(p => p.StoreId);
    }

    private static IResult NoArticle(string articleId) => Problems.NotFound($"Article '{articleId}' does not exist.");

    private static IResult NoProposal(string proposalId) => Problems.NotFound($"Proposal '{proposalId}' does not exist.");

    /// <summary>Articles in force (for shortcut clashes and must-read); every store's, the shared ones included.</summary>
    private static async Task<IReadOnlyList<Article>> InForceAsync(IQuerySession session, CancellationToken ct) =>
        await session.Query<Article>().Where(a => a.Status == ArticleStatus.Published).ToListAsync(ct);

    /// <summary>What a store may read: its own and the shared articles in force.</summary>
    private static async Task<IReadOnlyList<Article>> ForStoreAsync(IQuerySession session, string storeId, CancellationToken ct) =>
        await session.Query<Article>().Where(a => a.Status == ArticleStatus.Published && (a.StoreId == storeId || a.StoreId == null)).ToListAsync(ct);

    public static void MapKnowledge(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/api/quality").WithTags("Knowledge").RequireCaller(Roles.Ops);
        var articles = ops.MapGroup("/knowledge/articles");

        articles.MapPost("", async Task<IResult> (DraftArticle command, IDocumentStore store, TimeProvider clock, HttpContext http, CancellationToken ct) =>
            {
                var articleId = ArticleDecisions.NewId();
                return await WriteArticleAsync(store, articleId, true, null, (article, inForce) => article is null
                    ? ArticleDecisions.Create(articleId, command, http.Caller().KeyId, inForce, clock.GetUtcNow())
                    : new Decision.Conflict("The generated id is taken; post again."), http, ct);
            })
            .WithName("CreateArticle").WithSummary("Draft a new knowledge-base article, version 1 (ops): storeId absent = every store; quick replies need a shortcut.")
            .ProducesValidationProblem().ProducesProblem(409);

        articles.MapGet("", async (string? storeId, string? kind, string? status, IQuerySession session, CancellationToken ct) =>
            {
                var query = session.Query<Article>().AsQueryable();
                if (storeId is not null) query = query.Where(a => a.StoreId == storeId);
                if (kind is not null) query = query.Where(a => a.Kind == kind);
                if (status is not null) query = query.Where(a => a.Status == status);
                return TypedResults.Ok((await query.ToListAsync(ct)).OrderByDescending(a => a.Latest.DraftedAt).Take(500).Select(ArticleView.Of));
            })
            .WithName("ListArticles").WithSummary("Articles by store, kind and status (draft, published, retired), latest change first (ops).");

        articles.MapGet("/{articleId}", async Task<IResult> (string articleId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                if (await session.LoadAsync<Article>(Article.StreamKey(articleId), ct) is not { } article) return NoArticle(articleId);
                ETags.Set(http.Response, article.StreamVersion);
                return TypedResults.Ok(ArticleView.Of(article));
            })
            .WithName("GetArticle").WithSummary("An article: the published version and the latest one (ops). ETag for If-Match.").ProducesProblem(404);

        articles.MapGet("/{articleId}/history", async Task<IResult> (string articleId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                if (await session.LoadAsync<Article>(Article.StreamKey(articleId), ct) is not { } article) return NoArticle(articleId);
                ETags.Set(http.Response, article.StreamVersion);
                return TypedResults.Ok(new { article.ArticleId, article.StoreId, article.Kind, article.Status, article.RetiredAt, article.RetiredReason,
                    Versions = article.Versions });
            })
            .WithName("GetArticleHistory").WithSummary("Every version of an article with its status and who drafted and published it (ops).").ProducesProblem(404);

        articles.MapPut("/{articleId}", async Task<IResult> (string articleId, DraftArticle command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                // A new version must be based on the one the editor saw: If-Match is required, a stale one is a 409.
                if (ETags.IfMatch(http.Request) is not { } expected)
                    return Problems.Result(StatusCodes.Status428PreconditionRequired, "Precondition required",
                        "Send If-Match with the article's ETag: a new version must be based on the current one.");
                if (expected < 0) return new Errors().Add("If-Match", "The article's ETag, e.g. \"3\".").ToDecision().Refusal()!;
                return await WriteArticleAsync(store, articleId, false, expected, (article, inForce) =>
                    ArticleDecisions.Revise(article!, command, http.Caller().KeyId, inForce, clock.GetUtcNow()), http, ct);
            })
            .WithName("ReviseArticle").WithSummary("A new draft version of an article (ops; If-Match required, 409 when stale). The published version stays as it is.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(428);

        articles.MapPost("/{articleId}/publish", async Task<IResult> (string articleId, IDocumentStore store, TimeProvider clock, HttpContext http,
                CancellationToken ct) =>
                await WriteArticleAsync(store, articleId, false, ETags.IfMatch(http.Request), (article, inForce) =>
                    ArticleDecisions.Publish(article!, http.Caller().KeyId, inForce, clock.GetUtcNow()), http, ct))
            .WithName("PublishArticle").WithSummary("Publish the latest draft version (ops): it replaces the published one; a critical one becomes a must-read.")
            .ProducesProblem(404).ProducesProblem(409);

        articles.MapPost("/{articleId}/retire", async Task<IResult> (string articleId, RetireArticle? command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
                await WriteArticleAsync(store, articleId, false, ETags.IfMatch(http.Request), (article, _) =>
                    ArticleDecisions.Retire(article!, command ?? new RetireArticle(null), http.Caller().KeyId, clock.GetUtcNow()), http, ct))
            .WithName("RetireArticle").WithSummary("Retire an article for good (ops): no store, agent or search sees it any more.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        var proposals = ops.MapGroup("/knowledge/proposals");

        proposals.MapGet("", async (string? storeId, string? status, IQuerySession session, CancellationToken ct) =>
            {
                var query = session.Query<Proposal>().AsQueryable();
                if (storeId is not null) query = query.Where(p => p.StoreId == storeId);
                if (status is not null) query = query.Where(p => p.Status == status);
                return TypedResults.Ok((await query.ToListAsync(ct)).OrderBy(p => p.SubmittedAt).Take(500).Select(ProposalView.Of));
            })
            .WithName("ListProposals").WithSummary("Stores' proposals by store and status (pending, accepted, rejected), oldest first (ops).");

        proposals.MapPost("/{proposalId}/accept", (string proposalId, IDocumentStore store, TimeProvider clock, HttpContext http, CancellationToken ct) =>
                AcceptAsync(store, proposalId, http.Caller().KeyId, clock.GetUtcNow(), ct))
            .WithName("AcceptProposal").WithSummary("Accept a store's proposal (ops): publishes it as a new version, credited to the proposal.")
            .ProducesProblem(404).ProducesProblem(409);

        proposals.MapPost("/{proposalId}/reject", async Task<IResult> (string proposalId, RejectProposal command, IDocumentStore store,
                TimeProvider clock, HttpContext http, CancellationToken ct) =>
            {
                var (decision, proposal) = await store.DecideAsync<Proposal>(Proposal.StreamKey(proposalId),
                    p => p is null ? new Decision.Unchanged() : ProposalDecisions.Reject(p, command, http.Caller().KeyId, clock.GetUtcNow()), null, ct);
                if (proposal is null) return NoProposal(proposalId);
                return decision.Refusal() ?? TypedResults.Ok(ProposalView.Of(proposal));
            })
            .WithName("RejectProposal").WithSummary("Reject a store's proposal with a reason the store sees (ops).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        // Store routes: a store key reads and proposes for its own store only (RequireCaller checks {storeId}).
        var storeKb = app.MapGroup("/api/quality/stores/{storeId}").RequireCaller(Roles.Ops, Roles.Store).StoreFacing().StoreTag("Knowledge", "知识库：店铺与共享的已发布文章、快捷回复，以及店铺提交的修改建议。 / The knowledge base: the store's and the shared published articles, quick replies, and the store's proposals.");

        storeKb.MapGet("/knowledge/articles", async (string storeId, string? kind, string? tag, IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await ForStoreAsync(session, storeId, ct))
                    .Where(a => (kind is null || a.Kind == kind) && (tag is null || a.Published!.Tags.Contains(tag)))
                    .Select(PublishedArticleView.Of).OrderBy(a => a.Kind, StringComparer.Ordinal).ThenBy(a => a.Title, StringComparer.Ordinal)))
            .WithName("ListStoreArticles").WithSummary("The published articles a store's agents work with: its own and the shared ones (ops, store).")
            .WithDescription("店铺客服使用的已发布文章：本店的和共享的，按类型和标题排序。\n\nThe published articles the store's agents work with, its own and the shared ones, by kind and title.")
            .Parameter("kind", "只列此类型（可选）：product、policy、platformRule、script、quickReply、case。 / Only this kind (optional): product, policy, platformRule, script, quickReply, case.", "policy")
            .Parameter("tag", "只列带此标签的（可选）。 / Only those with this tag (optional).", "退货")
            .Produces<IReadOnlyList<PublishedArticleView>>(200);

        storeKb.MapGet("/knowledge/articles/{articleId}", async Task<IResult> (string storeId, string articleId, IQuerySession session,
                CancellationToken ct) =>
                await session.LoadAsync<Article>(Article.StreamKey(articleId), ct) is { InForce: true } article && article.AppliesTo(storeId)
                    ? TypedResults.Ok(PublishedArticleView.Of(article))
                    : NoArticle(articleId))
            .WithName("GetStoreArticle").WithSummary("A published article of the store or a shared one (ops, store); 404 for any other.")
            .WithDescription("本店或共享的一篇已发布文章；其他店铺的、草稿或已下线的文章一律 404。\n\nA published article of the store or a shared one; another store's, a draft or a retired one is 404.")
            .Parameter("articleId", "文章 ID。 / The article's id.", "kb-return-policy")
            .Produces<PublishedArticleView>(200).Problem(404);

        storeKb.MapGet("/quick-replies", async (string storeId, IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await ForStoreAsync(session, storeId, ct)).Where(a => a.Kind == ArticleKinds.QuickReply)
                    .Select(QuickReplyView.Of).OrderBy(q => q.Shortcut, StringComparer.Ordinal)))
            .WithName("ListQuickReplies").WithSummary("The store's quick replies with the shared ones, by shortcut, for the agents' chat tool (ops, store).")
            .WithDescription("本店和共享的快捷回复，按快捷键排序，供客服聊天工具使用。\n\nThe store's quick replies with the shared ones, by shortcut, for the agents' chat tool.")
            .Produces<IReadOnlyList<QuickReplyView>>(200);

        storeKb.MapPost("/knowledge/proposals", async Task<IResult> (string storeId, ProposeArticle command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                if (!Ids.IsValid(storeId)) return new Errors().Add("storeId", Ids.Rule).ToDecision().Refusal()!;
                Article? target = null;
                if (command.ArticleId is not null)
                {
                    await using var query = store.QuerySession();
                    target = await query.LoadAsync<Article>(Article.StreamKey(command.ArticleId), ct);
                    // Another store's article, a draft or a retired one does not exist as far as this store can tell (it reads published ones only).
                    if (target is not { InForce: true } || !target.AppliesTo(storeId)) return NoArticle(command.ArticleId);
                }
                var proposalId = Proposal.NewId();
                var (decision, proposal) = await store.DecideAsync<Proposal>(Proposal.StreamKey(proposalId),
                    existing => existing is null
                        ? ProposalDecisions.Submit(storeId, proposalId, command, target, http.Caller().KeyId, clock.GetUtcNow())
                        : new Decision.Conflict("The generated id is taken; post again."), null, ct);
                if (decision.Refusal() is { } refusal) return refusal;
                return TypedResults.Created($"/api/quality/stores/{storeId}/knowledge/proposals/{proposalId}", ProposalView.Of(proposal!));
            })
            .WithName("ProposeArticle").WithSummary("A store proposes a new article or a change to one of its own (ops, store); ops accept or reject it.")
            .WithDescription("店铺提议一篇新文章，或修改本店的一篇文章；服务商审核后采纳或拒绝。\n\nThe store proposes a new article or a change to one of its own; the vendor accepts or rejects it.")
            .Produces<ProposalView>(201)
            .ProducesValidationProblem().Problem(404).Problem(409);

        storeKb.MapGet("/knowledge/proposals", async (string storeId, string? status, IQuerySession session, CancellationToken ct) =>
            {
                var query = session.Query<Proposal>().Where(p => p.StoreId == storeId);
                if (status is not null) query = query.Where(p => p.Status == status);
                return TypedResults.Ok((await query.ToListAsync(ct)).OrderByDescending(p => p.SubmittedAt).Select(ProposalView.Of));
            })
            .WithName("ListStoreProposals").WithSummary("The store's proposals and their outcomes, newest first (ops, store).")
            .WithDescription("本店的修改建议及其结果，最新的在前。\n\nThe store's proposals and their outcomes, newest first.")
            .Parameter("status", "只列此状态（可选）：pending、accepted、rejected。 / Only this status (optional): pending, accepted, rejected.", "pending")
            .Produces<IReadOnlyList<ProposalView>>(200);

        storeKb.MapGet("/knowledge/proposals/{proposalId}", async Task<IResult> (string storeId, string proposalId, IQuerySession session,
                CancellationToken ct) =>
                await session.LoadAsync<Proposal>(Proposal.StreamKey(proposalId), ct) is { } proposal && proposal.StoreId == storeId
                    ? TypedResults.Ok(ProposalView.Of(proposal))
                    : NoProposal(proposalId))
            .WithName("GetStoreProposal").WithSummary("One of the store's proposals with its outcome (ops, store); 404 for another store's.")
            .WithDescription("本店的一条修改建议及其结果；其他店铺的建议为 404。\n\nOne of the store's proposals with its outcome; another store's is 404.")
            .Parameter("proposalId", "建议 ID。 / The proposal's id.", "kp-0193b7c2a1d47e0f8c2b5d6e7f8a9b0e")
            .Produces<ProposalView>(200).Problem(404);

        ops.MapGet("/stores/{storeId}/knowledge/compliance", async (string storeId, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
            {
                var agents = await session.Query<AgentCertifications>().Where(a => a.Held.Any(h => h.StoreId == storeId)).ToListAsync(ct);
                var readings = await session.LoadManyAsync<AgentReading>(ct, agents.Select(a => AgentReading.StreamKey(a.AgentId)).ToArray());
                return TypedResults.Ok(MustRead.Compliance(storeId, agents, await ForStoreAsync(session, storeId, ct),
                    readings.ToDictionary(r => r.AgentId), clock.GetUtcNow()));
            })
            .WithName("GetKnowledgeCompliance").WithSummary("Per critical article in force for the store, the certified agents who have not acknowledged its current version, and since when (ops).");

        var agent = ops.MapGroup("/agents/{agentId}/must-read");

        agent.MapGet("", async (string agentId, IQuerySession session, CancellationToken ct) =>
            {
                var certifications = await session.LoadAsync<AgentCertifications>(AgentCertifications.StreamKey(agentId), ct);
                var reading = await session.LoadAsync<AgentReading>(AgentReading.StreamKey(agentId), ct);
                return TypedResults.Ok(new { AgentId = agentId, Items = MustRead.For(certifications, await InForceAsync(session, ct), reading) });
            })
            .WithName("GetMustRead").WithSummary("The critical articles the agent has not acknowledged in their current version, for the stores the agent is certified for (ops).");

        agent.MapPost("/{articleId}/ack", async Task<IResult> (string agentId, string articleId, AcknowledgeMustRead? command, IDocumentStore store,
                TimeProvider clock, CancellationToken ct) =>
            {
                if (!Ids.IsValid(agentId)) return new Errors().Add("agentId", Ids.Rule).ToDecision().Refusal()!;
                Article? article;
                AgentCertifications? certifications;
                await using (var query = store.QuerySession())
                {
                    article = await query.LoadAsync<Article>(Article.StreamKey(articleId), ct);
                    certifications = await query.LoadAsync<AgentCertifications>(AgentCertifications.StreamKey(agentId), ct);
                }
                if (article is null) return NoArticle(articleId);
                var (decision, reading) = await store.DecideAsync<AgentReading>(AgentReading.StreamKey(agentId),
                    existing => MustRead.Acknowledge(agentId, article, certifications, existing, command ?? new AcknowledgeMustRead(null), clock.GetUtcNow()),
                    null, ct);
                if (decision.Refusal() is { } refusal) return refusal;
                var ack = reading!.Acks.Single(a => a.ArticleId == articleId);
                return TypedResults.Ok(new { AgentId = agentId, ack.ArticleId, ack.Version, AcknowledgedAt = ack.At });
            })
            .WithName("AcknowledgeMustRead").WithSummary("The agent read the article's current version (ops, on the agent's behalf); idempotent.")
            .ProducesProblem(404).ProducesProblem(409);

        ops.MapPost("/reviews/{reviewId}/case", async Task<IResult> (string reviewId, PromoteCase command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                QcReview? review;
                IReadOnlyDictionary<string, CatalogueCourse> catalogue;
                await using (var query = store.QuerySession())
                {
                    review = await query.LoadAsync<QcReview>(QcReview.StreamKey(reviewId), ct);
                    catalogue = await Catalogue.LoadAsync(query, ct);
                }
                if (review is null) return Problems.NotFound($"Review '{reviewId}' does not exist.");
                var articleId = CaseDecisions.ArticleId(reviewId);
                return await WriteArticleAsync(store, articleId, true, null, (existing, inForce) =>
                    CaseDecisions.Promote(review, existing, command, catalogue, http.Caller().KeyId, inForce, clock.GetUtcNow()), http, ct);
            })
            .WithName("PromoteReviewToCase").WithSummary("Turn a QC review into a teaching case draft (ops): PII masked, linked to training courses.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
    }

    /// <summary>
    /// Decides on an article and commits it with the search index in one transaction: a published version is indexed, a retired article
    /// removed. 201 when the article was created, else 200; a stale If-Match or a concurrent change is a 409.
    /// </summary>
    private static async Task<IResult> WriteArticleAsync(IDocumentStore store, string articleId, bool create, long? expectedVersion,
        Func<Article?, IReadOnlyList<Article>, Decision> decide, HttpContext http, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Article>(Article.StreamKey(articleId), ct);
        var current = stream.CurrentVersion ?? 0;
        var creating = stream.Aggregate is null;
        if (creating && !create) return NoArticle(articleId);
        if (expectedVersion is { } expected && expected != current) return Stale(current);
        var decision = decide(stream.Aggregate, await InForceAsync(session, ct));
        if (decision.Refusal() is { } refusal) return refusal;
        var article = stream.Aggregate;
        if (decision is Decision.Append append)
        {
            stream.AppendMany(append.Events);
            article = Article.Fold(article, append.Events);
            await session.BeginTransactionAsync(ct);
            await IndexAsync(session, article, append.Events, ct);
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (e is ConcurrencyException or ExistingStreamIdCollisionException)
            {
                return Problems.Conflict("The article changed at the same moment; load it again.");
            }
        }
        ETags.Set(http.Response, article!.StreamVersion);
        return creating
            ? TypedResults.Created($"/api/quality/knowledge/articles/{article.ArticleId}", new { article.ArticleId, Version = article.Latest.Version })
            : TypedResults.Ok(ArticleView.Of(article));
    }

    private static IResult Stale(long current) =>
        Problems.Conflict($"If-Match does not name the article's current version (\"{current}\"); load it again and redo the change.");

    private static async Task IndexAsync(IDocumentSession session, Article article, IEnumerable<object> events, CancellationToken ct)
    {
        foreach (var e in events)
        {
            if (e is ArticlePublished && article.Published is { } v)
                await KnowledgeSearch.IndexAsync(session, new SearchDocument(article.ArticleId, v.Version, article.StoreId, article.Kind, v.Title, v.Body,
                    v.Tags, v.Shortcut), ct);
            else if (e is ArticleRetired)
                await KnowledgeSearch.RemoveAsync(session, article.ArticleId, ct);
        }
    }

    /// <summary>The proposal and its article in one transaction: the new version, its publication, the proposal's outcome, the index.</summary>
    private static async Task<IResult> AcceptAsync(IDocumentStore store, string proposalId, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var proposalStream = await session.Events.FetchForWriting<Proposal>(Proposal.StreamKey(proposalId), ct);
        if (proposalStream.Aggregate is not { } proposal) return NoProposal(proposalId);
        var articleId = proposal.ArticleId ?? ArticleDecisions.NewId();
        var articleStream = await session.Events.FetchForWriting<Article>(Article.StreamKey(articleId), ct);
        var decision = ProposalDecisions.Accept(proposal, articleStream.Aggregate, articleId, by, await InForceAsync(session, ct), now);
        if (decision.Refusal() is { } refusal) return refusal;
        if (decision is not Decision.Append append) return TypedResults.Ok(ProposalView.Of(proposal));
        var articleEvents = append.Events.Where(e => e is not ProposalAccepted).ToList();
        var proposalEvents = append.Events.Where(e => e is ProposalAccepted).ToList();
        articleStream.AppendMany(articleEvents);
        proposalStream.AppendMany(proposalEvents);
        await session.BeginTransactionAsync(ct);
        await IndexAsync(session, Article.Fold(articleStream.Aggregate, articleEvents), articleEvents, ct);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is ConcurrencyException or ExistingStreamIdCollisionException)
        {
            return Problems.Conflict("The proposal or its article changed at the same moment; try again.");
        }
        return TypedResults.Ok(ProposalView.Of(proposalEvents.Aggregate(proposal, (p, e) => p.Step(e))));
    }
}

/// <summary>An article as ops see it: the version in force and the latest one (a draft when it differs).</summary>
public sealed record ArticleView(string ArticleId, string? StoreId, string Kind, string Status, int? PublishedVersion, int LatestVersion,
    ArticleVersion? Published, ArticleVersion Latest, string? SourceReviewId, IReadOnlyList<string> CourseCodes, DateTimeOffset CreatedAt,
    DateTimeOffset? RetiredAt, string? RetiredReason)
{
    public static ArticleView Of(Article a) => new(a.ArticleId, a.StoreId, a.Kind, a.Status, a.PublishedVersion, a.Latest.Version, a.Published,
        a.Latest, a.SourceReviewId, a.CourseCodes ?? [], a.CreatedAt, a.RetiredAt, a.RetiredReason);
}

/// <summary>A published article as stores and agents read it: the version in force only.</summary>
[Description("一篇已发布的知识库文章。 / A published knowledge-base article.")]
public sealed record PublishedArticleView(
    [property: Description("文章 ID。 / The article's id.")] string ArticleId,
    [property: Description("所属店铺（共享文章为 null）。 / The store it belongs to (null for a shared article).")] string? StoreId,
    [property: Description("是否为所有店铺共享的文章。 / Whether every store shares it.")] bool Shared,
    [property: Description("类型：product、policy、platformRule、script、quickReply 或 case。 / The kind: product, policy, platformRule, script, quickReply or case.")] string Kind,
    [property: Description("已发布的版本号。 / The published version.")] int Version,
    [property: Description("标题。 / The title.")] string Title,
    [property: Description("正文。 / The body.")] string Body,
    [property: Description("标签。 / The tags.")] IReadOnlyList<string> Tags,
    [property: Description("是否为必读（关键）文章。 / Whether it is critical (a must-read).")] bool Critical,
    [property: Description("快捷回复的快捷键（其他类型为 null）。 / The quick reply's shortcut (null for other kinds).")] string? Shortcut,
    [property: Description("发布时间。 / When it was published.")] DateTimeOffset PublishedAt) : IExample<PublishedArticleView>
{
    public static PublishedArticleView Example => new("kb-return-policy", StoreApi.StoreIdExample, false, "policy", 3, "退货政策",
        "未拆封茶叶支持七天无理由退货；定制礼盒不支持无理由退货。", ["退货", "售后"], true, null, new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.FromHours(8)));

    public static PublishedArticleView Of(Article a)
    {
        var v = a.Published!;
        return new(a.ArticleId, a.StoreId, a.StoreId is null, a.Kind, v.Version, v.Title, v.Body, v.Tags, v.Critical, v.Shortcut, v.PublishedAt!.Value);
    }
}

[Description("一条快捷回复。 / A quick reply.")]
public sealed record QuickReplyView(
    [property: Description("快捷键。 / The shortcut.")] string Shortcut,
    [property: Description("文章 ID。 / The article's id.")] string ArticleId,
    [property: Description("已发布的版本号。 / The published version.")] int Version,
    [property: Description("标题。 / The title.")] string Title,
    [property: Description("回复内容。 / The reply's text.")] string Body,
    [property: Description("是否为共享的快捷回复。 / Whether it is shared by every store.")] bool Shared,
    [property: Description("标签。 / The tags.")] IReadOnlyList<string> Tags) : IExample<QuickReplyView>
{
    public static QuickReplyView Example => new("/fahuo", "kb-qr-shipping", 2, "发货时间", "亲，下午四点前付款当天发顺丰，一般两天内送达～", false, ["发货"]);

    public static QuickReplyView Of(Article a)
    {
        var v = a.Published!;
        return new(v.Shortcut!, a.ArticleId, v.Version, v.Title, v.Body, a.StoreId is null, v.Tags);
    }
}

[Description("店铺的一条修改建议及其结果。 / One of the store's proposals with its outcome.")]
public sealed record ProposalView(
    [property: Description("建议 ID。 / The proposal's id.")] string ProposalId,
    [property: Description("店铺 ID。 / The store's id.")] string StoreId,
    [property: Description("要修改的文章 ID（新文章为 null）。 / The article to change (null for a new article).")] string? ArticleId,
    [property: Description("文章类型。 / The article's kind.")] string Kind,
    [property: Description("标题。 / The title.")] string Title,
    [property: Description("正文。 / The body.")] string Body,
    [property: Description("标签。 / The tags.")] IReadOnlyList<string> Tags,
    [property: Description("是否为必读文章。 / Whether the article is critical.")] bool Critical,
    [property: Description("快捷回复的快捷键。 / The quick reply's shortcut.")] string? Shortcut,
    [property: Description("状态：pending、accepted 或 rejected。 / The status: pending, accepted or rejected.")] string Status,
    [property: Description("提交时间。 / When it was submitted.")] DateTimeOffset SubmittedAt,
    [property: Description("处理时间。 / When it was decided.")] DateTimeOffset? DecidedAt,
    [property: Description("拒绝理由。 / Why it was rejected.")] string? Reason,
    [property: Description("采纳后发布的文章 ID。 / The article published when accepted.")] string? PublishedArticleId,
    [property: Description("采纳后发布的版本号。 / The version published when accepted.")] int? PublishedVersion) : IExample<ProposalView>
{
    public static ProposalView Example => new("kp-0193b7c2a1d47e0f8c2b5d6e7f8a9b0e", StoreApi.StoreIdExample, "kb-return-policy", "policy", "退货政策",
        "未拆封茶叶支持七天无理由退货；定制礼盒、已开封茶叶不支持无理由退货。", ["退货"], true, null, "pending", new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.FromHours(8)), null, null, null, null);

    public static ProposalView Of(Proposal p) => new(p.ProposalId, p.StoreId, p.ArticleId, p.Kind, p.Title, p.Body, p.Tags, p.Critical, p.Shortcut,
        p.Status, p.SubmittedAt, p.DecidedAt, p.Reason, p.PublishedArticleId, p.PublishedVersion);
}
