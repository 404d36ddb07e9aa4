using JasperFx.Events.Projections;
using Marten;
using Vendor.Quality.Agents;
using Vendor.Quality.Scorecards;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Ladder;

public sealed record TierView(string Tier, string Name, double PayCoefficient);

public sealed record StepView(string Tier, string Name, int MinTenureMonths, double MinScore, int CriticalFreeDays, int MinCertifications,
    bool RequiresApproval);

public sealed record LadderView(IReadOnlyList<TierView> Tiers, IReadOnlyList<StepView> Steps, IReadOnlyDictionary<string, double> PayCoefficients,
    DateTimeOffset? ConfiguredAt)
{
    public static LadderView Of(LadderRules r) => new(
        [.. Ladder.Tiers.Ladder.Select(t => new TierView(t, Ladder.Tiers.Name(t), r.PayCoefficient(t)))],
        [.. r.Steps.Select(s => new StepView(s.Tier, Ladder.Tiers.Name(s.Tier), s.MinTenureMonths, s.MinScore, s.CriticalFreeDays,
            s.MinCertifications, s.RequiresApproval))],
        r.PayCoefficients, r.ConfiguredAt);
}

public sealed record TierReviewView(string ReviewId, string Period, string? Team, DateOnly AsOf, DateTimeOffset OpenedAt,
    IReadOnlyDictionary<string, int> Outcomes, int Pending, IReadOnlyList<TierProposal> Proposals)
{
    public static TierReviewView Of(TierReview r) => new(r.ReviewId, r.Period, r.Team, r.AsOf, r.OpenedAt,
        new[] { Ladder.Outcomes.Promote, Ladder.Outcomes.Demote, Ladder.Outcomes.Keep }.ToDictionary(o => o, o => r.Proposals.Count(p => p.Outcome == o)),
        r.Proposals.Count(p => p.Status == ProposalStatus.Pending), r.Proposals);
}

public sealed record TierHistoryView(string From, string FromName, string To, string ToName, string ReviewId, string Period, string ApprovedBy,
    DateTimeOffset At);

public sealed record AgentTierView(string AgentId, string Name, string Team, string Tier, string TierName, double PayCoefficient,
    IReadOnlyList<TierHistoryView> History, IReadOnlyList<TalkNote> TalkNotes);

public sealed record TierCount(string Tier, string Name, int Count);

public sealed record AgentTierLine(string AgentId, string Name, string Team, string Tier, double PayCoefficient);

/// <summary>The ladder's head count per tier and every agent's tier, for the dashboard.</summary>
public sealed record TierDistribution(IReadOnlyList<TierCount> Tiers, IReadOnlyList<AgentTierLine> Agents)
{
    public static TierDistribution Of(IReadOnlyList<QualityAgent> agents, LadderRules rules) => new(
        [.. Ladder.Tiers.Ladder.Select(t => new TierCount(t, Ladder.Tiers.Name(t), agents.Count(a => a.Tier == t)))],
        [.. agents.OrderBy(a => a.AgentId, StringComparer.Ordinal)
            .Select(a => new AgentTierLine(a.AgentId, a.Name, a.Team, a.Tier, rules.PayCoefficient(a.Tier)))]);
}

