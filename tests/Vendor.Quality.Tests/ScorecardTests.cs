using JasperFx.Events;
using Vendor.Quality.Scorecards;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Tests;

public class ScorecardTests
{
    private static readonly DateOnly November = new(2026, 11, 1);
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Facts with every rate and time exactly on its default target.</summary>
    private static AgentMonthFacts OnTarget(int conversations = 100, int inquiries = 60, int sales = 30) => new(
        Rows: conversations, Conversations: conversations, Inquiries: inquiries, ResponseSecondsSum: 30 * 400, ResponseCount: 400,
        FirstResponseSecondsSum: 20 * conversations, FirstResponses: conversations, Rated: 20, Satisfied: 19, InquiriesConverted: inquiries / 2,
        Sales: sales, Reviews: 2, QcScoreSum: 180);

    private static AgentScorecard Card(AgentMonthFacts facts, IReadOnlyDictionary<string, double>? means = null, WeightsVersion? weights = null) =>
        Scoring.ForAgent("a-1", "t", November, weights ?? WeightsVersion.Default, facts,
            means ?? new Dictionary<string, double> { [Kpis.Inquiries] = facts.Inquiries, [Kpis.Conversations] = facts.Conversations, [Kpis.Sales] = facts.Sales },
            3);

    private static double? Points(AgentScorecard card, string kpi) => card.Groups.SelectMany(g => g.Kpis).Single(k => k.Kpi == kpi).Points;

    [Fact]
    public void The_default_weights_make_115_points_in_four_groups()
    {
        Assert.Equal(115, Kpis.Defaults.Sum(k => k.Weight));
        var card = Card(OnTarget());
        Assert.Equal(["workload", "efficiency", "attitude", "return"], card.Groups.Select(g => g.Group));
        Assert.Equal([30, 30, 30, 25], card.Groups.Select(g => g.Max));
        Assert.Equal(115, card.Max);
    }

    [Fact]
    public void An_agent_on_every_target_and_at_the_team_mean_scores_full_marks()
    {
        var card = Card(OnTarget());
        Assert.Equal(115, card.Total);
        Assert.Equal(115, card.Earned);
        Assert.All(card.Groups, g => Assert.Equal(g.Max, g.Points));
    }

    [Fact]
    public void Counts_are_scored_against_the_team_mean_and_capped_at_the_weight()
    {
        var members = new Dictionary<string, AgentMonthFacts>
        {
            ["a-1"] = OnTarget(conversations: 50, inquiries: 30, sales: 15),
            ["a-2"] = OnTarget(conversations: 150, inquiries: 90, sales: 45),
            ["a-3"] = AgentMonthFacts.None, // on leave: does not lower the team's mean
        };
        var means = Scoring.TeamMeans(members.Values);
        Assert.Equal(100, means[Kpis.Conversations]);
        Assert.Equal(60, means[Kpis.Inquiries]);

        var cards = Scoring.ForTeam("t", November, WeightsVersion.Default, members).ToDictionary(c => c.AgentId);
        Assert.Equal(7.5, Points(cards["a-1"], Kpis.Conversations)); // 15 × 50/100
        Assert.Equal(7.5, Points(cards["a-1"], Kpis.Inquiries));
        Assert.Equal(5, Points(cards["a-1"], Kpis.Sales)); // 10 × 15/30
        Assert.Equal(15, Points(cards["a-2"], Kpis.Conversations)); // above the mean: capped
        Assert.Equal(100, cards["a-1"].Groups[0].Kpis.Single(k => k.Kpi == Kpis.Conversations).Target);
        Assert.Equal(2, cards["a-1"].Basis.TeamMembersCounted);
        Assert.Null(cards["a-3"].Total);
    }

    [Theory]
    [InlineData(30, 15)] // at the target: full
    [InlineData(10, 15)] // better than the target: still full
    [InlineData(105, 7.5)] // half-way between 30 s and 180 s
    [InlineData(180, 0)] // at the floor
    [InlineData(400, 0)] // past the floor
    public void Response_time_is_linear_from_the_floor_down_to_the_target(double seconds, double points)
    {
        var card = Card(OnTarget() with { ResponseSecondsSum = seconds * 10, ResponseCount = 10 });
        Assert.Equal(points, Points(card, Kpis.ResponseSeconds));
        Assert.Equal(seconds, card.Groups[1].Kpis[0].Actual);
    }

