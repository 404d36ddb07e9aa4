namespace Vendor.Contracts;

/// <summary>
/// A conversation Agreements stored or updated, with its SLA facts. <see cref="Revision"/> grows with each update of the
/// same conversation, so a consumer keeps the latest and counts the conversation once. <see cref="EndedAt"/> is its last
/// message (handle time for Staffing's forecasts; absent from older publishers). <see cref="CustomerText"/>: the customer's
/// messages, joined by new lines and cut at 1,000 characters, for QC's risk words (refunds, complaints); absent from older publishers.
/// </summary>
public sealed record ConversationRecorded(
    string StoreId,
    string ConversationId,
    int Revision,
    string Channel,
    string Kind,
    IReadOnlyList<string> AgentIds,
    DateTimeOffset StartedAt,
    DateOnly LocalDate,
    int MessageCount,
    double? FirstResponseSeconds,
    IReadOnlyList<double> ResponseSeconds,
    bool Missed,
    bool Slow,
    bool Resolved,
    string? Rating,
    bool Converted,
    DateTimeOffset? EndedAt = null,
    string? CustomerText = null);

/// <summary>The conversations one ingestion request stored, published as one message (5,000 a second as single messages would swamp the broker).</summary>
public sealed record ConversationsRecorded(string StoreId, IReadOnlyList<ConversationRecorded> Conversations);
