namespace Vendor.Ops.ErrorQueues;

/// <summary>Why MassTransit parked a message: its consumer still failed after retries, or nobody consumes its type there.</summary>
public enum ParkedKind
{
    Error,
    Skipped,
}

/// <summary>One message waiting in an error or skipped queue, explained from its MassTransit envelope and MT-Fault-* headers.</summary>
/// <param name="MessageId">The message id the consumers deduplicate on (kept on replay).</param>
/// <param name="MessageType">The contract, e.g. <c>Vendor.Contracts.StoreCalendarChanged</c>.</param>
/// <param name="SentAt">When its publisher sent it.</param>
/// <param name="FaultedAt">When the consumer gave up on it (MT-Fault-Timestamp); null for a skipped message.</param>
/// <param name="Consumer">The consumer class that failed (MT-Fault-ConsumerType).</param>
/// <param name="InputQueue">The queue it is replayed to: the one its fault names, else the parked queue's name without the suffix.</param>
/// <param name="ExceptionType">The exception the consumer threw the last time.</param>
/// <param name="ExceptionMessage">That exception's message.</param>
/// <param name="RetryCount">How many times it was retried before it was parked.</param>
/// <param name="StackTrace">The stack trace (shown only when asked for).</param>
public sealed record ParkedMessage(
    string? MessageId,
    string? MessageType,
    DateTimeOffset? SentAt,
    DateTimeOffset? FaultedAt,
    string? Consumer,
    string InputQueue,
    string? ExceptionType,
    string? ExceptionMessage,
    int? RetryCount,
    string? StackTrace);

/// <summary>An error or skipped queue: how many messages it holds, and the first of them (in queue order).</summary>
public sealed record ParkedQueue(string Name, ParkedKind Kind, long Total, IReadOnlyList<ParkedMessage> Messages);

/// <summary>A message replay could not move: it stays in its error queue.</summary>
public sealed record ReplayFailure(string Queue, string? MessageId, string InputQueue, string Reason);

/// <summary>What one replay of one queue did.</summary>
public sealed record ReplayResult(string Queue, int Replayed, IReadOnlyList<ReplayFailure> Failed);

/// <summary>A queue as the broker lists it.</summary>
public sealed record QueueInfo(string Name, long Messages);