public static class LadderModule
{
    /// <summary>Review periods and tenure are counted in the vendor's local calendar (the desks are in China).</summary>
    private static readonly TimeZoneInfo Local = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    public static DateOnly LocalToday(TimeProvider clock) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Local).DateTime);

    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<LadderConfigured>("ladder.configured.v1");
        options.Events.MapEventType<TierReviewOpened>("tier-review.opened.v1");
        options.Events.MapEventType<TierProposalApproved>("tier-review.proposal-approved.v1");
        options.Events.MapEventType<TierProposalRejected>("tier-review.proposal-rejected.v1");
        options.Projections.Snapshot<LadderRules>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<TierReview>(SnapshotLifecycle.Inline);
    }

    private static IResult Invalid(string field, string message) => Problems.Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static void MapLadder(this IEndpointRouteBuilder app)
    {
        var quality = app.MapGroup("/api/quality").WithTags("Tier ladder").RequireCaller(Roles.Ops);

        quality.MapGet("/ladder", async (IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var rules = await session.LoadAsync<LadderRules>(LadderRules.StreamKey, ct) ?? LadderRules.Default;
                ETags.Set(http.Response, rules.Version);
                return TypedResults.Ok(LadderView.Of(rules));
            })
            .WithName("GetLadder").WithSummary("The tiers 试用→铁牌→铜牌→银牌→金牌, each step's rules and the pay coefficients (ops).");

        quality.MapPut("/ladder", async Task<IResult> (SetLadder command, IDocumentStore store, TimeProvider clock, HttpContext http,
                CancellationToken ct) =>
            {
                var (decision, rules) = await store.DecideAsync<LadderRules>(LadderRules.StreamKey,
                    current => LadderDecisions.Configure(current, command, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, rules!.Version);
                return TypedResults.Ok(LadderView.Of(rules));
            })
            .WithName("SetLadder").WithSummary("Set the whole ladder: a step per tier above probation and a pay coefficient per tier (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(412);

        quality.MapPost("/tier-reviews", OpenReview)
            .WithName("OpenTierReview")
            .WithSummary("Open the half-yearly review of a period (yyyy-H1/H2), of one team or everyone: a proposal per agent (ops).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        quality.MapGet("/tier-reviews/{reviewId}", async Task<IResult> (string reviewId, IQuerySession session, HttpContext http,
                CancellationToken ct) =>
            {
                var review = await session.LoadAsync<TierReview>(TierReview.StreamKey(reviewId), ct);
                if (review is null) return Problems.NotFound($"No tier review '{reviewId}'.");
                ETags.Set(http.Response, review.Version);
                return TypedResults.Ok(TierReviewView.Of(review));
            })
            .WithName("GetTierReview").WithSummary("A tier review with each agent's proposal, rule results and decision (ops).")
            .ProducesProblem(404);

        quality.MapPost("/tier-reviews/{reviewId}/agents/{agentId}/approve", (string reviewId, string agentId, ApproveProposal command,
                IDocumentStore store, TimeProvider clock, HttpContext http, CancellationToken ct) =>
                Decide(reviewId, agentId, store, http, ct, (review, agent) => TierReviewDecisions.Approve(review, agent, command, clock.GetUtcNow())))
            .WithName("ApproveTierProposal")
            .WithSummary("A lead approves an agent's proposal with the notes of the post-review talk; a promotion or demotion changes the tier (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        quality.MapPost("/tier-reviews/{reviewId}/agents/{agentId}/reject", (string reviewId, string agentId, RejectProposal command,
                IDocumentStore store, TimeProvider clock, HttpContext http, CancellationToken ct) =>
                Decide(reviewId, agentId, store, http, ct, (review, agent) => TierReviewDecisions.Reject(review, agent.AgentId, command, clock.GetUtcNow())))
            .WithName("RejectTierProposal").WithSummary("A lead rejects an agent's proposal with a reason: the tier stays (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        quality.MapGet("/agents/{agentId}/tier", async Task<IResult> (string agentId, IQuerySession session, CancellationToken ct) =>
            {
                var agent = await session.LoadAsync<QualityAgent>(QualityAgent.StreamKey(agentId), ct);
                if (agent is null) return Problems.NotFound($"Agent '{agentId}' is not known to Quality.");
                var rules = await session.LoadAsync<LadderRules>(LadderRules.StreamKey, ct) ?? LadderRules.Default;
                return TypedResults.Ok(new AgentTierView(agent.AgentId, agent.Name, agent.Team, agent.Tier, Tiers.Name(agent.Tier),
                    rules.PayCoefficient(agent.Tier),
                    [.. agent.History.Select(h => new TierHistoryView(h.From, Tiers.Name(h.From), h.To, Tiers.Name(h.To), h.ReviewId, h.Period,
                        h.ApprovedBy, h.At))],
                    agent.TalkNotes ?? []));
            })
            .WithName("GetAgentTier").WithSummary("An agent's tier, its Chinese name and pay coefficient, the tier history and the talk notes (ops).")
            .ProducesProblem(404);

        quality.MapGet("/tiers", async (IQuerySession session, CancellationToken ct) =>
            {
                var agents = await session.Query<QualityAgent>().ToListAsync(ct);
                var rules = await session.LoadAsync<LadderRules>(LadderRules.StreamKey, ct) ?? LadderRules.Default;
                return TypedResults.Ok(TierDistribution.Of(agents, rules));
            })
            .WithName("GetTierDistribution")
            .WithSummary("How many agents are on each tier of the ladder (every tier, in ladder order) and each agent's tier and pay coefficient (ops).");
    }

    private static async Task<IResult> OpenReview(OpenTierReview command, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var period = ReviewPeriod.Parse(command.Period);
        if (period is null) return Invalid("period", "Required: yyyy-H1 (January to June) or yyyy-H2 (July to December).");
        if (command.Team is not null && !WeightsDecisions.ValidTeam(command.Team))
            return Invalid("team", $"At most {WeightsDecisions.MaxTeamLength} characters, not blank, no surrounding spaces; omit for every team.");
        var today = LocalToday(clock);
        if (period.Start > today) return Invalid("period", $"{period} has not started yet.");
        // A review run before the period ends judges it as of today: tenure is not counted ahead.
        var asOf = period.End < today ? period.End : today;
        var reviewId = TierReview.IdFor(period, command.Team);

        await using var session = store.LightweightSession();
        if (await session.Events.FetchStreamStateAsync(TierReview.StreamKey(reviewId), ct) is not null)
            return Problems.Conflict($"{period} was already reviewed for {command.Team ?? "every team"}: /api/quality/tier-reviews/{reviewId}.");
        var everyone = command.Team is null
            ? await session.Query<QualityAgent>().ToListAsync(ct)
            : await ScorecardData.TeamAsync(session, command.Team, ct);
        var reviewed = everyone.Where(a => a.HiredOn <= asOf).ToList();
        if (reviewed.Count == 0) return Problems.NotFound($"No agent of {command.Team ?? "any team"} was hired by {asOf:yyyy-MM-dd}.");

        var rules = await session.LoadAsync<LadderRules>(LadderRules.StreamKey, ct) ?? LadderRules.Default;
        var standings = await StandingsAsync(session, everyone, reviewed, period, asOf, rules, ct);
        var opened = TierReviewDecisions.Open(reviewId, period, command.Team, asOf, rules, standings, clock.GetUtcNow());
        session.Events.StartStream<TierReview>(TierReview.StreamKey(reviewId), opened);
        foreach (var automatic in opened.Proposals.Where(p => p.Status == ProposalStatus.Approved))
            (await session.Events.FetchForWriting<QualityAgent>(QualityAgent.StreamKey(automatic.AgentId), ct)).AppendMany(
                TierReviewDecisions.AgentEffects(reviewId, opened.Period, automatic, ProposalStatus.ByLadder, null, opened.At));
        await session.SaveChangesAsync(ct); // a concurrent open of the same review collides on the stream id: 409
        var review = await session.LoadAsync<TierReview>(TierReview.StreamKey(reviewId), ct);
        return TypedResults.Created($"/api/quality/tier-reviews/{reviewId}", TierReviewView.Of(review!));
    }

    /// <summary>Each reviewed agent's standing: monthly scorecards of the period (team means from the whole team), critical errors, certifications.</summary>
    private static async Task<IReadOnlyList<(QualityAgent, Standing)>> StandingsAsync(IQuerySession session, IReadOnlyList<QualityAgent> everyone,
        IReadOnlyList<QualityAgent> reviewed, ReviewPeriod period, DateOnly asOf, LadderRules rules, CancellationToken ct)
    {
        var window = rules.Steps.Count == 0 ? 0 : rules.Steps.Max(s => s.CriticalFreeDays);
        var from = new[] { period.Start, asOf.AddDays(-window) }.Min();
        var reviews = await ScorecardData.ReviewsAsync(session, [.. everyone.Select(a => a.AgentId)], from, asOf, ct);
        var lastMonth = new DateOnly(asOf.Year, asOf.Month, 1);
        var totals = new Dictionary<string, List<double?>>();
        foreach (var team in everyone.GroupBy(a => a.Team))
        {
            var months = await ScorecardData.TeamCardsAsync(session, team.Key, [.. team], period.Start, lastMonth, reviews, ct);
            foreach (var card in months.Values.SelectMany(m => m.Cards))
                (totals.TryGetValue(card.AgentId, out var list) ? list : totals[card.AgentId] = []).Add(card.Total);
        }
        var certifications = (await session.LoadManyAsync<AgentCertifications>(ct, reviewed.Select(a => AgentCertifications.StreamKey(a.AgentId))))
            .ToDictionary(c => c.AgentId, c => c.Held.Count);
        return [.. reviewed.Select(a => (a, new Standing(a.AgentId, a.Tier, a.HiredOn, asOf,
            LadderEvaluation.Score(totals.GetValueOrDefault(a.AgentId) ?? []), totals.GetValueOrDefault(a.AgentId)?.Count(t => t is not null) ?? 0,
            [.. reviews.Where(r => r.AgentId == a.AgentId && r.Critical).Select(r => r.LocalDate)],
            certifications.GetValueOrDefault(a.AgentId))))];
    }

    private static async Task<IResult> Decide(string reviewId, string agentId, IDocumentStore store, HttpContext http, CancellationToken ct,
        Func<TierReview, QualityAgent, Decision> decide)
    {
        await using var session = store.LightweightSession();
        var reviewStream = await session.Events.FetchForWriting<TierReview>(TierReview.StreamKey(reviewId), ct);
        if (reviewStream.Aggregate is not { } review) return Problems.NotFound($"No tier review '{reviewId}'.");
        if (ETags.IfMatch(http.Request) is { } expected && expected != reviewStream.CurrentVersion)
            return ETags.PreconditionFailed(reviewStream.CurrentVersion ?? 0);
        if (review.Proposal(agentId) is null) return Problems.NotFound($"Review '{reviewId}' has no proposal for agent '{agentId}'.");
        var agentStream = await session.Events.FetchForWriting<QualityAgent>(QualityAgent.StreamKey(agentId), ct);
        if (agentStream.Aggregate is not { } agent) return Problems.NotFound($"Agent '{agentId}' is not known to Quality.");

        var decision = decide(review, agent);
        if (decision.Refusal() is { } refusal) return refusal;
        if (decision is Decision.Append append)
        {
            reviewStream.AppendMany(append.Events);
            if (append.Events.OfType<TierProposalApproved>().SingleOrDefault() is { } approved)
                agentStream.AppendMany(TierReviewDecisions.AgentEffects(review.ReviewId, review.Period, review.Proposal(agentId)!,
                    approved.LeadId, approved.TalkNotes, approved.At));
            // Review and agent commit together: an approval never exists without its tier change, nor the other way round.
            await session.SaveChangesAsync(ct);
            review = (await session.LoadAsync<TierReview>(TierReview.StreamKey(reviewId), ct))!;
        }
        ETags.Set(http.Response, review.Version);
        return TypedResults.Ok(review.Proposal(agentId));
    }
}
