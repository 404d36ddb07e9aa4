using System.Collections.Concurrent;
using MassTransit;

namespace Vendor.Agreements.Tests;

/// <summary>Counts every delivery of StoreOnboarded (and, apart, of any conversation message, once consumed) to Staffing by MessageId, duplicates included.</summary>
public sealed class DeliveryCounter : IConsumeObserver
{
    public ConcurrentDictionary<Guid, int> Ids { get; } = new();

    public ConcurrentDictionary<string, int> StoreIds { get; } = new();

    public ConcurrentDictionary<Guid, int> RecordedIds { get; } = new();

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (context.Message is not Contracts.StoreOnboarded store) return Task.CompletedTask;
        Ids.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        StoreIds.AddOrUpdate(store.StoreId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    /// <summary>Conversation messages are counted once their consumer has finished (its effect committed, or dropped as a repeat).</summary>
    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (context.Message is Contracts.ConversationsRecorded or Contracts.ConversationArrivals)
            RecordedIds.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
