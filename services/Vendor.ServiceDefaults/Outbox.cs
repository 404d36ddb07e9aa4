using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Vendor.ServiceDefaults;

/// <summary>Maps a committed domain event to the integration event other services need, or null.</summary>
public delegate object? IntegrationEventMap(IEvent domainEvent);

/// <summary>
/// The event store is the outbox: this Marten subscription publishes the integration event of each committed
/// domain event. Its MessageId is the Marten event id, so a crash after publishing but before the subscription
/// records its progress re-publishes the same ids, and idempotent consumers drop the repeats.
/// </summary>
public sealed class OutboxPublisher : SubscriptionBase
{
    public const string SubscriptionName = "outbox";

    // A failed page is published again (same MessageIds) until it goes through, so a broker outage delays the
    // outbox but never pauses the subscription or skips events.
    private static readonly ResiliencePipeline UntilPublished = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(30),
            UseJitter = true,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
        })
        .Build();

    private readonly IBus _bus;
    private readonly IntegrationEventMap _map;
    private readonly ILogger<OutboxPublisher> _logger;

    public OutboxPublisher(IBus bus, IntegrationEventMap map, ILogger<OutboxPublisher> logger)
    {
        (_bus, _map, _logger) = (bus, map, logger);
        Name = SubscriptionName;
    }

    // One awaited publish after another reached ~1,000/s here (STACK.md); a page is published concurrently.
    private const int Concurrency = 64;

    public override async Task<IChangeListener> ProcessEventsAsync(EventRange page, ISubscriptionController controller,
        IDocumentOperations operations, CancellationToken cancellationToken)
    {
        var messages = page.Events
            .Select(e => (Event: e, Message: _map(e)))
            .Where(x => x.Message is not null)
            .ToList();

        await UntilPublished.ExecuteAsync(async token => await Parallel.ForEachAsync(messages,
            new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = token },
            async (x, ct) =>
            {
                var message = x.Message!;
                using var trace = TraceContext.StartPublish(x.Event);
                await _bus.Publish(message, message.GetType(), context => context.MessageId = x.Event.Id, ct);
            }), cancellationToken);

        if (messages.Count > 0)
            _logger.LogDebug("Outbox published {Count} integration events up to sequence {Sequence}",
                messages.Count, page.SequenceCeiling);
        return NullChangeListener.Instance;
    }
}