    [Theory]
    [InlineData(90, 20)]
    [InlineData(75, 10)]
    [InlineData(60, 0)]
    [InlineData(30, 0)]
    public void Qc_score_is_linear_from_the_floor_up_to_the_target(double score, double points) =>
        Assert.Equal(points, Points(Card(OnTarget() with { Reviews = 1, QcScoreSum = score }), Kpis.QcScore));

    [Fact]
    public void Rates_use_their_own_targets_and_floors()
    {
        var fine = Card(OnTarget() with { Rated = 100, Satisfied = 87, InquiriesConverted = 21 });
        Assert.Equal(10, Points(Card(OnTarget() with { Rated = 100, Satisfied = 99 }), Kpis.SatisfactionRate));
        Assert.Equal(4.67, Points(fine, Kpis.SatisfactionRate)); // (0.87 − 0.80) / 0.15 × 10
        Assert.Equal(0.35, fine.Groups[3].Kpis.Single(k => k.Kpi == Kpis.InquiryConversionRate).Actual);
        Assert.Equal(7.5, Points(fine, Kpis.InquiryConversionRate)); // (0.35 − 0.20) / 0.30 × 15
    }

    [Fact]
    public void A_kpi_without_data_has_no_actual_and_no_points_and_the_total_is_scaled_from_the_kpis_with_data()
    {
        var card = Card(OnTarget() with { Rated = 0, Satisfied = 0, Reviews = 0, QcScoreSum = 0, ResponseSecondsSum = 105 * 10, ResponseCount = 10 });
        var qc = card.Groups[2].Kpis.Single(k => k.Kpi == Kpis.QcScore);
        Assert.Null(qc.Actual);
        Assert.Null(qc.Points);
        Assert.Null(card.Groups[2].Points); // nothing in the attitude group was measured
        Assert.Equal(85, card.ScoredMax);
        Assert.Equal(77.5, card.Earned);
        Assert.Equal(Math.Round(77.5 * 115 / 85, 2), card.Total);
        Assert.Equal(0, card.Basis.Ratings);
    }

    [Fact]
    public void A_team_without_presales_is_not_marked_down_on_inquiries()
    {
        var aftersales = OnTarget(inquiries: 0) with { InquiriesConverted = 0 };
        var card = Scoring.ForTeam("t", November, WeightsVersion.Default, new Dictionary<string, AgentMonthFacts> { ["a-1"] = aftersales }).Single();
        Assert.Null(Points(card, Kpis.Inquiries));
        Assert.Null(Points(card, Kpis.InquiryConversionRate));
        Assert.Equal(115, card.Total);
    }

    [Fact]
    public void An_agent_with_no_conversation_and_no_review_has_no_total()
    {
        var card = Card(AgentMonthFacts.None, new Dictionary<string, double> { [Kpis.Inquiries] = 10, [Kpis.Conversations] = 10, [Kpis.Sales] = 5 });
        Assert.Null(card.Total);
        Assert.Equal(0, Points(card, Kpis.Conversations));
    }

    private static WeightsVersion Version(Decision decision)
    {
        var set = Assert.IsType<ScorecardWeightsSet>(Assert.Single(Assert.IsType<Decision.Append>(decision).Events));
        return new WeightsVersion(set.EffectiveFrom, set.Kpis, set.At);
    }

    private static readonly SetWeights AttitudeHeavy = new(new DateOnly(2026, 11, 15),
    [
        new(Kpis.Conversations, 15, null, null), new(Kpis.ResponseSeconds, 20, 20, 120), new(Kpis.FirstResponseSeconds, 20, null, null),
        new(Kpis.QcScore, 30, null, null), new(Kpis.SatisfactionRate, 30, null, null),
    ]);

