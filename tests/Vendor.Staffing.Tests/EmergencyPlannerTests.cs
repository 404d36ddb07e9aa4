using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Plans;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Tests;

public class EmergencyPlannerTests
{
    private const string Shanghai = "Asia/Shanghai";
    private static readonly DateOnly Date = new(2026, 11, 16);
    private static readonly DateTimeOffset Now = new(2026, 11, 16, 7, 0, 0, TimeSpan.FromHours(8));
    private static readonly IReadOnlyList<DateTimeOffset> Grid = PlanProblem.Grid(Date, Shanghai);

    // ---- Building blocks ----

    private static int Interval(string hhmm) => (int)TimeOnly.ParseExact(hhmm, "HH:mm").ToTimeSpan().TotalMinutes / OpeningHours.IntervalMinutes;

    /// <summary>Agents per interval: each span from its start to its end ("00:00" as an end is midnight).</summary>
    private static int[] Profile(params (string From, string To, int Agents)[] spans)
    {
        var profile = new int[OpeningHours.IntervalsPerDay];
        foreach (var (from, to, agents) in spans)
            for (var i = Interval(from); i < (to == "00:00" ? OpeningHours.IntervalsPerDay : Interval(to)); i++) profile[i] += agents;
        return profile;
    }

    private static PlanStore Store(string id, int[]? shortfall = null, int[]? surplus = null, string risk = SlaRiskLevels.None, int presales = 5,
        bool target = true) =>
        new(new StaffedStore(StaffedStore.StreamKey(id), id, id, "tmall", Shanghai, Now.AddYears(-1), Headcount: new Headcount(presales, 0, 0)),
            risk, shortfall ?? Profile(), surplus ?? Profile(), target);

    private static Agent Hired(string id, string[] certified, bool standby = false, params string[] skills) =>
        new(Agent.StreamKey(id), id, id, "team", skills.Length == 0 ? ["presales"] : skills, new DateOnly(2025, 1, 1), AgentStatus.Active,
            Now.AddYears(-1), 1, certified, Standby: standby);

    private static OtherShift Shift(string agentId, string storeId, string from, string to, DateOnly? date = null, string skill = "presales")
    {
        var day = date ?? Date;
        var zone = OpeningHours.Zone(Shanghai);
        var (start, end) = (TimeOnly.ParseExact(from, "HH:mm"), TimeOnly.ParseExact(to, "HH:mm"));
        return new OtherShift(storeId, day, new Shift(agentId, from, to, skill, OpeningHours.Instant(day, start, zone),
            OpeningHours.Instant(end <= start ? day.AddDays(1) : day, end, zone)));
    }

    private static PlanAgent Staff(Agent profile, params OtherShift[] shifts) => new(profile, shifts, []);

    private static PlanProblem Problem(IReadOnlyList<PlanStore> stores, params PlanAgent[] agents) => new(Date, Shanghai, Grid, stores, agents);

    /// <summary>Solves, and holds every plan to the rules and to its bound.</summary>
    private static PlanSolution Solve(PlanProblem problem, PlannerSettings? settings = null)
    {
        var plan = EmergencyPlanner.Solve(problem, settings);
        Assert.Empty(PlanFeasibility.Check(problem, plan));
        Assert.InRange(plan.Bound, 0, plan.Objective);
        Assert.Empty(PlanFeasibility.Check(problem, FirstFitPlanner.Solve(problem)));
        return plan;
    }

    // ---- Small instances, checked by hand ----

    [Fact]
    public void A_certified_agent_at_a_store_with_one_to_spare_is_moved_to_the_short_store()
    {
        var problem = Problem(
            [Store("short", shortfall: Profile(("10:00", "18:00", 1))), Store("spare", surplus: Profile(("10:00", "18:00", 1)))],
            Staff(Hired("a-1", ["short", "spare"]), Shift("a-1", "spare", "10:00", "18:00")));

        var plan = Solve(problem);

        var move = Assert.Single(plan.Moves);
        Assert.Equal(("a-1", "spare", "short", "10:00", "18:00"), (move.AgentId, move.FromStoreId, move.ToStoreId, move.To.Start, move.To.End));
        Assert.Empty(plan.CallIns);
        Assert.Empty(plan.Overtime);
        Assert.Empty(plan.RemainingGap);
        Assert.Equal((16, 0), (plan.ShortfallBefore, plan.ShortfallAfter));
        Assert.Equal(PlanCosts.Move, plan.Objective);
        Assert.Equal(PlanStatus.Optimal, plan.Status);
        Assert.Equal(0, plan.GapPercent);
    }

