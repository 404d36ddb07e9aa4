using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Agents;

public sealed record AgentView(string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    string Status, DateTimeOffset RegisteredAt, IReadOnlyList<string> CertifiedStores, string Tier, int MaxConcurrentChats, bool Standby,
    DateOnly? LeftOn, IReadOnlyDictionary<string, IReadOnlyList<string>>? CertifiedSkills = null)
{
    /// <summary><see cref="CertifiedSkills"/>: per certified store, its certified skills (all of them for a whole-store certification).</summary>
    public static AgentView Of(Agent a) => new(a.AgentId, a.Name, a.Team, a.Skills, a.HiredOn, a.Status, a.RegisteredAt, a.Certified, a.Tier,
        a.MaxConcurrentChats, a.Standby, a.LeftOn, a.CertifiedSkills.ToDictionary(c => c.StoreId, c => c.SkillList));
}

/// <summary>Quality's certifications and tiers, folded into the agent's stream (an agent Staffing has not hired yet is retried by the bus).</summary>
public sealed class AgentCertifiedConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<Contracts.AgentCertified>(session, clock)
{
    protected override async Task Handle(Contracts.AgentCertified m, IDocumentSession session, CancellationToken ct) =>
        (await session.FetchExistingAsync<Agent>(Agent.StreamKey(m.AgentId), ct)).AppendOne(new AgentStoreCertified(m.AgentId, m.StoreId, m.CertifiedAt, m.Skill));
}

public sealed class AgentCertificationRevokedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.AgentCertificationRevoked>(session, clock)
{
    protected override async Task Handle(Contracts.AgentCertificationRevoked m, IDocumentSession session, CancellationToken ct) =>
        (await session.FetchExistingAsync<Agent>(Agent.StreamKey(m.AgentId), ct))
        .AppendOne(new AgentStoreCertificationRevoked(m.AgentId, m.StoreId, m.Reason, m.RevokedAt, m.Skill));
}

public sealed class AgentTierChangedConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<Contracts.AgentTierChanged>(session, clock)
{
    protected override async Task Handle(Contracts.AgentTierChanged m, IDocumentSession session, CancellationToken ct) =>
        (await session.FetchExistingAsync<Agent>(Agent.StreamKey(m.AgentId), ct)).AppendOne(new AgentTierUpdated(m.AgentId, m.Tier, m.ChangedAt));
}

public static class AgentsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<AgentHired>("agent.hired.v1");
        options.Events.MapEventType<AgentProfileChanged>("agent.profile-changed.v1");
        options.Events.MapEventType<AgentLeft>("agent.left.v1");
        options.Events.MapEventType<AgentStoreCertified>("agent.store-certified.v1");
        options.Events.MapEventType<AgentStoreCertificationRevoked>("agent.store-certification-revoked.v1");
        options.Events.MapEventType<AgentTierUpdated>("agent.tier-updated.v1");
        options.Projections.Snapshot<Agent>(SnapshotLifecycle.Inline);
    }

    private static IResult NotFound(string agentId) => Problems.NotFound($"Agent '{agentId}' is not registered.");

    public static void MapAgents(this IEndpointRouteBuilder app)
    {
        var agents = app.MapGroup("/api/staffing/agents").WithTags("Agents").RequireCaller(Roles.Ops);

        agents.MapPost("/", async Task<IResult> (HireAgent command, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
            {
                var (decision, agent) = await store.DecideAsync<Agent>(Agent.StreamKey(command.AgentId ?? ""),
                    existing => AgentDecisions.Hire(existing, command, clock.GetUtcNow()), null, ct);
                if (decision.Refusal() is { } refusal) return refusal;
                return decision is Decision.Append
                    ? TypedResults.Created($"/api/staffing/agents/{agent!.AgentId}", AgentView.Of(agent))
                    : TypedResults.Ok(AgentView.Of(agent!));
            })
            .WithName("HireAgent").WithSummary("Register a hired agent (ops).")
            .ProducesValidationProblem().ProducesProblem(409);

        agents.MapPatch("/{agentId}", async Task<IResult> (string agentId, ChangeAgent command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                var (decision, agent) = await store.DecideAsync<Agent>(Agent.StreamKey(agentId),
                    existing => AgentDecisions.Change(existing, command, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (agent is null) return NotFound(agentId);
                return decision.Refusal() ?? TypedResults.Ok(AgentView.Of(agent));
            })
            .WithName("ChangeAgent").WithSummary("Change an agent's team, skills, max concurrent chats or standby-pool membership (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        agents.MapPost("/{agentId}/leave", async Task<IResult> (string agentId, AgentLeaves command, IDocumentStore store, TimeProvider clock,
                CancellationToken ct) =>
            {
                var (decision, agent) = await store.DecideAsync<Agent>(Agent.StreamKey(agentId),
                    existing => AgentDecisions.Leave(existing, command, clock.GetUtcNow()), null, ct);
                if (agent is null) return NotFound(agentId);
                return decision.Refusal() ?? TypedResults.Ok(AgentView.Of(agent));
            })
            .WithName("AgentLeaves").WithSummary("Record that an agent leaves on a date: no shifts from then on (ops).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        agents.MapGet("/", async (string? team, bool? standby, IQuerySession session, CancellationToken ct) =>
            {
                var query = session.Query<Agent>().AsQueryable();
                if (!string.IsNullOrWhiteSpace(team)) query = query.Where(a => a.Team == team);
                if (standby is { } pool) query = query.Where(a => a.Standby == pool);
                var all = await query.OrderBy(a => a.AgentId).ToListAsync(ct);
                return TypedResults.Ok(all.Select(AgentView.Of));
            })
            .WithName("ListAgents").WithSummary("Agents, optionally of one team or of the standby pool (ops).");

        agents.MapGet("/{agentId}", async Task<IResult> (string agentId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var agent = await session.LoadAsync<Agent>(Agent.StreamKey(agentId), ct);
                if (agent is null) return NotFound(agentId);
                http.Response.Headers.ETag = $"\"{agent.Version}\"";
                return TypedResults.Ok(AgentView.Of(agent));
            })
            .WithName("GetAgent").WithSummary("One agent (ops).")
            .ProducesProblem(404);
    }
}
