namespace Vendor.Contracts;

/// <summary>A store's metric for the current month crossed into atRisk (met, but within the warning margin).</summary>
public sealed record SlaAtRisk(string StoreId, string Month, string Metric, double? Actual, double Target, DateTimeOffset DetectedAt);

/// <summary>A store's metric for the current month is missing its contracted target.</summary>
public sealed record SlaBreached(string StoreId, string Month, string Metric, double? Actual, double Target, DateTimeOffset DetectedAt);

/// <summary>Quality finished a QC review of one conversation; Agreements folds the score into the store's qcScore.</summary>
public sealed record QcReviewCompleted(string ReviewId, string StoreId, string ConversationId, string AgentId, double Score,
    DateTimeOffset CompletedAt);
