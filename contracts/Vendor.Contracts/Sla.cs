namespace Vendor.Contracts;

/// <summary>A store's metric for the current month crossed into atRisk (met, but within the warning margin).</summary>
public sealed record SlaAtRisk(string StoreId, string Month, string Metric, double? Actual, double Target, DateTimeOffset DetectedAt);

/// <summary>A store's metric for the current month is missing its contracted target.</summary>
public sealed record SlaBreached(string StoreId, string Month, string Metric, double? Actual, double Target, DateTimeOffset DetectedAt);

/// <summary>
/// A store's metric for the current month that was atRisk or missed (<paramref name="PreviousStatus"/>) is met again, so an
/// alert raised for it may resolve.
/// </summary>
public sealed record SlaRecovered(string StoreId, string Month, string Metric, string PreviousStatus, double? Actual, double Target,
    DateTimeOffset DetectedAt);

/// <summary>
/// Quality finished a QC review of one conversation; Agreements folds the score into the store's qcScore. A dispute that
/// overturns the review publishes it again with the corrected score and a higher <paramref name="Revision"/>: consumers keep the
/// latest revision per <paramref name="ReviewId"/>. <paramref name="Critical"/>: a critical error zeroed the score.
/// </summary>
public sealed record QcReviewCompleted(string ReviewId, string StoreId, string ConversationId, string AgentId, double Score,
    DateTimeOffset CompletedAt, bool Critical = false, int Revision = 1);

/// <summary>
/// A store's feedback (complaint, wrong answer, process, praise) passed its due time unresolved in Quality; Staffing raises an alert
/// through its channels. Published once per feedback item and due time (a reopened item that runs late again publishes again).
/// </summary>
public sealed record StoreFeedbackOverdue(string FeedbackId, string StoreId, string Kind, string Severity, DateTimeOffset DueAt, string Summary,
    DateTimeOffset DetectedAt);

/// <summary>Overdue feedback was resolved (or withdrawn) in Quality: Staffing resolves its alert.</summary>
public sealed record StoreFeedbackSettled(string FeedbackId, string StoreId, DateTimeOffset At);
