using JasperFx.Events;

namespace Vendor.Quality.Reviews;

/// <summary>Points an inspector gave one (non-critical) rubric item, 0 to the item's weight.</summary>
public sealed record ItemScore(string Code, double Points);

public sealed record ReviewCompleted(string ReviewId, string StoreId, string ConversationId, string AgentId, DateOnly LocalDate,
    string InspectorId, string RubricId, int RubricVersion, IReadOnlyList<ItemScore> Items, IReadOnlyList<string> CriticalErrors,
    double Score, bool Critical, string? Comment, DateTimeOffset CompletedAt);

public sealed record ReviewDisputed(string ReviewId, string AgentId, string Reason, DateTimeOffset At);

public sealed record DisputeUpheld(string ReviewId, string SeniorInspectorId, string Reason, DateTimeOffset At);

/// <summary>A senior inspector overturned the review: the corrected items and score replace the original everywhere.</summary>
public sealed record ReviewOverturned(string ReviewId, string StoreId, string ConversationId, string AgentId, string SeniorInspectorId,
    string Reason, IReadOnlyList<ItemScore> Items, IReadOnlyList<string> CriticalErrors, double Score, bool Critical, int Revision,
    DateTimeOffset At);

public sealed record DisputeRecord(string Reason, DateTimeOffset RaisedAt, string? Outcome = null, string? DecidedBy = null,
    string? DecisionReason = null, DateTimeOffset? DecidedAt = null);

public static class ReviewStatus
{
    public const string Completed = "completed", Disputed = "disputed", Upheld = "upheld", Overturned = "overturned";
}

/// <summary>
/// One QC review of one agent's part in one conversation, stream <c>review:{reviewId}</c>, kept as an inline snapshot.
/// <see cref="Score"/> and <see cref="Critical"/> are always the figures in force (corrected when overturned); <see cref="Revision"/>
/// counts the score's versions (1, then 2 after an overturn) and travels in <c>QcReviewCompleted</c>.
/// </summary>
public sealed record QcReview(string Id, string ReviewId, string StoreId, string ConversationId, string AgentId, DateOnly LocalDate,
    string InspectorId, string RubricId, int RubricVersion, IReadOnlyList<ItemScore> Items, IReadOnlyList<string> CriticalErrors,
    double Score, bool Critical, string Status, int Revision, string? Comment, DateTimeOffset CompletedAt, DisputeRecord? Dispute,
    double? OriginalScore = null)
{
    public static string StreamKey(string reviewId) => $"review:{reviewId}";

    public static QcReview Create(IEvent<ReviewCompleted> e) => Of(e.Data);

    public static QcReview Of(ReviewCompleted d)
    {
        return new QcReview(StreamKey(d.ReviewId), d.ReviewId, d.StoreId, d.ConversationId, d.AgentId, d.LocalDate, d.InspectorId, d.RubricId,
            d.RubricVersion, d.Items, d.CriticalErrors, d.Score, d.Critical, ReviewStatus.Completed, 1, d.Comment, d.CompletedAt, null);
    }

    public QcReview Apply(ReviewDisputed e) => this with { Status = ReviewStatus.Disputed, Dispute = new DisputeRecord(e.Reason, e.At) };

    public QcReview Apply(DisputeUpheld e) => this with
    {
        Status = ReviewStatus.Upheld,
        Dispute = Dispute! with { Outcome = ReviewStatus.Upheld, DecidedBy = e.SeniorInspectorId, DecisionReason = e.Reason, DecidedAt = e.At },
    };

    public QcReview Apply(ReviewOverturned e) => this with
    {
        Status = ReviewStatus.Overturned,
        OriginalScore = Score,
        Items = e.Items,
        CriticalErrors = e.CriticalErrors,
        Score = e.Score,
        Critical = e.Critical,
        Revision = e.Revision,
        Dispute = Dispute! with { Outcome = ReviewStatus.Overturned, DecidedBy = e.SeniorInspectorId, DecisionReason = e.Reason, DecidedAt = e.At },
    };
}
