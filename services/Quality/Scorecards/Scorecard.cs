using System.Globalization;

namespace Vendor.Quality.Scorecards;

/// <summary>What one agent did in one month: conversation facts (served = answered) and the QC reviews in force.</summary>
public sealed record AgentMonthFacts(int Rows, int Conversations, int Inquiries, double ResponseSecondsSum, int ResponseCount,
    double FirstResponseSecondsSum, int FirstResponses, int Rated, int Satisfied, int InquiriesConverted, int Sales, int Reviews,
    double QcScoreSum)
{
    public static readonly AgentMonthFacts None = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>An agent with no conversation and no review that month (leave, not hired yet) has no scorecard total.</summary>
    public bool HasData => Rows > 0 || Reviews > 0;

    public double? Actual(string kpi) => kpi switch
    {
        Kpis.Inquiries => Inquiries,
        Kpis.Conversations => Conversations,
        Kpis.Sales => Sales,
        Kpis.ResponseSeconds => ResponseCount > 0 ? ResponseSecondsSum / ResponseCount : null,
        Kpis.FirstResponseSeconds => FirstResponses > 0 ? FirstResponseSecondsSum / FirstResponses : null,
        Kpis.QcScore => Reviews > 0 ? QcScoreSum / Reviews : null,
        Kpis.SatisfactionRate => Rated > 0 ? (double)Satisfied / Rated : null,
        Kpis.InquiryConversionRate => Inquiries > 0 ? (double)InquiriesConverted / Inquiries : null,
        _ => throw new ArgumentOutOfRangeException(nameof(kpi), kpi, "Unknown KPI."),
    };
}

public sealed record KpiScore(string Kpi, double? Actual, double? Target, double? Floor, double Weight, double? Points);

public sealed record GroupScore(string Group, double? Points, double Max, IReadOnlyList<KpiScore> Kpis);

public sealed record ScorecardBasis(int Conversations, int Reviews, int Ratings, int TeamMembersCounted);

/// <summary>
/// One agent's month out of 115. A KPI without data (no ratings, no reviews, no presales in the team...) has a null actual and null
/// points and is left out: <see cref="Total"/> is <see cref="Earned"/> scaled from <see cref="ScoredMax"/> (the weights of the KPIs with
/// data) to 115, so an aftersales team is not marked down on presales KPIs and an unrated agent not on satisfaction.
/// </summary>
public sealed record AgentScorecard(string AgentId, string Team, string Month, DateOnly? WeightsEffectiveFrom, double? Total, double Max,
    double Earned, double ScoredMax, IReadOnlyList<GroupScore> Groups, ScorecardBasis Basis);

public sealed record GroupAverage(string Group, double? Points, double Max);

public sealed record RankedMember(int? Rank, string AgentId, string Name, double? Total, IReadOnlyDictionary<string, double?> Groups);

public sealed record TeamScorecard(string Team, string Month, DateOnly? WeightsEffectiveFrom, double? AverageTotal, double Max,
    IReadOnlyList<GroupAverage> Groups, IReadOnlyList<RankedMember> Members);

/// <summary>The scorecard arithmetic: pure, from the month's facts of the agent and of the team.</summary>
public static class Scoring
{
    /// <summary>Means of the team-relative counts over the members active that month (members with no conversation do not lower it).</summary>
    public static IReadOnlyDictionary<string, double> TeamMeans(IEnumerable<AgentMonthFacts> members)
    {
        var active = members.Where(m => m.Rows > 0).ToList();
        return Kpis.All.Where(k => k.Scale == KpiScale.TeamRelative)
            .ToDictionary(k => k.Kpi, k => active.Count == 0 ? 0 : active.Average(m => m.Actual(k.Kpi)!.Value));
    }

    public static double? Points(KpiDefinition kpi, double weight, double? actual, double? target, double? floor)
    {
        if (actual is not { } a || target is not { } t || floor is not { } f) return null;
        double share = kpi.Scale switch
        {
            // A team mean of 0 means nobody did any: nothing to compare with, so no data rather than full or no points.
            KpiScale.TeamRelative => t <= 0 ? double.NaN : Math.Min(1, a / t),
            KpiScale.HigherIsBetter => a >= t ? 1 : a <= f ? 0 : (a - f) / (t - f),
            KpiScale.LowerIsBetter => a <= t ? 1 : a >= f ? 0 : (f - a) / (f - t),
            _ => throw new ArgumentOutOfRangeException(nameof(kpi)),
        };
        return double.IsNaN(share) ? null : Math.Round(weight * share, 2);
    }

