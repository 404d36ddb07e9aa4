using Vendor.Quality.Agents;
using Vendor.Quality.Ladder;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Tests;

public class LadderRuleTests
{
    private static readonly DateOnly AsOf = new(2026, 12, 31);
    private static readonly LadderStep Iron = LadderRules.Default.Step(Tiers.Iron)!;

    /// <summary>An agent who meets every default rule up to bronze (and not silver's tenure).</summary>
    private static Standing Good(string tier = Tiers.Probation) =>
        new("a-1", tier, new DateOnly(2026, 3, 1), AsOf, Score: 90, MonthsWithData: 6, CriticalErrorDates: [], Certifications: 1);

    private static RuleResult Rule(IEnumerable<RuleResult> results, string rule) => results.Single(r => r.Rule == rule);

    [Fact]
    public void Iron_by_default_follows_the_seed_two_months_no_bad_record_80_points_and_a_leads_approval()
    {
        Assert.Equal(new LadderStep(Tiers.Iron, 2, 80, 60, 0, true), Iron);
        Assert.Equal(["iron", "bronze", "silver", "gold"], LadderRules.Default.Steps.Select(s => s.Tier));
        Assert.Equal(["试用", "铁牌", "铜牌", "银牌", "金牌"], Tiers.Ladder.Select(Tiers.Name));
        Assert.True(Tiers.Ladder.Zip(Tiers.Ladder.Skip(1)).All(p => LadderRules.Default.PayCoefficient(p.First) < LadderRules.Default.PayCoefficient(p.Second)));
    }

    [Theory]
    [InlineData("2026-10-31", "2026-12-30", 1)]
    [InlineData("2026-10-31", "2026-12-31", 2)]
    [InlineData("2026-12-31", "2027-02-28", 2)] // a hire on the 31st completes a month on a shorter month's last day
    [InlineData("2026-11-15", "2026-12-14", 0)]
    [InlineData("2026-11-15", "2026-12-15", 1)]
    [InlineData("2024-07-01", "2026-06-30", 23)]
    [InlineData("2027-01-01", "2026-12-31", 0)]
    public void Tenure_counts_whole_months(string hired, string asOf, int months) =>
        Assert.Equal(months, LadderEvaluation.TenureMonths(DateOnly.Parse(hired), DateOnly.Parse(asOf)));

    [Fact]
    public void Tenure_rule()
    {
        Assert.True(LadderEvaluation.TenureRule(Iron, Good() with { HiredOn = new DateOnly(2026, 10, 31) }).Met);
        var young = LadderEvaluation.TenureRule(Iron, Good() with { HiredOn = new DateOnly(2026, 11, 1) });
        Assert.False(young.Met);
        Assert.Equal("1 months", young.Actual);
        Assert.Contains("2 needed", young.Reason);
    }

    [Fact]
    public void Score_rule_no_data_fails_a_promotion_but_does_not_judge_a_stay()
    {
        Assert.True(LadderEvaluation.ScoreRule(Iron, Good() with { Score = 80 }, toStay: false).Met);
        var low = LadderEvaluation.ScoreRule(Iron, Good() with { Score = 79.99 }, toStay: false);
        Assert.False(low.Met);
        Assert.Equal("79.99%", low.Actual);
        Assert.False(LadderEvaluation.ScoreRule(Iron, Good() with { Score = null }, toStay: false).Met);
        Assert.Null(LadderEvaluation.ScoreRule(Iron, Good() with { Score = null }, toStay: true).Met);
    }

    [Fact]
    public void Critical_free_rule_looks_back_the_steps_number_of_days_up_to_the_review_date()
    {
        // 60 days up to 2026-12-31 is 2026-11-02 to 2026-12-31.
        Assert.True(LadderEvaluation.CriticalFreeRule(Iron, Good() with { CriticalErrorDates = [new DateOnly(2026, 11, 1)] }).Met);
        var recent = LadderEvaluation.CriticalFreeRule(Iron, Good() with { CriticalErrorDates = [new DateOnly(2026, 11, 2), new DateOnly(2026, 12, 5)] });
        Assert.False(recent.Met);
        Assert.Equal("2, last on 2026-12-05", recent.Actual);
        Assert.True(LadderEvaluation.CriticalFreeRule(Iron with { CriticalFreeDays = 0 }, Good() with { CriticalErrorDates = [AsOf] }).Met);
    }

