using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Agents;

public sealed record AgentJoined(string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn, DateTimeOffset At);

/// <summary>A lead approved a tier review's promotion or demotion (or the ladder applied one that needs no approval).</summary>
public sealed record TierChanged(string AgentId, string From, string To, string ReviewId, string Period, string ApprovedBy, DateTimeOffset At);

/// <summary>The post-review talk (面谈) a lead had with the agent, recorded with the decision.</summary>
public sealed record TalkNoteRecorded(string AgentId, string ReviewId, string Period, string LeadId, string Notes, DateTimeOffset At);

public sealed record TierHistoryEntry(string From, string To, string ReviewId, string Period, string ApprovedBy, DateTimeOffset At);

public sealed record TalkNote(string ReviewId, string Period, string LeadId, string Notes, DateTimeOffset At);

/// <summary>
/// An agent as Quality knows it (from Staffing's AgentHired), stream <c>agent:{agentId}</c>, kept as an inline snapshot; every agent
/// starts on probation (试用) and moves up or down the ladder only through approved tier reviews.
/// </summary>
public sealed record QualityAgent(string Id, string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    string Tier = Ladder.Tiers.Probation, IReadOnlyList<TierHistoryEntry>? TierHistory = null, IReadOnlyList<TalkNote>? TalkNotes = null)
{
    public static string StreamKey(string agentId) => $"agent:{agentId}";

    public static QualityAgent Create(IEvent<AgentJoined> e) =>
        new(e.StreamKey!, e.Data.AgentId, e.Data.Name, e.Data.Team, e.Data.Skills, e.Data.HiredOn);

    public QualityAgent Apply(TierChanged e) => this with
    {
        Tier = e.To,
        TierHistory = [.. History, new TierHistoryEntry(e.From, e.To, e.ReviewId, e.Period, e.ApprovedBy, e.At)],
    };

    public QualityAgent Apply(TalkNoteRecorded e) =>
        this with { TalkNotes = [.. TalkNotes ?? [], new TalkNote(e.ReviewId, e.Period, e.LeadId, e.Notes, e.At)] };

    public IReadOnlyList<TierHistoryEntry> History => TierHistory ?? [];
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
        options.Events.MapEventType<TierChanged>("agent.tier-changed.v1");
        options.Events.MapEventType<TalkNoteRecorded>("agent.talk-note-recorded.v1");
        options.Projections.Snapshot<QualityAgent>(SnapshotLifecycle.Inline);
    }
}