    [Fact]
    public void A_standby_agent_without_a_shift_is_called_in_for_the_hours_the_store_is_short()
    {
        var problem = Problem([Store("short", shortfall: Profile(("14:00", "22:00", 1)))],
            Staff(Hired("s-1", ["short"], standby: true)),
            Staff(Hired("busy", ["short"], standby: false))); // not on standby: never called in

        var plan = Solve(problem);

        var callIn = Assert.Single(plan.CallIns);
        Assert.Equal(("s-1", "short", "14:00", "22:00", "presales"), (callIn.AgentId, callIn.StoreId, callIn.Shift.Start, callIn.Shift.End, callIn.Shift.Skill));
        Assert.Empty(plan.RemainingGap);
        Assert.Equal(PlanCosts.CallIn + 16 * PlanCosts.CallInPerInterval, plan.Objective);
    }

    [Theory]
    [InlineData("08:00", 60)]  // tomorrow at 08:00: both half hours fit, 13 h of rest remain
    [InlineData("05:30", 30)]  // 18:30 to 05:30 is exactly 11 h: one half hour, not two
    [InlineData("05:00", 0)]   // 18:00 to 05:00 is 11 h already: no overtime at all
    public void Overtime_extends_a_shift_only_as_far_as_the_rest_before_tomorrows_shift_allows(string tomorrowStart, int overtimeMinutes)
    {
        var tomorrow = Shift("a-1", "short", tomorrowStart, TimeOnly.ParseExact(tomorrowStart, "HH:mm").AddHours(8).ToString("HH:mm"), Date.AddDays(1));
        var problem = Problem([Store("short", shortfall: Profile(("18:00", "19:00", 1)))],
            Staff(Hired("a-1", ["short"]), Shift("a-1", "short", "10:00", "18:00"), tomorrow));

        var plan = Solve(problem);

        Assert.Equal(overtimeMinutes, plan.Overtime.Sum(o => (int)o.Extension.TotalMinutes));
        Assert.Equal(2 - overtimeMinutes / 30, plan.ShortfallAfter);
        if (overtimeMinutes > 0) Assert.Equal(("10:00", "18:00"), (plan.Overtime[0].From.Start, plan.Overtime[0].From.End));
    }

    [Fact]
    public void Overtime_never_takes_a_day_past_ten_hours()
    {
        var problem = Problem([Store("short", shortfall: Profile(("18:00", "19:00", 1)))],
            Staff(Hired("long", ["short"]), Shift("long", "short", "08:00", "18:00")),
            Staff(Hired("split", ["short"]), Shift("split", "short", "08:00", "12:00"), Shift("split", "short", "12:30", "18:00")));

        var plan = Solve(problem);

        // "split" works 9.5 h: half an hour more at most; "long" already 10 h.
        var overtime = Assert.Single(plan.Overtime);
        Assert.Equal(("split", "18:30"), (overtime.AgentId, overtime.To.End));
        Assert.Equal(1, plan.ShortfallAfter);
    }

    [Fact]
    public void An_uncertified_or_unskilled_agent_is_never_moved_or_called_in()
    {
        var problem = Problem(
            [Store("short", shortfall: Profile(("10:00", "18:00", 2))), Store("spare", surplus: Profile(("10:00", "18:00", 2)))],
            Staff(Hired("uncertified", ["spare"]), Shift("uncertified", "spare", "10:00", "18:00")),
            Staff(Hired("hotline-only", ["short", "spare"], false, "hotline"), Shift("hotline-only", "spare", "10:00", "18:00", skill: "hotline")),
            Staff(Hired("standby-elsewhere", ["spare"], standby: true)),
            Staff(Hired("standby-hotline", ["short"], true, "hotline")));

        var plan = Solve(problem);

        Assert.Empty(plan.Moves);
        Assert.Empty(plan.CallIns);
        Assert.Equal(plan.ShortfallBefore, plan.ShortfallAfter);
        Assert.Equal(32, plan.RemainingGap.Single(g => g.StoreId == "short").AgentIntervals);
        Assert.Equal(PlanStatus.NothingToDo, plan.Status);
    }

