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

/// <summary>
/// The same as <see cref="ConversationsRecorded"/>, published in its place since Staffing takes its arrivals from
/// <see cref="ConversationArrivals"/> instead of reading every conversation. A new message type has new queues, so Staffing's queue of
/// the first version stops filling without anyone unbinding it; first-version messages still queued, or published by an older
/// Agreements during a rolling update, are consumed as before. Quality consumes both versions.
/// </summary>
public sealed record ConversationsRecordedV2(string StoreId, IReadOnlyList<ConversationRecorded> Conversations);

/// <summary>
/// What one ingestion request adds to a store's demand: the conversations recorded for the first time (revision 1), by the store-local
/// date and 5-minute slot their first message falls in, with the handle time of those whose last message came after their first.
/// Published by the same request as its <see cref="ConversationsRecordedV2"/>.
/// </summary>
public sealed record ConversationArrivals(string StoreId, IReadOnlyList<ArrivalSlot> Slots);

/// <summary>One 5-minute slot: <see cref="Minute"/> is the slot's start in minutes after store-local midnight (0, 5, ... 1435).</summary>
public sealed record ArrivalSlot(DateOnly LocalDate, int Minute, int Contacts, double HandleSeconds, int Handled);
