using Vendor.Quality.Conversations;
using Vendor.Quality.Inspectors;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Reviews;

public sealed record SubmitReview(string? StoreId, string? ConversationId, string? AgentId, string? InspectorId, IReadOnlyList<ItemScore>? Scores,
    IReadOnlyList<string>? CriticalErrors, string? Comment);

public sealed record RaiseDispute(string? AgentId, string? Reason);

public sealed record DecideDispute(string? InspectorId, string? Outcome, string? Reason, IReadOnlyList<ItemScore>? Scores, IReadOnlyList<string>? CriticalErrors);

public static class ReviewDecisions
{
    /// <summary>An agent may dispute a review for this long after it was completed (申诉期).</summary>
    public static readonly TimeSpan DisputeWindow = TimeSpan.FromDays(7);

    /// <summary>A review of a sampled conversation, by an active inspector covering the store, against the rubric in force.</summary>
    public static Decision Review(SubmitReview command, QueueItem? sample, string? reviewedAs, Inspector? inspector, RubricVersion rubric,
        string reviewId, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(inspector is { Active: true }, "inspectorId", "An active, registered inspector is required.")
            .Check(command.Comment is null || command.Comment.Length <= 2000, "comment", "At most 2,000 characters.");
        if (inspector is { Active: true } && sample is not null)
            errors.Check(inspector.Covers(sample.StoreId), "inspectorId", $"Inspector '{inspector.InspectorId}' does not cover store '{sample.StoreId}'.");
        var scored = Scoring.Score(rubric, new ScoreSheet(command.Scores, command.CriticalErrors), errors);
        if (errors.Any) return errors.ToDecision();
        if (reviewedAs is not null) return new Decision.Conflict($"This conversation was already reviewed for the agent (review '{reviewedAs}').");
        var (score, critical, items, criticalErrors) = scored!.Value;
        return Decision.Of(new ReviewCompleted(reviewId, sample!.StoreId, sample.ConversationId, sample.AgentId, sample.LocalDate,
            inspector!.InspectorId, rubric.RubricId, rubric.Version, items, criticalErrors, score, critical, command.Comment?.Trim(), now));
    }

    public static Decision Dispute(QcReview review, RaiseDispute command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(command.AgentId == review.AgentId, "agentId", "Only the reviewed agent may dispute the review.")
            .Check(!string.IsNullOrWhiteSpace(command.Reason) && command.Reason.Length <= 2000, "reason", "A reason of 1–2,000 characters is required.");
        if (errors.Any) return errors.ToDecision();
        if (review.Status == ReviewStatus.Disputed && review.Dispute!.Reason == command.Reason!.Trim()) return new Decision.Unchanged();
        if (review.Status != ReviewStatus.Completed) return new Decision.Conflict($"The review is {review.Status}: it can be disputed once.");
        if (now > review.CompletedAt + DisputeWindow)
            return new Decision.Conflict($"The dispute window ({DisputeWindow.TotalDays:0} days after the review) has passed.");
        return Decision.Of(new ReviewDisputed(review.ReviewId, review.AgentId, command.Reason!.Trim(), now));
    }

    /// <summary>
    /// A senior inspector other than the one who reviewed decides: upheld keeps the score; overturned re-scores against the same
    /// rubric version, and the corrected score replaces the original everywhere (a new revision of QcReviewCompleted).
    /// </summary>
    public static Decision Decide(QcReview review, DecideDispute command, Inspector? senior, RubricVersion? rubric, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(senior is { Active: true, Senior: true }, "inspectorId", "An active senior inspector decides disputes.")
            .Check(command.InspectorId != review.InspectorId, "inspectorId", "The inspector who made the review cannot decide its dispute.")
            .Check(command.Outcome is ReviewStatus.Upheld or ReviewStatus.Overturned, "outcome", "upheld or overturned.")
            .Check(!string.IsNullOrWhiteSpace(command.Reason) && command.Reason.Length <= 2000, "reason", "A reason of 1–2,000 characters is required.");
        (double Score, bool Critical, IReadOnlyList<ItemScore> Items, IReadOnlyList<string> CriticalErrors)? rescored = null;
        if (command.Outcome == ReviewStatus.Overturned && rubric is not null)
            rescored = Scoring.Score(rubric, new ScoreSheet(command.Scores, command.CriticalErrors), errors);
        if (errors.Any) return errors.ToDecision();
        if (review.Status != ReviewStatus.Disputed)
            return review.Dispute?.Outcome == command.Outcome && review.Dispute?.DecidedBy == command.InspectorId
                ? new Decision.Unchanged()
                : new Decision.Conflict($"The review is {review.Status}: only a disputed review can be decided.");
        if (command.Outcome == ReviewStatus.Upheld) return Decision.Of(new DisputeUpheld(review.ReviewId, senior!.InspectorId, command.Reason!.Trim(), now));
        var (score, critical, items, criticalErrors) = rescored!.Value;
        return Decision.Of(new ReviewOverturned(review.ReviewId, review.StoreId, review.ConversationId, review.AgentId, senior!.InspectorId,
            command.Reason!.Trim(), items, criticalErrors, score, critical, review.Revision + 1, now));
    }

    /// <summary>The review after the decided events (for hooks that run in the same transaction).</summary>
    public static QcReview Applied(QcReview review, IEnumerable<object> events) => events.Aggregate(review, (r, e) => e switch
    {
        ReviewDisputed d => r.Apply(d),
        DisputeUpheld u => r.Apply(u),
        ReviewOverturned o => r.Apply(o),
        _ => r,
    });
}