    [Fact]
    public void An_absent_agent_is_neither_moved_nor_called_in()
    {
        var sick = new Absence("absence:x", "x", "a-1", "team", AbsenceKinds.Sick, Grid[0], Grid[0].AddDays(1), null, AbsenceSources.Reported, Now);
        var problem = Problem(
            [Store("short", shortfall: Profile(("10:00", "18:00", 1))), Store("spare", surplus: Profile(("10:00", "18:00", 1)))],
            new PlanAgent(Hired("a-1", ["short", "spare"]), [Shift("a-1", "spare", "10:00", "18:00")], [sick]),
            new PlanAgent(Hired("s-1", ["short"], standby: true), [], [sick with { AgentId = "s-1" }]));

        var plan = Solve(problem);

        Assert.Empty(plan.Moves);
        Assert.Empty(plan.CallIns);
    }

    [Theory]
    [InlineData(SlaRiskLevels.Breached, SlaRiskLevels.None, 5, 50)]     // breached wins over a far bigger contract
    [InlineData(SlaRiskLevels.Breached, SlaRiskLevels.AtRisk, 5, 50)]
    [InlineData(SlaRiskLevels.AtRisk, SlaRiskLevels.None, 5, 50)]
    [InlineData(SlaRiskLevels.None, SlaRiskLevels.None, 30, 5)]         // same risk: the bigger contract
    public void With_one_spare_agent_and_two_short_stores_the_higher_priority_store_gets_it(string firstRisk, string secondRisk,
        int firstHeadcount, int secondHeadcount)
    {
        var short8h = Profile(("10:00", "18:00", 1));
        var problem = Problem(
            [Store("second", shortfall: short8h, risk: secondRisk, presales: secondHeadcount), Store("first", shortfall: short8h, risk: firstRisk, presales: firstHeadcount)],
            Staff(Hired("s-1", ["first", "second"], standby: true)));

        var plan = Solve(problem);

        Assert.Equal("first", Assert.Single(plan.CallIns).StoreId);
        Assert.Equal(16, plan.RemainingGap.Single(g => g.StoreId == "second").AgentIntervals);
    }

    [Fact]
    public void A_move_may_open_a_gap_at_a_target_store_for_a_breached_one_but_a_store_that_is_only_lending_keeps_its_requirement()
    {
        PlanProblem WithLender(bool lenderIsTarget) => Problem(
            [Store("breached", shortfall: Profile(("10:00", "18:00", 1)), risk: SlaRiskLevels.Breached),
             Store("lender", surplus: Profile(("10:00", "12:00", 1)), target: lenderIsTarget)],
            Staff(Hired("a-1", ["breached", "lender"]), Shift("a-1", "lender", "10:00", "18:00")));

        var traded = Solve(WithLender(lenderIsTarget: true));
        var kept = Solve(WithLender(lenderIsTarget: false));

        Assert.Equal("breached", Assert.Single(traded.Moves).ToStoreId);
        Assert.Equal(12, traded.RemainingGap.Single(g => g.StoreId == "lender").AgentIntervals); // 12:00-18:00 left short
        Assert.Empty(kept.Moves);
    }

    [Fact]
    public void Each_shift_changes_once_and_each_standby_agent_is_called_in_once()
    {
        var problem = Problem(
            [Store("a", shortfall: Profile(("10:00", "20:00", 3))), Store("b", shortfall: Profile(("10:00", "20:00", 3))),
             Store("spare", shortfall: Profile(("18:00", "19:00", 1)), surplus: Profile(("10:00", "18:00", 1)))],
            Staff(Hired("mover", ["a", "b", "spare"]), Shift("mover", "spare", "10:00", "18:00")),
            Staff(Hired("s-1", ["a", "b"], standby: true)));

        var plan = Solve(problem);

        Assert.Single(plan.Moves);
        Assert.Single(plan.CallIns);
        Assert.Empty(plan.Overtime); // the mover's shift moved: it is not also extended at the store it left
        Assert.Equal(2, plan.RemainingGap.Single(g => g.StoreId == "spare").AgentIntervals);
    }