    [Fact]
    public void Team_weights_list_every_kpi_with_omitted_ones_at_zero_and_default_targets()
    {
        var version = Version(WeightsDecisions.Set(null, "t", AttitudeHeavy, Now));
        Assert.Equal(Kpis.All.Select(k => k.Kpi), version.Kpis.Select(k => k.Kpi));
        Assert.Equal(0, version.Kpis.Single(k => k.Kpi == Kpis.Sales).Weight);
        Assert.Equal(new KpiSetting(Kpis.ResponseSeconds, 20, 20, 120), version.Kpis.Single(k => k.Kpi == Kpis.ResponseSeconds));
        Assert.Equal(new KpiSetting(Kpis.FirstResponseSeconds, 20, 20, 120), version.Kpis.Single(k => k.Kpi == Kpis.FirstResponseSeconds));

        var card = Card(OnTarget() with { ResponseSecondsSum = 25 * 10, ResponseCount = 10 }, weights: version);
        Assert.Equal(["workload", "efficiency", "attitude", "return"], card.Groups.Select(g => g.Group));
        Assert.Equal([15, 40, 60, 0], card.Groups.Select(g => g.Max));
        Assert.Equal(19, Points(card, Kpis.ResponseSeconds)); // 25 s against the team's own 20/120: 20 × 95/100
        Assert.DoesNotContain(card.Groups.SelectMany(g => g.Kpis), k => k.Kpi == Kpis.Sales);
    }

    [Fact]
    public void Weights_apply_to_months_whose_last_day_is_on_or_after_the_date_they_take_effect()
    {
        var first = Version(WeightsDecisions.Set(null, "t", AttitudeHeavy, Now));
        var weights = new TeamWeights("scorecard-weights:t", "t", [first], 1);
        Assert.Same(WeightsVersion.Default, TeamWeights.InForce(weights, new DateOnly(2026, 10, 1)));
        Assert.Equal(first, TeamWeights.InForce(weights, November)); // from the 15th: all of November
        Assert.Equal(first, TeamWeights.InForce(weights, new DateOnly(2027, 3, 1)));
        Assert.Same(WeightsVersion.Default, TeamWeights.InForce(null, November));

        var later = new WeightsVersion(new DateOnly(2027, 1, 1), Kpis.Defaults, Now);
        var two = weights with { Versions = [first, later] };
        Assert.Equal(first, TeamWeights.InForce(two, new DateOnly(2026, 12, 1)));
        Assert.Equal(later, TeamWeights.InForce(two, new DateOnly(2027, 1, 1)));

        var onTarget = OnTarget() with { ResponseSecondsSum = 25 * 10, ResponseCount = 10 };
        Assert.Equal(115, Card(onTarget, weights: TeamWeights.InForce(two, new DateOnly(2027, 1, 1))).Total); // 25 s is within 30 s
        Assert.NotEqual(115, Card(onTarget, weights: TeamWeights.InForce(two, new DateOnly(2026, 12, 1))).Total); // not within 20 s
    }

    [Fact]
    public void Setting_the_same_date_again_replaces_that_version_and_an_identical_repeat_changes_nothing()
    {
        var set = (ScorecardWeightsSet)((Decision.Append)WeightsDecisions.Set(null, "t", AttitudeHeavy, Now)).Events[0];
        var weights = new TeamWeights("k", "t", [new WeightsVersion(set.EffectiveFrom, set.Kpis, set.At)], 1);
        Assert.IsType<Decision.Unchanged>(WeightsDecisions.Set(weights, "t", AttitudeHeavy, Now.AddHours(1)));

        var corrected = new ScorecardWeightsSet("t", set.EffectiveFrom, Kpis.Defaults, Now.AddHours(2));
        var applied = weights.Apply(Event(corrected, 2));
        Assert.Equal(Kpis.Defaults, Assert.Single(applied.Versions).Kpis);
        var earlier = applied.Apply(Event(corrected with { EffectiveFrom = new DateOnly(2026, 1, 1) }, 3));
        Assert.Equal([new DateOnly(2026, 1, 1), set.EffectiveFrom], earlier.Versions.Select(v => v.EffectiveFrom!.Value));
    }

    private static IEvent<T> Event<T>(T data, long version) where T : notnull => new Event<T>(data) { Version = version };