    public static AgentScorecard ForAgent(string agentId, string team, DateOnly month, WeightsVersion weights, AgentMonthFacts facts,
        IReadOnlyDictionary<string, double> teamMeans, int teamMembersCounted)
    {
        var scores = weights.Kpis.Where(s => s.Weight > 0).Select(s =>
        {
            var kpi = Kpis.ByName[s.Kpi];
            var actual = facts.Actual(s.Kpi);
            var (target, floor) = kpi.Scale == KpiScale.TeamRelative ? (teamMeans[s.Kpi], 0d) : (s.Target, s.Floor);
            return (kpi.Group, Score: new KpiScore(s.Kpi, actual is { } x ? Math.Round(x, 4) : null, target is { } y ? Math.Round(y, 4) : null,
                floor, s.Weight, Points(kpi, s.Weight, actual, target, floor)));
        }).ToList();
        var groups = KpiGroups.All.Select(g =>
        {
            var inGroup = scores.Where(s => s.Group == g).Select(s => s.Score).ToList();
            var scored = inGroup.Where(k => k.Points is not null).ToList();
            return new GroupScore(g, scored.Count == 0 ? null : Math.Round(scored.Sum(k => k.Points!.Value), 2), inGroup.Sum(k => k.Weight),
                inGroup);
        }).ToList();
        var earned = Math.Round(scores.Sum(s => s.Score.Points ?? 0), 2);
        var scoredMax = scores.Where(s => s.Score.Points is not null).Sum(s => s.Score.Weight);
        double? total = facts.HasData && scoredMax > 0 ? Math.Round(earned * Kpis.MaxTotal / scoredMax, 2) : null;
        return new AgentScorecard(agentId, team, Months.Label(month), weights.EffectiveFrom, total, Kpis.MaxTotal, earned, scoredMax, groups,
            new ScorecardBasis(facts.Rows, facts.Reviews, facts.Rated, teamMembersCounted));
    }

    /// <summary>Every member's card for the month, sharing the team's means.</summary>
    public static IReadOnlyList<AgentScorecard> ForTeam(string team, DateOnly month, WeightsVersion weights,
        IReadOnlyDictionary<string, AgentMonthFacts> factsByAgent)
    {
        var means = TeamMeans(factsByAgent.Values);
        var counted = factsByAgent.Values.Count(f => f.Rows > 0);
        return [.. factsByAgent.OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => ForAgent(f.Key, team, month, weights, f.Value, means, counted))];
    }

    /// <summary>The team's card: averages over the members with a total, members ranked by total (ties share a rank; no total, no rank).</summary>
    public static TeamScorecard Summarise(string team, DateOnly month, WeightsVersion weights, IReadOnlyList<AgentScorecard> cards,
        IReadOnlyDictionary<string, string> names)
    {
        var scored = cards.Where(c => c.Total is not null).OrderByDescending(c => c.Total).ThenBy(c => c.AgentId, StringComparer.Ordinal).ToList();
        var members = new List<RankedMember>();
        for (var i = 0; i < scored.Count; i++)
        {
            var rank = i > 0 && scored[i].Total == scored[i - 1].Total ? members[i - 1].Rank : i + 1;
            members.Add(Member(scored[i], rank));
        }
        members.AddRange(cards.Where(c => c.Total is null).OrderBy(c => c.AgentId, StringComparer.Ordinal).Select(c => Member(c, null)));
        var groups = KpiGroups.All.Select(g =>
        {
            var points = scored.Select(c => c.Groups.Single(x => x.Group == g).Points).OfType<double>().ToList();
            return new GroupAverage(g, points.Count == 0 ? null : Math.Round(points.Average(), 2),
                cards.FirstOrDefault()?.Groups.Single(x => x.Group == g).Max ?? weights.Kpis.Where(k => Kpis.ByName[k.Kpi].Group == g).Sum(k => k.Weight));
        }).ToList();
        return new TeamScorecard(team, Months.Label(month), weights.EffectiveFrom,
            scored.Count == 0 ? null : Math.Round(scored.Average(c => c.Total!.Value), 2), Kpis.MaxTotal, groups, members);

        RankedMember Member(AgentScorecard c, int? rank) =>
            new(rank, c.AgentId, names.GetValueOrDefault(c.AgentId, c.AgentId), c.Total, c.Groups.ToDictionary(g => g.Group, g => g.Points));
    }
}
