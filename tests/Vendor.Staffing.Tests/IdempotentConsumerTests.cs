using JasperFx;
using Marten;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

public sealed record Ping(string Id);

/// <summary>A deliberately non-idempotent effect (one more row per handling), so only the processed-message record keeps it at one.</summary>
public sealed record PingEffect(Guid Id, string PingId);

public sealed class CountingConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<Ping>(session, clock)
{
    protected override Task Handle(Ping message, IDocumentSession session, CancellationToken ct)
    {
        session.Insert(new PingEffect(Guid.NewGuid(), message.Id));
        return Task.CompletedTask;
    }
}

public sealed class FinishedDeliveries : IConsumeObserver
{
    private int _count, _faults;
    public int Count => Volatile.Read(ref _count);
    public int Faults => Volatile.Read(ref _faults);

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class
    {
        Interlocked.Increment(ref _faults);
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }
}

/// <summary>The effect and the handled-message record commit together: repeats, sequential or concurrent, count once.</summary>
public class IdempotentConsumerTests
{
    [Fact]
    public async Task A_message_delivered_many_times_at_once_and_in_turn_has_its_effect_once()
    {
        var database = await TestServers.NewDatabaseAsync();
        var deliveries = new FinishedDeliveries();
        await using var provider = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddMarten(o =>
            {
                o.Connection(database);
                o.DatabaseSchemaName = "idempotency";
                o.AutoCreateSchemaObjects = AutoCreate.All;
                o.Schema.For<ProcessedMessage>().Identity(m => m.Id);
                o.Schema.For<PingEffect>();
            }).UseLightweightSessions().Services
            .AddMassTransitTestHarness(x => x.AddConsumer<CountingConsumer>())
            .AddConsumeObserver(_ => deliveries)
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var repeated = Guid.NewGuid();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => harness.Bus.Publish(new Ping("p1"), c => c.MessageId = repeated)));
        await harness.Bus.Publish(new Ping("p1"), c => c.MessageId = repeated);
        await harness.Bus.Publish(new Ping("p1"), c => c.MessageId = Guid.NewGuid()); // a different message: a second effect

        // The harness lists messages by id, so deliveries are counted by an observer after each one finished.
        await Eventually.Until(() => Task.FromResult(deliveries.Count), n => n == 8, what: "all eight deliveries consumed");
        Assert.Equal(0, deliveries.Faults);
        await using var session = provider.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(2, await session.Query<PingEffect>().CountAsync(e => e.PingId == "p1"));
        Assert.Equal(2, await session.Query<ProcessedMessage>().CountAsync());
    }
}