    private static IReadOnlyDictionary<string, string[]> Errors(SetWeights command) =>
        Assert.IsType<Decision.Invalid>(WeightsDecisions.Set(null, "t", command, Now)).Errors;

    [Fact]
    public void Weights_must_total_115_and_name_known_kpis_once_each()
    {
        Assert.Contains("kpis", Errors(AttitudeHeavy with { Kpis = [new(Kpis.QcScore, 100, null, null)] }).Keys);
        Assert.Contains("kpis[1].kpi", Errors(AttitudeHeavy with { Kpis = [new(Kpis.QcScore, 100, null, null), new("smiles", 15, null, null)] }).Keys);
        Assert.Contains("kpis[1].kpi", Errors(AttitudeHeavy with { Kpis = [new(Kpis.QcScore, 100, null, null), new(Kpis.QcScore, 15, null, null)] }).Keys);
        Assert.Contains("kpis[0].weight", Errors(AttitudeHeavy with { Kpis = [new(Kpis.QcScore, -5, null, null), new(Kpis.Sales, 120, null, null)] }).Keys);
        Assert.Contains("kpis", Errors(AttitudeHeavy with { Kpis = [] }).Keys);
        Assert.Contains("effectiveFrom", Errors(AttitudeHeavy with { EffectiveFrom = null }).Keys);
    }

    [Fact]
    public void Targets_and_floors_must_suit_the_kpi()
    {
        SetWeights With(KpiWeightInput kpi) => AttitudeHeavy with { Kpis = [kpi, new(Kpis.Conversations, 115 - (kpi.Weight ?? 0), null, null)] };
        Assert.Contains("kpis[0]", Errors(With(new(Kpis.Sales, 10, 5, 0))).Keys); // counts: the team's mean is the target
        Assert.Contains("kpis[0]", Errors(With(new(Kpis.ResponseSeconds, 10, 200, 100))).Keys); // lower is better: target below floor
        Assert.Contains("kpis[0]", Errors(With(new(Kpis.QcScore, 10, 60, 90))).Keys); // higher is better: target above floor
        Assert.Contains("kpis[0].target", Errors(With(new(Kpis.SatisfactionRate, 10, 1.5, 0.8))).Keys);
        Assert.Contains("team", Assert.IsType<Decision.Invalid>(WeightsDecisions.Set(null, " ", AttitudeHeavy, Now)).Errors.Keys);
    }

    [Fact]
    public void The_team_card_averages_members_with_a_total_and_ranks_them_ties_sharing_a_rank()
    {
        var members = new Dictionary<string, AgentMonthFacts>
        {
            ["a-1"] = OnTarget(),
            ["a-2"] = OnTarget() with { Reviews = 1, QcScoreSum = 75 }, // 10 points off
            ["a-3"] = OnTarget(),
            ["a-4"] = AgentMonthFacts.None,
        };
        var cards = Scoring.ForTeam("t", November, WeightsVersion.Default, members);
        var team = Scoring.Summarise("t", November, WeightsVersion.Default, cards, new Dictionary<string, string> { ["a-1"] = "王小美" });

        Assert.Equal([(1, "a-1"), (1, "a-3"), (3, "a-2")], team.Members.Take(3).Select(m => (m.Rank!.Value, m.AgentId)));
        Assert.Equal("王小美", team.Members[0].Name);
        Assert.Null(team.Members[3].Rank);
        Assert.Equal("a-4", team.Members[3].AgentId);
        Assert.Equal(Math.Round((115 + 115 + 105) / 3.0, 2), team.AverageTotal);
        Assert.Equal(Math.Round((30 + 30 + 20) / 3.0, 2), team.Groups.Single(g => g.Group == "attitude").Points);
        Assert.Equal(30, team.Groups.Single(g => g.Group == "attitude").Max);
    }

    [Theory]
    [InlineData("2026-11", true)]
    [InlineData("2026-13", false)]
    [InlineData("2026-1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Months_are_yyyy_MM(string? text, bool ok) => Assert.Equal(ok, Months.TryParse(text, out _));
}
