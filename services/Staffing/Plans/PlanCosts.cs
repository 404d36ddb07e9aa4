using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Plans;

/// <summary>
/// What the plan minimises, in points. A missing agent-interval costs 100 × the store's priority weight (100 to 1,800), far
/// more than any change, so the plan covers whatever it can; among the changes, moving a lent agent is cheapest, overtime
/// (paid extra) next, a call-in (a fixed disturbance plus its hours) last.
/// </summary>
public static class PlanCosts
{
    public const int MissingAgentInterval = 100;
    public const int Move = 20;
    public const int CallIn = 50;
    public const int CallInPerInterval = 5;
    public const int OvertimePerInterval = 30;

    public static long Penalty(PlanStore store) => (long)Math.Round(MissingAgentInterval * store.Weight);

    public static int Intervals(TimeSpan length) => (int)(length.TotalMinutes / OpeningHours.IntervalMinutes);

    public static long Of(PlanCallIn callIn) => CallIn + CallInPerInterval * Intervals(callIn.Shift.Length);

    public static long Of(PlanOvertime overtime) => OvertimePerInterval * Intervals(overtime.Extension);
}

/// <summary>The coverage a plan leaves and what it costs, recomputed from the changes alone (the solver's word is not taken for it).</summary>
public sealed record PlanOutcome(long Objective, IReadOnlyList<StoreGap> RemainingGap, int ShortfallBefore, int ShortfallAfter,
    IReadOnlyList<string> LendingOverdrawn)
{
    public static PlanOutcome Of(PlanProblem problem, IReadOnlyList<PlanMove> moves, IReadOnlyList<PlanCallIn> callIns,
        IReadOnlyList<PlanOvertime> overtime)
    {
        var n = problem.IntervalStarts.Count;
        var index = problem.Stores.Select((s, k) => (s.StoreId, k)).ToDictionary(x => x.StoreId, x => x.k);
        var added = problem.Stores.Select(_ => new int[n]).ToArray();
        void Add(string storeId, Shift shift, int sign, Shift? except = null)
        {
            if (!index.TryGetValue(storeId, out var s)) return;
            foreach (var i in problem.IntervalsOf(shift))
                if (except is null || !except.Covers(problem.IntervalStarts[i], problem.IntervalEnd(i))) added[s][i] += sign;
        }
        foreach (var m in moves)
        {
            Add(m.FromStoreId, m.From, -1);
            Add(m.ToStoreId, m.To, +1);
        }
        foreach (var c in callIns) Add(c.StoreId, c.Shift, +1);
        foreach (var o in overtime) Add(o.StoreId, o.To, +1, except: o.From);

        long cost = moves.Count * (long)PlanCosts.Move + callIns.Sum(PlanCosts.Of) + overtime.Sum(PlanCosts.Of);
        var gaps = new List<StoreGap>();
        var overdrawn = new List<string>();
        var (before, after) = (0, 0);
        for (var s = 0; s < problem.Stores.Count; s++)
        {
            var store = problem.Stores[s];
            var left = new List<IntervalGap>();
            for (var i = 0; i < n; i++)
            {
                if (!store.Target)
                {
                    if (-added[s][i] > store.Surplus[i])
                        overdrawn.Add($"Store '{store.StoreId}' is not a target but lends {-added[s][i]} agents at {problem.IntervalStarts[i]:HH:mm} with a surplus of {store.Surplus[i]}.");
                    continue;
                }
                var missing = Math.Max(0, store.Shortfall[i] - store.Surplus[i] - added[s][i]);
                before += store.Shortfall[i];
                after += missing;
                cost += missing * PlanCosts.Penalty(store);
                if (missing > 0) left.Add(new IntervalGap(problem.IntervalStarts[i], missing));
            }
            if (left.Count > 0) gaps.Add(new StoreGap(store.StoreId, left));
        }
        return new PlanOutcome(cost, gaps, before, after, overdrawn);
    }
}