    // ---- The checker is not vacuous ----

    [Fact]
    public void Feasibility_names_a_move_of_an_uncertified_agent_a_call_in_of_a_non_standby_agent_and_a_wrong_objective()
    {
        var problem = Problem(
            [Store("short", shortfall: Profile(("10:00", "18:00", 1))), Store("spare", surplus: Profile(("10:00", "18:00", 1)))],
            Staff(Hired("a-1", ["spare"]), Shift("a-1", "spare", "10:00", "18:00")),
            Staff(Hired("a-2", ["short"])));
        var shift = Shift("a-1", "spare", "10:00", "18:00").Shift;
        var callIn = Shift("a-2", "short", "10:00", "18:00").Shift;
        var bogus = new PlanSolution([new PlanMove("a-1", "spare", "short", shift, shift)], [new PlanCallIn("a-2", "short", callIn)], [], [], 1, 0, 0, 0, 0,
            16, 0, PlanStatus.Feasible, 0, 0);

        var errors = PlanFeasibility.Check(problem, bogus);

        Assert.Contains(errors, e => e.Contains("not certified for store 'short'"));
        Assert.Contains(errors, e => e.Contains("only standby agents"));
        Assert.Contains(errors, e => e.Contains("objective"));
    }

    // ---- At the size ----

    [Fact]
    public void A_generated_instance_of_2000_agents_200_stores_and_48_intervals_gets_a_feasible_plan_with_a_proven_bound()
    {
        var problem = SyntheticPlanProblem.Generate(agents: 2000, stores: 200, seed: 7);
        Assert.Equal(48, problem.IntervalStarts.Count);

        var plan = EmergencyPlanner.Solve(problem);
        var firstFit = FirstFitPlanner.Solve(problem);

        Assert.Empty(PlanFeasibility.Check(problem, plan));
        Assert.Empty(PlanFeasibility.Check(problem, firstFit));
        Assert.Contains(plan.Status, new[] { PlanStatus.Optimal, PlanStatus.Feasible });
        Assert.InRange(plan.Bound, plan.UnavoidableCost, plan.Objective);
        Assert.True(plan.Bound > 0);
        Assert.True(plan.ShortfallAfter < plan.ShortfallBefore / 2, $"{plan.ShortfallBefore} -> {plan.ShortfallAfter}");
        Assert.True(plan.Moves.Count > 0 && plan.CallIns.Count > 0 && plan.Overtime.Count > 0);
        Assert.True(plan.Objective <= firstFit.Objective);
    }

    [Fact]
    public void The_model_prices_a_plan_exactly_as_its_recomputed_outcome_so_its_bound_holds()
    {
        var problem = SyntheticPlanProblem.Generate(agents: 400, stores: 40, seed: 11);
        var model = PlanModel.Build(problem);
        var random = new Random(3);

        // First fit, and random subsets of its choice (each still within the groups and budgets).
        var firstFit = FirstFitPlanner.Choose(model);
        foreach (var keep in new[] { 1.0, 0.7, 0.3 })
        {
            var chosen = firstFit.Select(c => c && random.NextDouble() < keep).ToArray();
            // An overtime step needs the one before it: drop later steps whose earlier one was dropped.
            foreach (var (later, earlier) in model.Steps.OrderBy(s => s.Later)) chosen[later] &= chosen[earlier];
            var (moves, callIns, overtime) = model.Changes(c => chosen[c]);
            Assert.Equal(PlanOutcome.Of(problem, moves, callIns, overtime).Objective, model.FixedCost + model.Cost(chosen));
        }
    }

    // ---- SLA risk and priority ----