    [Fact]
    public void Certifications_rule()
    {
        var bronze = LadderRules.Default.Step(Tiers.Bronze)!;
        Assert.True(LadderEvaluation.CertificationsRule(bronze, Good()).Met);
        Assert.False(LadderEvaluation.CertificationsRule(bronze, Good() with { Certifications = 0 }).Met);
    }

    [Fact]
    public void Approval_rule_awaits_a_lead_unless_the_step_needs_none()
    {
        Assert.Null(LadderEvaluation.ApprovalRule(Iron).Met);
        Assert.True(LadderEvaluation.ApprovalRule(Iron with { RequiresApproval = false }).Met);
    }

    [Fact]
    public void Promote_one_step_when_every_rule_of_the_next_step_is_met()
    {
        var proposed = LadderEvaluation.Propose(LadderRules.Default, Good());
        Assert.Equal((Tiers.Probation, Tiers.Iron, Outcomes.Promote), (proposed.From, proposed.To, proposed.Outcome));
        Assert.Equal(["tenure", "score", "criticalFree", "certifications", "approval"], proposed.Rules.Select(r => r.Rule));
        Assert.All(proposed.Rules, r => Assert.Equal(Tiers.Iron, r.Tier));

        var iron = LadderEvaluation.Propose(LadderRules.Default, Good(Tiers.Iron));
        Assert.Equal((Tiers.Bronze, Outcomes.Promote), (iron.To, iron.Outcome));
        Assert.Equal(7, iron.Rules.Count); // bronze's five rules, then iron's two to stay
    }

    public static TheoryData<string, Standing> OneRuleShort => new()
    {
        { Rules.Tenure, Good() with { HiredOn = new DateOnly(2026, 11, 1) } },
        { Rules.Score, Good() with { Score = 70 } },
        { Rules.Score, Good() with { Score = null, MonthsWithData = 0 } },
        { Rules.CriticalFree, Good() with { CriticalErrorDates = [new DateOnly(2026, 12, 1)] } },
    };

    [Theory]
    [MemberData(nameof(OneRuleShort))]
    public void One_unmet_rule_keeps_a_probationer_where_they_are(string rule, Standing standing)
    {
        var proposed = LadderEvaluation.Propose(LadderRules.Default, standing);
        Assert.Equal((Tiers.Probation, Outcomes.Keep), (proposed.To, proposed.Outcome));
        Assert.False(Rule(proposed.Rules, rule).Met);
    }

    [Fact]
    public void Too_few_certifications_keep_an_iron_agent_from_bronze()
    {
        var proposed = LadderEvaluation.Propose(LadderRules.Default, Good(Tiers.Iron) with { Certifications = 0 });
        Assert.Equal((Tiers.Iron, Outcomes.Keep), (proposed.To, proposed.Outcome));
    }

    [Fact]
    public void Demote_one_step_when_the_current_tiers_score_is_no_longer_met()
    {
        var proposed = LadderEvaluation.Propose(LadderRules.Default, Good(Tiers.Silver) with { Score = 86, HiredOn = new DateOnly(2020, 1, 1) });
        Assert.Equal((Tiers.Silver, Tiers.Bronze, Outcomes.Demote), (proposed.From, proposed.To, proposed.Outcome));
        var score = proposed.Rules.Single(r => r.Tier == Tiers.Silver && r.Rule == Rules.Score);
        Assert.False(score.Met);
    }

    [Fact]
    public void Demote_one_step_on_a_critical_error_within_the_current_tiers_window()
    {
        var proposed = LadderEvaluation.Propose(LadderRules.Default, Good(Tiers.Bronze) with { CriticalErrorDates = [new DateOnly(2026, 10, 15)] });
        Assert.Equal((Tiers.Iron, Outcomes.Demote), (proposed.To, proposed.Outcome)); // bronze looks back 90 days
        var older = LadderEvaluation.Propose(LadderRules.Default, Good(Tiers.Bronze) with { CriticalErrorDates = [new DateOnly(2026, 9, 1)] });
        Assert.Equal(Outcomes.Keep, older.Outcome);
    }

    [Fact]
    public void Never_below_probation_and_never_above_gold()
    {
        Assert.Equal(Outcomes.Keep, LadderEvaluation.Propose(LadderRules.Default, Good() with { Score = 10, CriticalErrorDates = [AsOf] }).Outcome);
        var gold = LadderEvaluation.Propose(LadderRules.Default, Good(Tiers.Gold) with { Score = 99, Certifications = 9, HiredOn = new DateOnly(2020, 1, 1) });
        Assert.Equal((Tiers.Gold, Outcomes.Keep), (gold.To, gold.Outcome));
        Assert.Equal(2, gold.Rules.Count);
    }

