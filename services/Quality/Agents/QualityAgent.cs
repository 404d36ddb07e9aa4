using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Agents;

public sealed record AgentJoined(string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn, DateTimeOffset At);

/// <summary>An agent as Quality knows it (from Staffing's AgentHired), stream <c>agent:{agentId}</c>, kept as an inline snapshot.</summary>
public sealed record QualityAgent(string Id, string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn)
{
    public static string StreamKey(string agentId) => $"agent:{agentId}";

    public static QualityAgent Create(IEvent<AgentJoined> e) =>
        new(e.StreamKey!, e.Data.AgentId, e.Data.Name, e.Data.Team, e.Data.Skills, e.Data.HiredOn);
}

/// <summary>Registers each hired agent once (a repeat of the message, or of the hire, changes nothing).</summary>
public sealed class AgentJoinedConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<Contracts.AgentHired>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override async Task Handle(Contracts.AgentHired m, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<QualityAgent>(QualityAgent.StreamKey(m.AgentId), ct);
        if (stream.Aggregate is null)
            stream.AppendOne(new AgentJoined(m.AgentId, m.Name, m.Team, m.Skills, m.HiredOn, _clock.GetUtcNow()));
    }
}

public static class AgentsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<AgentJoined>("agent.joined.v1");
        options.Projections.Snapshot<QualityAgent>(SnapshotLifecycle.Inline);
    }
}