    [Fact]
    public void Store_priority_ranks_risk_before_headcount()
    {
        Assert.True(StorePriority.Weight(SlaRiskLevels.AtRisk, 0) > StorePriority.Weight(SlaRiskLevels.None, 10_000));
        Assert.True(StorePriority.Weight(SlaRiskLevels.Breached, 0) > StorePriority.Weight(SlaRiskLevels.AtRisk, 10_000));
        Assert.True(StorePriority.Weight(SlaRiskLevels.None, 20) > StorePriority.Weight(SlaRiskLevels.None, 10));
    }

    [Fact]
    public void The_worst_sla_status_of_the_month_is_kept()
    {
        var atRisk = new StoreSlaRiskRecorded("s-1", "2026-11", "firstResponse", SlaRiskLevels.AtRisk, 0.82, 0.8, Now);
        var known = new StoreSlaRisk("sla-risk:s-1:2026-11", "s-1", "2026-11", SlaRiskLevels.AtRisk,
            [new MetricRisk("firstResponse", SlaRiskLevels.AtRisk, 0.82, 0.8, Now)], 1);

        var first = SlaRiskRules.Record(null, "s-1", "2026-11", "firstResponse", SlaRiskLevels.AtRisk, 0.82, 0.8, Now);
        var again = SlaRiskRules.Record(known, "s-1", "2026-11", "firstResponse", SlaRiskLevels.AtRisk, 0.81, 0.8, Now);
        var worse = SlaRiskRules.Record(known, "s-1", "2026-11", "firstResponse", SlaRiskLevels.Breached, 0.78, 0.8, Now);
        var otherMetric = SlaRiskRules.Record(known, "s-1", "2026-11", "satisfaction", SlaRiskLevels.AtRisk, 0.9, 0.85, Now);
        var milder = SlaRiskRules.Record(known with { Risk = SlaRiskLevels.Breached, Metrics = [new MetricRisk("firstResponse", SlaRiskLevels.Breached, 0.7, 0.8, Now)] },
            "s-1", "2026-11", "firstResponse", SlaRiskLevels.AtRisk, 0.81, 0.8, Now);

        Assert.Equal(atRisk, Assert.Single(Assert.IsType<Decision.Append>(first).Events));
        Assert.IsType<Decision.Unchanged>(again);
        Assert.Equal(SlaRiskLevels.Breached, ((StoreSlaRiskRecorded)Assert.Single(Assert.IsType<Decision.Append>(worse).Events)).Risk);
        Assert.IsType<Decision.Append>(otherMetric);
        Assert.IsType<Decision.Unchanged>(milder);
    }

    // ---- Approval ----

    private static (EmergencyPlan Plan, ApprovalState State) ApprovableMoveAndCallIn()
    {
        var stores = new[] { Store("short", shortfall: Profile(("10:00", "18:00", 2))), Store("spare", surplus: Profile(("10:00", "18:00", 1))) };
        var mover = Staff(Hired("a-1", ["short", "spare"]), Shift("a-1", "spare", "10:00", "18:00"));
        var stayer = Staff(Hired("a-9", ["spare"]), Shift("a-9", "spare", "09:00", "17:00"));
        var standby = Staff(Hired("s-1", ["short"], standby: true));
        var problem = Problem(stores, mover, stayer, standby);
        var solution = Solve(problem);
        Assert.Single(solution.Moves);
        Assert.Single(solution.CallIns);
        var plan = new EmergencyPlan("plan:ep-1", "ep-1", Date, Shanghai, ["short", "spare"], ["short", "spare"], [], solution, EmergencyPlanStatus.Proposed,
            "k-ops", Now, null, null, [], 1);
        var around = new[] { mover, stayer }.SelectMany(a => a.Shifts).ToList();
        var state = new ApprovalState(stores.ToDictionary(s => s.StoreId, s => s.Store),
            new Dictionary<string, Roster?>
            {
                ["spare"] = new("roster:spare:2026-11-16", "spare", Date, [.. around.Select(o => o.Shift)], 3),
                ["short"] = null,
            },
            new[] { mover, stayer, standby }.ToDictionary(a => a.AgentId, a => a.Profile), around, []);
        return (plan, state);
    }

