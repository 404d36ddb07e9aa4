using Vendor.Staffing.Rosters;

namespace Vendor.Staffing.Plans;

/// <summary>A whole shift of the day moved from the agent's roster at one store to another store's roster (same hours; the skill the target needs).</summary>
public sealed record PlanMove(string AgentId, string FromStoreId, string ToStoreId, Shift From, Shift To);

/// <summary>A standby agent without a shift that day is called in for a new shift.</summary>
public sealed record PlanCallIn(string AgentId, string StoreId, Shift Shift);

/// <summary>An agent's shift is extended at its end (overtime), on the same store's roster.</summary>
public sealed record PlanOvertime(string AgentId, string StoreId, Shift From, Shift To)
{
    public TimeSpan Extension => To.EndsAt - From.EndsAt;
}

public sealed record IntervalGap(DateTimeOffset Start, int Agents);

/// <summary>The agents still missing at a store after the plan, per interval (short intervals only).</summary>
public sealed record StoreGap(string StoreId, IReadOnlyList<IntervalGap> Intervals)
{
    public int AgentIntervals => Intervals.Sum(i => i.Agents);
}

public static class PlanStatus
{
    /// <summary>The solver proved the plan optimal.</summary>
    public const string Optimal = "optimal";
    /// <summary>The best plan the solver found in its time; the bound tells how far from optimal it can be at most.</summary>
    public const string Feasible = "feasible";
    /// <summary>The solver found nothing in its time: the first-fit plan instead.</summary>
    public const string FirstFit = "firstFit";
    /// <summary>No store is short, or nothing could help: an empty plan.</summary>
    public const string NothingToDo = "nothingToDo";
}

/// <param name="Objective">The plan's cost: weighted missing agent-intervals (<see cref="PlanCosts"/>) plus the cost of each change.</param>
/// <param name="Bound">A proven lower bound on the cost of any plan (LP relaxation, or the solver's own bound when higher).</param>
/// <param name="GapPercent">(objective − bound) / objective: how far from optimal the plan can be at most.</param>
/// <param name="UnavoidableCost">The weighted shortfall no change could cover (more agents missing than agents able to help).</param>
/// <param name="AvoidableGapPercent">The gap on the part of the cost a plan can influence: (objective − bound) / (objective − unavoidable).</param>
/// <param name="ShortfallBefore">Missing agent-intervals at the target stores before the plan.</param>
/// <param name="ShortfallAfter">Missing agent-intervals left at all stores after the plan (including any a move opened at a lending store).</param>
public sealed record PlanSolution(IReadOnlyList<PlanMove> Moves, IReadOnlyList<PlanCallIn> CallIns, IReadOnlyList<PlanOvertime> Overtime,
    IReadOnlyList<StoreGap> RemainingGap, long Objective, long Bound, double GapPercent, long UnavoidableCost, double AvoidableGapPercent,
    int ShortfallBefore, int ShortfallAfter, string Status, double Seconds, int Candidates);
