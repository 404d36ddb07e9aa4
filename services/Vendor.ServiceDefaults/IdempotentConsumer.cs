using JasperFx;
using Marten;
using MassTransit;

namespace Vendor.ServiceDefaults;

/// <summary>Marks that a consumer handled a message id; stored in the same transaction as the effect.</summary>
public sealed record ProcessedMessage(string Id, string MessageType, DateTimeOffset HandledAt);

/// <summary>
/// A consumer whose effect and the record of the handled MessageId commit together, so a re-delivered message
/// (same MessageId from the outbox) changes nothing.
/// </summary>
public abstract class IdempotentConsumer<T>(IDocumentSession session, TimeProvider clock) : IConsumer<T>
    where T : class
{
    public async Task Consume(ConsumeContext<T> context)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{typeof(T).Name} arrived without a MessageId.");
        var id = $"{GetType().Name}:{messageId:N}";
        if (await session.LoadAsync<ProcessedMessage>(id, context.CancellationToken) is not null) return;

        session.Insert(new ProcessedMessage(id, typeof(T).Name, clock.GetUtcNow()));
        await Handle(context.Message, session, context.CancellationToken);
        try
        {
            await session.SaveChangesAsync(context.CancellationToken);
        }
        catch (Exception e) when (IsDuplicate(e))
        {
            // A concurrent delivery of the same message committed first: already handled.
            return;
        }
        // Against the sender's stamp: a clock behind it (or a test's fake clock) records 0, never a negative lag.
        if (context.SentTime is { } sent)
            VendorMetrics.ConsumerLag.Record(Math.Max(0, (clock.GetUtcNow() - new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc))).TotalSeconds),
                new KeyValuePair<string, object?>("message", typeof(T).Name));
    }

    /// <summary>Stage the effect in the session; the base class commits it with the processed-message record.</summary>
    protected abstract Task Handle(T message, IDocumentSession session, CancellationToken cancellationToken);

    // Only a collision on the processed-message record means "already handled"; any other collision is a real failure.
    private static bool IsDuplicate(Exception e) =>
        (e as DocumentAlreadyExistsException ?? e.InnerException as DocumentAlreadyExistsException)?.DocType == typeof(ProcessedMessage);
}