    [Fact]
    public void An_agent_without_data_in_the_period_is_neither_promoted_nor_demoted()
    {
        var proposed = LadderEvaluation.Propose(LadderRules.Default, Good(Tiers.Silver) with { Score = null, MonthsWithData = 0 });
        Assert.Equal(Outcomes.Keep, proposed.Outcome);
    }

    [Fact]
    public void The_ladder_score_is_the_mean_monthly_total_of_months_with_data_as_a_percentage_of_115()
    {
        Assert.Equal(80, LadderEvaluation.Score([92, null, 92, null]));
        Assert.Equal(Math.Round((115 + 92) / 2.0 / 115 * 100, 2), LadderEvaluation.Score([115, 92]));
        Assert.Null(LadderEvaluation.Score([null, null]));
    }
}

public class LadderConfigurationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static SetLadder Valid() => new(
        [.. LadderRules.Default.Steps.Select(s => new LadderStepInput(s.Tier, s.MinTenureMonths, s.MinScore, s.CriticalFreeDays, s.MinCertifications,
            s.RequiresApproval))],
        LadderRules.Default.PayCoefficients.ToDictionary(p => p.Key, p => (double?)p.Value));

    private static IReadOnlyDictionary<string, string[]> Errors(SetLadder command) =>
        Assert.IsType<Decision.Invalid>(LadderDecisions.Configure(null, command, Now)).Errors;

    [Fact]
    public void The_whole_ladder_is_set_at_once_and_a_repeat_changes_nothing()
    {
        var configured = Assert.IsType<LadderConfigured>(Assert.Single(Assert.IsType<Decision.Append>(LadderDecisions.Configure(null, Valid(), Now)).Events));
        Assert.Equal(LadderRules.Default.Steps, configured.Steps);
        var rules = LadderRules.Default with { Steps = configured.Steps, PayCoefficients = configured.PayCoefficients };
        Assert.IsType<Decision.Unchanged>(LadderDecisions.Configure(rules, Valid(), Now));
    }

    [Fact]
    public void Every_step_above_probation_once_each_with_rules_in_range()
    {
        var valid = Valid();
        Assert.Contains("steps", Errors(valid with { Steps = valid.Steps!.Skip(1).ToList() }).Keys);
        Assert.Contains("steps[0].tier", Errors(valid with { Steps = [new LadderStepInput(Tiers.Probation, 0, 0, 0, 0, false), .. valid.Steps!] }).Keys);
        Assert.Contains("steps[1].tier", Errors(valid with { Steps = [valid.Steps![0], valid.Steps[0], .. valid.Steps.Skip(1)] }).Keys);
        Assert.Contains("steps[0].minScore", Errors(valid with { Steps = [valid.Steps![0]! with { MinScore = 120 }, .. valid.Steps.Skip(1)] }).Keys);
        Assert.Contains("steps[0].requiresApproval", Errors(valid with { Steps = [valid.Steps![0]! with { RequiresApproval = null }, .. valid.Steps.Skip(1)] }).Keys);
    }

    [Fact]
    public void A_pay_coefficient_for_every_tier_never_lower_up_the_ladder()
    {
        var valid = Valid();
        var pay = valid.PayCoefficients!.ToDictionary();
        Assert.Contains("payCoefficients.gold", Errors(valid with { PayCoefficients = new Dictionary<string, double?>(pay) { [Tiers.Gold] = 1.0 } }).Keys);
        Assert.Contains("payCoefficients.platinum", Errors(valid with { PayCoefficients = new Dictionary<string, double?>(pay) { ["platinum"] = 2 } }).Keys);
        pay.Remove(Tiers.Iron);
        Assert.Contains("payCoefficients.iron", Errors(valid with { PayCoefficients = pay }).Keys);
    }
}

