using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Agents;

public sealed record AgentView(string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    string Status, DateTimeOffset RegisteredAt)
{
    public static AgentView Of(Agent a) => new(a.AgentId, a.Name, a.Team, a.Skills, a.HiredOn, a.Status, a.RegisteredAt);
}

public static class AgentsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<AgentHired>("agent.hired.v1");
        options.Projections.Snapshot<Agent>(SnapshotLifecycle.Inline);
    }

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

        agents.MapGet("/", async (string? team, IQuerySession session, CancellationToken ct) =>
            {
                var query = session.Query<Agent>().AsQueryable();
                if (!string.IsNullOrWhiteSpace(team)) query = query.Where(a => a.Team == team);
                var all = await query.OrderBy(a => a.AgentId).ToListAsync(ct);
                return TypedResults.Ok(all.Select(AgentView.Of));
            })
            .WithName("ListAgents").WithSummary("Agents, optionally of one team (ops).");

        agents.MapGet("/{agentId}", async Task<IResult> (string agentId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var agent = await session.LoadAsync<Agent>(Agent.StreamKey(agentId), ct);
                if (agent is null) return Problems.NotFound($"Agent '{agentId}' is not registered.");
                http.Response.Headers.ETag = $"\"{agent.Version}\"";
                return TypedResults.Ok(AgentView.Of(agent));
            })
            .WithName("GetAgent").WithSummary("One agent (ops).")
            .ProducesProblem(404);
    }
}