    [Fact]
    public void Approval_writes_each_affected_roster_as_it_is_now_with_the_changes_then_the_approval_and_one_adjustment_per_roster()
    {
        var (plan, state) = ApprovableMoveAndCallIn();

        var events = Assert.IsType<Decision.Append>(PlanApproval.Approve(plan, state, "k-lead", Now.AddMinutes(5))).Events;

        var rosters = events.OfType<RosterChangedByPlan>().ToDictionary(r => r.StoreId);
        Assert.Equal(["a-9"], rosters["spare"].Shifts.Select(s => s.AgentId));
        Assert.Equal(["a-1", "s-1"], rosters["short"].Shifts.Select(s => s.AgentId).Order());
        Assert.All(rosters.Values, r => Assert.Equal(("ep-1", Date), (r.PlanId, r.Date)));
        Assert.Equal("k-lead", Assert.Single(events.OfType<EmergencyPlanApproved>()).ApprovedBy);
        var adjusted = events.OfType<EmergencyPlanRosterAdjusted>().ToDictionary(a => a.StoreId, a => a.AgentIds);
        Assert.Equal(["a-1"], adjusted["spare"]);
        Assert.Equal(["a-1", "s-1"], adjusted["short"]);
        Assert.IsType<Decision.Unchanged>(PlanApproval.Approve(plan with { Status = EmergencyPlanStatus.Approved }, state, "k-lead", Now));
    }

    [Fact]
    public void Approval_replaces_an_extended_shift_on_its_roster()
    {
        var store = Store("short", shortfall: Profile(("18:00", "19:00", 1)));
        var worker = Staff(Hired("a-1", ["short"]), Shift("a-1", "short", "10:00", "18:00"));
        var solution = Solve(Problem([store], worker));
        var plan = new EmergencyPlan("plan:ep-2", "ep-2", Date, Shanghai, ["short"], ["short"], [], solution, EmergencyPlanStatus.Proposed, "k-ops", Now,
            null, null, [], 1);
        var state = new ApprovalState(new Dictionary<string, StaffedStore> { ["short"] = store.Store },
            new Dictionary<string, Roster?> { ["short"] = new("roster:short:2026-11-16", "short", Date, [worker.Shifts[0].Shift], 1) },
            new Dictionary<string, Agent> { ["a-1"] = worker.Profile }, worker.Shifts, []);

        var events = Assert.IsType<Decision.Append>(PlanApproval.Approve(plan, state, "k-lead", Now)).Events;

        var shift = Assert.Single(Assert.Single(events.OfType<RosterChangedByPlan>()).Shifts);
        Assert.Equal(("a-1", "10:00", "19:00"), (shift.AgentId, shift.Start, shift.End));
    }

    [Fact]
    public void Approval_is_refused_naming_each_change_that_no_longer_fits_the_rosters()
    {
        var (plan, state) = ApprovableMoveAndCallIn();
        // Since the proposal: a-1's shift was taken off the spare store's roster, and s-1 was rostered elsewhere that afternoon.
        var elsewhere = Shift("s-1", "other", "12:00", "20:00");
        var changed = state with
        {
            Rosters = new Dictionary<string, Roster?> { ["spare"] = state.Rosters["spare"]! with { Shifts = [Shift("a-9", "spare", "09:00", "17:00").Shift] }, ["short"] = null },
            ShiftsAround = [.. state.ShiftsAround.Where(o => o.Shift.AgentId != "a-1"), elsewhere],
        };

        var conflict = Assert.IsType<Decision.Conflict>(PlanApproval.Approve(plan, changed, "k-lead", Now));

        Assert.Contains("no longer on the roster of 'spare'", conflict.Reason);
        Assert.Contains("'s-1' has overlapping shifts", conflict.Reason);
    }

    [Fact]
    public void The_request_names_a_missing_date_and_blank_store_ids()
    {
        var (_, _, errors) = PlansModule.Validate(new ProposeEmergencyPlan("16/11/2026", ["s-1", " "]));
        var (date, stores, fine) = PlansModule.Validate(new ProposeEmergencyPlan("2026-11-16", null));

        Assert.Equal(["date", "storeIds[1]"], errors.ToDecision().Errors.Keys.Order());
        Assert.False(fine.Any);
        Assert.Equal((Date, null), (date, stores));
    }
}
