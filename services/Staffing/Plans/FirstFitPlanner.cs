namespace Vendor.Staffing.Plans;

/// <summary>
/// The greedy plan an ops lead would make by hand: stores by priority, intervals in order, and for each missing agent the
/// first candidate (moves, then overtime, then call-ins) that still fits and lowers the cost. The benchmark's baseline and
/// the planner's fallback when the solver finds nothing in time.
/// </summary>
public static class FirstFitPlanner
{
    public static PlanSolution Solve(PlanProblem problem)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = PlanModel.Build(problem);
        var chosen = Choose(model);
        var (moves, callIns, overtime) = model.Changes(c => chosen[c]);
        // A first-fit plan proves nothing: its bound is only the shortfall no change could cover.
        return EmergencyPlanner.Finish(model, moves, callIns, overtime, model.UnavoidableCost, PlanStatus.FirstFit, clock);
    }

    internal static bool[] Choose(PlanModel model)
    {
        var candidates = model.Candidates;
        var chosen = new bool[candidates.Count];
        var covered = new int[model.Rows.Count]; // in − out per row
        var lent = new int[model.Limits.Count];
        var groupsOf = Lookup(candidates.Count, model.AtMostOne.Select((g, k) => (g, k)));
        var budgetsOf = Lookup(candidates.Count, model.HourBudgets.Select((b, k) => (b.Candidates, k)));
        var budgetUsed = new int[model.HourBudgets.Count];
        var groupUsed = new bool[model.AtMostOne.Count];
        var previous = model.Steps.ToDictionary(s => s.Later, s => s.Earlier);

        long Missing(int row) => Math.Max(0, model.Rows[row].Demand - covered[row]);

        List<int> WithEarlierSteps(int c)
        {
            var chain = new List<int> { c };
            while (previous.TryGetValue(chain[^1], out var earlier) && !chosen[earlier]) chain.Add(earlier);
            return chain;
        }

        bool Fits(List<int> set) =>
            set.All(c => groupsOf[c].All(g => !groupUsed[g]))
            && set.SelectMany(c => candidates[c].Lends).GroupBy(l => l).All(l => lent[l.Key] + l.Count() <= model.Limits[l.Key].Surplus)
            && set.SelectMany(c => budgetsOf[c]).GroupBy(b => b).All(b => budgetUsed[b.Key] + b.Count() <= model.HourBudgets[b.Key].Limit);

        long Delta(List<int> set)
        {
            var delta = set.Sum(c => candidates[c].Cost);
            foreach (var group in set.SelectMany(c => candidates[c].In.Select(r => (r, +1)).Concat(candidates[c].Out.Select(r => (r, -1)))).GroupBy(x => x.r))
            {
                var before = Missing(group.Key);
                var after = Math.Max(0, model.Rows[group.Key].Demand - covered[group.Key] - group.Sum(x => x.Item2));
                delta += (after - before) * model.Rows[group.Key].Penalty;
            }
            return delta;
        }

        void Take(List<int> set)
        {
            foreach (var c in set)
            {
                chosen[c] = true;
                foreach (var r in candidates[c].In) covered[r]++;
                foreach (var r in candidates[c].Out) covered[r]--;
                foreach (var l in candidates[c].Lends) lent[l]++;
                foreach (var g in groupsOf[c]) groupUsed[g] = true;
                foreach (var b in budgetsOf[c]) budgetUsed[b]++;
            }
        }

        var order = Enumerable.Range(0, model.Rows.Count).OrderByDescending(r => model.Rows[r].Penalty)
            .ThenBy(r => model.Rows[r].Store).ThenBy(r => model.Rows[r].Interval);
        foreach (var row in order)
            foreach (var c in model.Rows[row].In)
            {
                if (Missing(row) == 0) break;
                if (chosen[c]) continue;
                var set = WithEarlierSteps(c);
                if (Fits(set) && Delta(set) < 0) Take(set);
            }
        return chosen;
    }

    private static List<int>[] Lookup(int count, IEnumerable<(int[] Members, int Index)> sets)
    {
        var lookup = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        foreach (var (members, index) in sets)
            foreach (var c in members) lookup[c].Add(index);
        return lookup;
    }
}