public class TierReviewTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly ReviewPeriod H2 = new(2026, 2);

    private static QualityAgent Agent(string id, string tier = Tiers.Probation) =>
        new($"agent:{id}", id, "王小美", "t", ["presales"], new DateOnly(2026, 3, 1), tier);

    private static Standing Standing(QualityAgent a, double? score = 90) =>
        new(a.AgentId, a.Tier, a.HiredOn, H2.End, score, 6, [], 1);

    private static TierReview Review(LadderRules? rules = null, params (QualityAgent, Standing)[] agents)
    {
        var opened = TierReviewDecisions.Open(TierReview.IdFor(H2, "t"), H2, "t", H2.End, rules ?? LadderRules.Default, agents, Now);
        return new TierReview("tier-review:x", opened.ReviewId, opened.Period, opened.Team, opened.AsOf, opened.At, opened.Proposals, 1);
    }

    [Theory]
    [InlineData("2026-H1", "2026-01-01", "2026-06-30")]
    [InlineData("2026-H2", "2026-07-01", "2026-12-31")]
    public void Periods_are_half_years(string text, string start, string end)
    {
        var period = ReviewPeriod.Parse(text)!;
        Assert.Equal((DateOnly.Parse(start), DateOnly.Parse(end)), (period.Start, period.End));
        Assert.Equal(text, period.ToString());
    }

    [Theory]
    [InlineData("2026-H3")]
    [InlineData("2026H2")]
    [InlineData("26-H1")]
    [InlineData(null)]
    public void Other_periods_are_refused(string? text) => Assert.Null(ReviewPeriod.Parse(text));

    [Fact]
    public void The_review_id_is_derived_from_period_and_team()
    {
        Assert.Equal("2026-H2", TierReview.IdFor(H2, null));
        Assert.Equal("2026-H2.douyin-presales", TierReview.IdFor(H2, "douyin-presales"));
        var chinese = TierReview.IdFor(H2, "抖音售前");
        Assert.Equal(chinese, TierReview.IdFor(H2, "抖音售前"));
        Assert.Matches("^2026-H2\\.[0-9a-f]{12}$", chinese);
    }

    [Fact]
    public void A_review_proposes_per_agent_and_waits_for_a_lead()
    {
        var good = Agent("a-1");
        var weak = Agent("a-2", Tiers.Iron);
        var review = Review(null, (weak, Standing(weak, 60)), (good, Standing(good)));
        Assert.Equal(["a-1", "a-2"], review.Proposals.Select(p => p.AgentId));
        var promote = review.Proposal("a-1")!;
        Assert.Equal((Outcomes.Promote, Tiers.Iron, "铁牌", ProposalStatus.Pending), (promote.Outcome, promote.To, promote.ToName, promote.Status));
        Assert.Equal(90, promote.Score);
        var demote = review.Proposal("a-2")!;
        Assert.Equal((Outcomes.Demote, Tiers.Probation, "试用"), (demote.Outcome, demote.To, demote.ToName));
    }

    [Fact]
    public void A_promotion_whose_step_needs_no_approval_is_approved_by_the_ladder_at_once()
    {
        var rules = LadderRules.Default with { Steps = [.. LadderRules.Default.Steps.Select(s => s with { RequiresApproval = s.Tier != Tiers.Iron })] };
        var review = Review(rules, (Agent("a-1"), Standing(Agent("a-1"))));
        var proposal = review.Proposal("a-1")!;
        Assert.Equal((ProposalStatus.Approved, ProposalStatus.ByLadder), (proposal.Status, proposal.DecidedBy));
        var changed = Assert.IsType<TierChanged>(Assert.Single(TierReviewDecisions.AgentEffects(review.ReviewId, review.Period, proposal,
            ProposalStatus.ByLadder, null, Now)));
        Assert.Equal(Tiers.Iron, changed.To);
    }

    [Fact]
    public void Approving_a_promotion_records_the_decision_changes_the_tier_and_keeps_the_talk_notes()
    {
        var agent = Agent("a-1");
        var review = Review(null, (agent, Standing(agent)));
        var approved = Assert.IsType<TierProposalApproved>(Assert.Single(Assert.IsType<Decision.Append>(
            TierReviewDecisions.Approve(review, agent, new ApproveProposal("lead-1", "  面谈：继续保持响应速度。 "), Now)).Events));
        Assert.Equal(("lead-1", "面谈：继续保持响应速度。"), (approved.LeadId, approved.TalkNotes));

        var effects = TierReviewDecisions.AgentEffects(review.ReviewId, review.Period, review.Proposal("a-1")!, approved.LeadId, approved.TalkNotes, Now);
        var changed = Assert.IsType<TierChanged>(effects[0]);
        Assert.Equal(new TierChanged("a-1", Tiers.Probation, Tiers.Iron, "2026-H2.t", "2026-H2", "lead-1", Now), changed);
        Assert.IsType<TalkNoteRecorded>(effects[1]);

        var after = agent.Apply(changed).Apply((TalkNoteRecorded)effects[1]);
        Assert.Equal(Tiers.Iron, after.Tier);
        Assert.Equal(new TierHistoryEntry(Tiers.Probation, Tiers.Iron, "2026-H2.t", "2026-H2", "lead-1", Now), Assert.Single(after.History));
        Assert.Equal("面谈：继续保持响应速度。", Assert.Single(after.TalkNotes!).Notes);

        var decided = review.Apply(new JasperFx.Events.Event<TierProposalApproved>(approved) { Version = 2 });
        Assert.Equal((ProposalStatus.Approved, "lead-1"), (decided.Proposal("a-1")!.Status, decided.Proposal("a-1")!.DecidedBy));
        Assert.IsType<Decision.Unchanged>(TierReviewDecisions.Approve(decided, after, new ApproveProposal("lead-1", "面谈：继续保持响应速度。"), Now));
        Assert.IsType<Decision.Conflict>(TierReviewDecisions.Approve(decided, after, new ApproveProposal("lead-2", "其他"), Now));
        Assert.IsType<Decision.Conflict>(TierReviewDecisions.Reject(decided, "a-1", new RejectProposal("lead-1", "改主意"), Now));
    }

    [Fact]
    public void Approving_a_keep_records_only_the_talk()
    {
        var agent = Agent("a-1");
        var review = Review(null, (agent, Standing(agent, 50)));
        Assert.Equal(Outcomes.Keep, review.Proposal("a-1")!.Outcome);
        Assert.IsType<Decision.Append>(TierReviewDecisions.Approve(review, agent, new ApproveProposal("lead-1", "下半年目标：80分"), Now));
        Assert.IsType<TalkNoteRecorded>(Assert.Single(TierReviewDecisions.AgentEffects(review.ReviewId, review.Period, review.Proposal("a-1")!,
            "lead-1", "下半年目标：80分", Now)));
    }

    [Fact]
    public void Approval_needs_a_lead_and_talk_notes()
    {
        var agent = Agent("a-1");
        var review = Review(null, (agent, Standing(agent)));
        var errors = Assert.IsType<Decision.Invalid>(TierReviewDecisions.Approve(review, agent, new ApproveProposal(null, " "), Now)).Errors;
        Assert.Equal(["leadId", "talkNotes"], errors.Keys.Order());
    }

    [Fact]
    public void A_proposal_is_not_approved_once_the_agents_tier_moved_on_or_changed_in_the_period()
    {
        var agent = Agent("a-1");
        var review = Review(null, (agent, Standing(agent)));
        Assert.IsType<Decision.Conflict>(TierReviewDecisions.Approve(review, agent with { Tier = Tiers.Iron }, new ApproveProposal("lead-1", "ok"), Now));
        var changedElsewhere = agent.Apply(new TierChanged("a-1", Tiers.Iron, Tiers.Probation, "2026-H2", "2026-H2", "lead-9", Now));
        Assert.IsType<Decision.Conflict>(TierReviewDecisions.Approve(review, changedElsewhere, new ApproveProposal("lead-1", "ok"), Now));
    }

    [Fact]
    public void Rejecting_keeps_the_tier_and_records_why()
    {
        var agent = Agent("a-1");
        var review = Review(null, (agent, Standing(agent)));
        var rejected = Assert.IsType<TierProposalRejected>(Assert.Single(Assert.IsType<Decision.Append>(
            TierReviewDecisions.Reject(review, "a-1", new RejectProposal("lead-1", "投诉待查"), Now)).Events));
        var decided = review.Apply(new JasperFx.Events.Event<TierProposalRejected>(rejected) { Version = 2 });
        var proposal = decided.Proposal("a-1")!;
        Assert.Equal((ProposalStatus.Rejected, "投诉待查"), (proposal.Status, proposal.Reason));
        Assert.IsType<Decision.Unchanged>(TierReviewDecisions.Reject(decided, "a-1", new RejectProposal("lead-1", "投诉待查"), Now));
        Assert.IsType<Decision.Conflict>(TierReviewDecisions.Approve(decided, agent, new ApproveProposal("lead-1", "ok"), Now));
        Assert.Contains("reason", Assert.IsType<Decision.Invalid>(TierReviewDecisions.Reject(review, "a-1", new RejectProposal("lead-1", ""), Now)).Errors.Keys);
    }
}
