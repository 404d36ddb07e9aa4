using JasperFx.Events.Projections;
using Marten;
using Vendor.Quality.Agents;
using Vendor.Quality.Reviews;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Scorecards;

public sealed record WeightsView(string Team, IReadOnlyList<KpiSetting> Defaults, IReadOnlyList<WeightsVersion> Versions);

public static class ScorecardsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<ScorecardWeightsSet>("scorecard.weights-set.v1");
        options.Projections.Snapshot<TeamWeights>(SnapshotLifecycle.Inline);
    }

    private static IResult BadMonth() => Problems.Validation(new Dictionary<string, string[]> { ["month"] = ["Required, yyyy-MM."] });

    public static void MapScorecards(this IEndpointRouteBuilder app)
    {
        var quality = app.MapGroup("/api/quality").WithTags("Scorecards").RequireCaller(Roles.Ops);

        quality.MapGet("/agents/{agentId}/scorecard", async Task<IResult> (string agentId, string? month, IQuerySession session, CancellationToken ct) =>
            {
                if (!Months.TryParse(month, out var first)) return BadMonth();
                var agent = await session.LoadAsync<QualityAgent>(QualityAgent.StreamKey(agentId), ct);
                if (agent is null) return Problems.NotFound($"Agent '{agentId}' is not known to Quality.");
                var members = await ScorecardData.TeamAsync(session, agent.Team, ct);
                // The team's means are counts of conversations: only this agent's reviews are needed.
                var reviews = await ScorecardData.ReviewsAsync(session, [agent.AgentId], first, Months.Last(first), ct);
                var (_, cards) = (await ScorecardData.TeamCardsAsync(session, agent.Team, members, first, first, reviews, ct))[first];
                return TypedResults.Ok(cards.Single(c => c.AgentId == agent.AgentId));
            })
            .WithName("GetAgentScorecard").WithSummary("An agent's 115-point scorecard for a month, in four groups (ops).")
            .ProducesValidationProblem().ProducesProblem(404);

        quality.MapGet("/teams/{team}/scorecard", async Task<IResult> (string team, string? month, IQuerySession session, CancellationToken ct) =>
            {
                if (!Months.TryParse(month, out var first)) return BadMonth();
                var members = await ScorecardData.TeamAsync(session, team, ct);
                if (members.Count == 0) return Problems.NotFound($"Team '{team}' has no agents known to Quality.");
                var reviews = await ScorecardData.ReviewsAsync(session, [.. members.Select(m => m.AgentId)], first, Months.Last(first), ct);
                var (weights, cards) = (await ScorecardData.TeamCardsAsync(session, team, members, first, first, reviews, ct))[first];
                return TypedResults.Ok(Scoring.Summarise(team, first, weights, cards, members.ToDictionary(m => m.AgentId, m => m.Name)));
            })
            .WithName("GetTeamScorecard").WithSummary("A team's month: average total, group averages and members ranked by total (ops).")
            .ProducesValidationProblem().ProducesProblem(404);

        quality.MapGet("/teams/{team}/weights", async Task<IResult> (string team, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var weights = await session.LoadAsync<TeamWeights>(TeamWeights.StreamKey(team), ct);
                ETags.Set(http.Response, weights?.Version ?? 0);
                return TypedResults.Ok(new WeightsView(team, Kpis.Defaults, weights?.Versions ?? []));
            })
            .WithName("GetTeamWeights").WithSummary("A team's scorecard weights: the defaults and every version with the date it applies from (ops).");

        quality.MapPut("/teams/{team}/weights", async Task<IResult> (string team, SetWeights command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                var (decision, weights) = await store.DecideAsync<TeamWeights>(TeamWeights.StreamKey(team),
                    current => WeightsDecisions.Set(current, team, command, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, weights!.Version);
                return TypedResults.Ok(new WeightsView(team, Kpis.Defaults, weights.Versions));
            })
            .WithName("SetTeamWeights")
            .WithSummary("Set a team's KPI weights (total 115) and targets/floors from a date on; months ending on or after it use them (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(412);
    }
}
