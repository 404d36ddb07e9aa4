using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Vendor.Quality.Conversations;
using Vendor.Quality.Inspectors;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Reviews;

public static class ReviewsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<RubricPublished>("rubric.published.v1");
        options.Events.MapEventType<ReviewCompleted>("review.completed.v1");
        options.Events.MapEventType<ReviewDisputed>("review.disputed.v1");
        options.Events.MapEventType<DisputeUpheld>("review.dispute-upheld.v1");
        options.Events.MapEventType<ReviewOverturned>("review.overturned.v1");
        options.Projections.Snapshot<Rubric>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<QcReview>(SnapshotLifecycle.Inline);
        options.Schema.For<QcReview>().Index(r => r.AgentId).Index(r => r.StoreId);
    }

    /// <summary>What else must change in the same transaction when a review's figures change (remedial training, certifications).</summary>
    public delegate Task ReviewChanged(IDocumentSession session, QcReview review, DateTimeOffset now, CancellationToken ct);

    public static async Task<IReadOnlyList<Rubric>> RubricsAsync(IQuerySession session, CancellationToken ct) =>
        await session.Query<Rubric>().ToListAsync(ct);

    public static void MapReviews(this IEndpointRouteBuilder app, ReviewChanged onChanged)
    {
        var qc = app.MapGroup("/api/quality").WithTags("QC").RequireCaller(Roles.Ops);

        qc.MapPut("/rubrics/{rubricId}", async Task<IResult> (string rubricId, PublishRubric command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                await using var query = store.QuerySession();
                var others = await RubricsAsync(query, ct);
                var (decision, rubric) = await store.DecideAsync<Rubric>(Rubric.StreamKey(rubricId),
                    existing => Rubrics.Publish(existing, rubricId, command, others, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, rubric!.Version);
                return TypedResults.Ok(rubric);
            })
            .WithName("PublishRubric").WithSummary("Publish a new version of a QC rubric (ops): items with weights, critical items; 'default' or for listed stores.")
            .ProducesValidationProblem().ProducesProblem(409).ProducesProblem(412);

        qc.MapGet("/rubrics", async (string? storeId, IQuerySession session, CancellationToken ct) =>
            {
                var rubrics = await RubricsAsync(session, ct);
                return storeId is null
                    ? TypedResults.Ok<object>(rubrics.OrderBy(r => r.RubricId).ToList())
                    : TypedResults.Ok<object>(Rubrics.InForce(rubrics, storeId));
            })
            .WithName("ListRubrics").WithSummary("Rubrics with all their versions; with storeId, the version in force for that store (ops).");

        qc.MapPost("/reviews", async Task<IResult> (SubmitReview command, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
            {
                var missing = new Errors()
                    .Check(Ids.IsValid(command.StoreId), "storeId", Ids.Rule)
                    .Check(!string.IsNullOrEmpty(command.ConversationId) && command.ConversationId.Length <= 128, "conversationId", "Required.")
                    .Check(Ids.IsValid(command.AgentId), "agentId", Ids.Rule)
                    .Check(!string.IsNullOrEmpty(command.InspectorId), "inspectorId", "Required.");
                if (missing.Any) return missing.ToDecision().Refusal()!;
                var now = clock.GetUtcNow();
                await using var session = store.LightweightSession();
                var sample = await ConversationFacts.SampleAsync(session, command.StoreId!, command.ConversationId!, command.AgentId!, ct);
                if (sample is null)
                    return Problems.NotFound($"Conversation '{command.ConversationId}' of store '{command.StoreId}' was not sampled for agent '{command.AgentId}'.");
                var inspector = await session.LoadAsync<Inspector>(Inspector.StreamKey(command.InspectorId!), ct);
                var rubric = Rubrics.InForce(await RubricsAsync(session, ct), command.StoreId!);
                var reviewId = $"qc-{Guid.CreateVersion7():N}";
                var decision = ReviewDecisions.Review(command, sample.Value.Item, sample.Value.ReviewId, inspector, rubric, reviewId, now);
                if (decision.Refusal() is { } refusal) return refusal;
                var completed = (ReviewCompleted)((Decision.Append)decision).Events[0];

                await session.BeginTransactionAsync(ct);
                if (!await ConversationFacts.MarkReviewedAsync(session, completed.StoreId, completed.ConversationId, completed.AgentId, reviewId, ct))
                    return Problems.Conflict("This conversation was reviewed for the agent a moment ago.");
                session.Events.StartStream<QcReview>(QcReview.StreamKey(reviewId), completed);
                var review = QcReview.Of(completed);
                await onChanged(session, review, now, ct);
                await session.SaveChangesAsync(ct);
                return TypedResults.Created($"/api/quality/reviews/{reviewId}", review);
            })
            .WithName("SubmitReview").WithSummary("Score a sampled conversation against the rubric in force (ops); publishes QcReviewCompleted.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        qc.MapGet("/reviews/{reviewId}", async Task<IResult> (string reviewId, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<QcReview>(QcReview.StreamKey(reviewId), ct) is { } review
                    ? TypedResults.Ok(review)
                    : Problems.NotFound($"Review '{reviewId}' does not exist."))
            .WithName("GetReview").WithSummary("One QC review with its dispute (ops).").ProducesProblem(404);

        qc.MapGet("/reviews", async Task<IResult> (string? agentId, string? storeId, string? status, DateOnly? from, DateOnly? to,
                IQuerySession session, CancellationToken ct) =>
            {
                var query = session.Query<QcReview>().AsQueryable();
                if (agentId is not null) query = query.Where(r => r.AgentId == agentId);
                if (storeId is not null) query = query.Where(r => r.StoreId == storeId);
                if (status is not null) query = query.Where(r => r.Status == status);
                if (from is { } f) query = query.Where(r => r.LocalDate >= f);
                if (to is { } t) query = query.Where(r => r.LocalDate <= t);
                return TypedResults.Ok(await query.OrderByDescending(r => r.CompletedAt).Take(500).ToListAsync(ct));
            })
            .WithName("ListReviews").WithSummary("QC reviews, newest first, by agent, store, status (completed, disputed, upheld, overturned) and conversation dates (ops).");

        qc.MapPost("/reviews/{reviewId}/dispute", (string reviewId, RaiseDispute command, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
                ChangeAsync(store, reviewId, onChanged, clock.GetUtcNow(), (review, _) => Task.FromResult(ReviewDecisions.Dispute(review, command, clock.GetUtcNow())), ct))
            .WithName("DisputeReview").WithSummary("The reviewed agent disputes a review (申诉) within 7 days (ops, on the agent's behalf).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        qc.MapPost("/reviews/{reviewId}/dispute/decision", (string reviewId, DecideDispute command, IDocumentStore store, TimeProvider clock,
                CancellationToken ct) =>
                ChangeAsync(store, reviewId, onChanged, clock.GetUtcNow(), async (review, session) =>
                {
                    var senior = command.InspectorId is null ? null : await session.LoadAsync<Inspector>(Inspector.StreamKey(command.InspectorId), ct);
                    var rubric = Rubrics.Version(await session.LoadAsync<Rubric>(Rubric.StreamKey(review.RubricId), ct), review.RubricId, review.RubricVersion);
                    return ReviewDecisions.Decide(review, command, senior, rubric, clock.GetUtcNow());
                }, ct))
            .WithName("DecideDispute").WithSummary("A senior inspector upholds or overturns a disputed review; overturning re-scores it and corrects every figure (ops).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
    }

    private static async Task<IResult> ChangeAsync(IDocumentStore store, string reviewId, ReviewChanged onChanged, DateTimeOffset now,
        Func<QcReview, IDocumentSession, Task<Decision>> decide, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<QcReview>(QcReview.StreamKey(reviewId), ct);
        if (stream.Aggregate is not { } review) return Problems.NotFound($"Review '{reviewId}' does not exist.");
        var decision = await decide(review, session);
        if (decision.Refusal() is { } refusal) return refusal;
        if (decision is not Decision.Append append) return TypedResults.Ok(review);
        stream.AppendMany(append.Events);
        var changed = ReviewDecisions.Applied(review, append.Events);
        await onChanged(session, changed, now, ct);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (ConcurrencyException)
        {
            return Problems.Conflict("The review changed at the same moment; load it again.");
        }
        return TypedResults.Ok(changed);
    }
}
