using Vendor.Staffing.Rosters;

namespace Vendor.Staffing.Plans;

/// <summary>
/// One possible change, already known to keep the rostering rules on its own: a move, a call-in, or one more half hour of
/// overtime on a shift (step k may only be taken with step k − 1).
/// </summary>
internal sealed record Candidate(int Agent, long Cost, object Change)
{
    /// <summary>Coverage rows this change adds an agent to, and rows it takes one from (the lending store of a move).</summary>
    public int[] In { get; set; } = [];
    public int[] Out { get; set; } = [];
    /// <summary>Lending limits (stores that are not targets) this change draws on.</summary>
    public int[] Lends { get; set; } = [];
}

/// <param name="Demand">Shortfall minus surplus: agents missing (positive) or to spare (negative) before the plan.</param>
internal sealed record CoverageRow(int Store, int Interval, int Demand, long Penalty)
{
    public List<int> In { get; } = [];
    public List<int> Out { get; } = [];
}

/// <summary>A store that is not a target lends at most its surplus in an interval.</summary>
internal sealed record LendingLimit(int Store, int Interval, int Surplus)
{
    public List<int> Out { get; } = [];
}

/// <summary>
/// The optimisation model of a <see cref="PlanProblem"/>, solver-neutral: candidates (0/1), coverage rows
/// (missing ≥ demand − in + out, missing ≥ 0, weighted by the store's penalty), lending limits, at-most-one groups
/// (one change per shift, one call-in per agent), overtime steps in order and hours budgets for agents with several shifts.
/// Every candidate passed <see cref="PlanRules"/> alone; the groups and budgets keep combinations within the rules.
/// </summary>
internal sealed class PlanModel
{
    public const int MaxOvertimeIntervals = 4;
    /// <summary>Call-in shifts of 4, 6 or 8 hours.</summary>
    public static readonly int[] CallInIntervals = [8, 12, 16];

    public required PlanProblem Problem { get; init; }
    public List<Candidate> Candidates { get; } = [];
    public List<CoverageRow> Rows { get; } = [];
    public List<LendingLimit> Limits { get; } = [];
    public List<int[]> AtMostOne { get; } = [];
    public List<(int Later, int Earlier)> Steps { get; } = [];
    public List<(int[] Candidates, int Limit)> HourBudgets { get; } = [];
    /// <summary>Weighted shortfall of rows no candidate touches: in every plan's cost as it is.</summary>
    public long FixedCost { get; private set; }
    /// <summary>Weighted shortfall beyond the number of distinct agents able to help in that interval: in every plan's cost.</summary>
    public long UnavoidableCost { get; private set; }

    public static PlanModel Build(PlanProblem problem)
    {
        if (problem.IntervalStarts.Count is 0 or > 64) throw new ArgumentException("A plan covers 1 to 64 intervals.", nameof(problem));
        var model = new PlanModel { Problem = problem };
        var touches = new List<(int Candidate, int Store, int[] Intervals, int Sign)>();
        new CandidateBuilder(problem, model.Candidates, touches, model.AtMostOne, model.Steps, model.HourBudgets).Build();
        model.Index(touches);
        return model;
    }

    /// <summary>Rows for the store-intervals a candidate can change; the rest is fixed or cannot go short.</summary>
    private void Index(List<(int Candidate, int Store, int[] Intervals, int Sign)> touches)
    {
        var n = Problem.IntervalStarts.Count;
        var ins = Problem.Stores.Select(_ => new List<int>[n]).ToArray();
        var outs = Problem.Stores.Select(_ => new List<int>[n]).ToArray();
        foreach (var (c, s, intervals, sign) in touches)
            foreach (var i in intervals)
                ((sign > 0 ? ins : outs)[s][i] ??= []).Add(c);

        var candidateIn = Candidates.Select(_ => new List<int>()).ToArray();
        var candidateOut = Candidates.Select(_ => new List<int>()).ToArray();
        var candidateLends = Candidates.Select(_ => new List<int>()).ToArray();
        for (var s = 0; s < Problem.Stores.Count; s++)
        {
            var store = Problem.Stores[s];
            var penalty = PlanCosts.Penalty(store);
            for (var i = 0; i < n; i++)
            {
                var (inList, outList) = (ins[s][i] ?? [], outs[s][i] ?? []);
                if (!store.Target)
                {
                    if (outList.Count <= store.Surplus[i]) continue;
                    var limit = new LendingLimit(s, i, store.Surplus[i]);
                    limit.Out.AddRange(outList);
                    foreach (var c in outList) candidateLends[c].Add(Limits.Count);
                    Limits.Add(limit);
                    continue;
                }
                var demand = store.Shortfall[i] - store.Surplus[i];
                if (demand > 0)
                {
                    var helpers = inList.Select(c => Candidates[c].Agent).Distinct().Count();
                    UnavoidableCost += Math.Max(0, demand - helpers) * penalty;
                }
                if (inList.Count == 0 && outList.Count <= -demand)
                {
                    FixedCost += Math.Max(0, demand) * penalty;
                    continue;
                }
                var row = new CoverageRow(s, i, demand, penalty);
                row.In.AddRange(inList);
                row.Out.AddRange(outList);
                foreach (var c in inList) candidateIn[c].Add(Rows.Count);
                foreach (var c in outList) candidateOut[c].Add(Rows.Count);
                Rows.Add(row);
            }
        }
        for (var c = 0; c < Candidates.Count; c++)
        {
            Candidates[c].In = [.. candidateIn[c]];
            Candidates[c].Out = [.. candidateOut[c]];
            Candidates[c].Lends = [.. candidateLends[c]];
        }
    }

    /// <summary>The cost of a 0/1 choice of candidates, without <see cref="FixedCost"/>.</summary>
    public long Cost(bool[] chosen)
    {
        var covered = new int[Rows.Count];
        long cost = 0;
        for (var c = 0; c < Candidates.Count; c++)
        {
            if (!chosen[c]) continue;
            cost += Candidates[c].Cost;
            foreach (var r in Candidates[c].In) covered[r]++;
            foreach (var r in Candidates[c].Out) covered[r]--;
        }
        for (var r = 0; r < Rows.Count; r++) cost += Math.Max(0, Rows[r].Demand - covered[r]) * Rows[r].Penalty;
        return cost;
    }

    /// <summary>The plan of a 0/1 choice of candidates (overtime: the longest extension chosen per shift).</summary>
    public (List<PlanMove> Moves, List<PlanCallIn> CallIns, List<PlanOvertime> Overtime) Changes(Func<int, bool> chosen)
    {
        var moves = new List<PlanMove>();
        var callIns = new List<PlanCallIn>();
        var overtime = new Dictionary<(string AgentId, Shift From), PlanOvertime>();
        for (var c = 0; c < Candidates.Count; c++)
        {
            if (!chosen(c)) continue;
            switch (Candidates[c].Change)
            {
                case PlanMove m: moves.Add(m); break;
                case PlanCallIn ci: callIns.Add(ci); break;
                case PlanOvertime o when !overtime.TryGetValue((o.AgentId, o.From), out var longer) || longer.To.EndsAt < o.To.EndsAt:
                    overtime[(o.AgentId, o.From)] = o;
                    break;
            }
        }
        return (moves, callIns, [.. overtime.Values]);
    }
}

/// <summary>Generates the candidates of a problem, each checked by <see cref="PlanRules"/>.</summary>
internal sealed class CandidateBuilder(PlanProblem problem, List<Candidate> candidates, List<(int, int, int[], int)> touches,
    List<int[]> atMostOne, List<(int, int)> steps, List<(int[], int)> hourBudgets)
{
    private readonly int _n = problem.IntervalStarts.Count;
    private readonly Dictionary<string, int> _storeIndex = problem.Stores.Select((s, k) => (s.StoreId, k)).ToDictionary(x => x.StoreId, x => x.k);
    private readonly Dictionary<DateTimeOffset, int> _intervalAt = problem.IntervalStarts.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);

    public void Build()
    {
        var shortMask = problem.Stores.Select(s => s.Target ? Mask(Enumerable.Range(0, _n).Where(i => s.Shortfall[i] > 0)) : 0UL).ToArray();
        var surplusMask = problem.Stores.Select(s => Mask(Enumerable.Range(0, _n).Where(i => s.Surplus[i] > 0))).ToArray();
        var windows = problem.Stores.Select((s, k) => CallInWindows(shortMask[k])).ToArray();
        // Where an added agent can lower the cost: short intervals, and those a move away from the store could leave short.
        var helpful = shortMask.ToArray();
        foreach (var agent in problem.Agents)
            foreach (var shift in agent.Shifts.Where(o => o.Date == problem.Date))
                if (_storeIndex.TryGetValue(shift.StoreId, out var s) && problem.Stores[s].Target && Movable(agent, shift))
                    helpful[s] |= Mask(problem.IntervalsOf(shift.Shift));
        for (var a = 0; a < problem.Agents.Count; a++)
        {
            var agent = problem.Agents[a];
            if (!agent.Profile.WorksOn(problem.Date)) continue;
            var today = agent.Shifts.Where(o => o.Date == problem.Date).ToList();
            var overtimeSteps = new List<int>();
            foreach (var shift in today)
            {
                var group = new List<int>();
                if (_storeIndex.TryGetValue(shift.StoreId, out var from) && Movable(agent, shift))
                {
                    Moves(a, agent, shift, from, shortMask, surplusMask[from], group);
                    Overtime(a, agent, shift, from, shortMask[from], group, overtimeSteps);
                }
                if (group.Count > 1) atMostOne.Add([.. group]);
            }
            // Each step was checked with the agent's other shifts as they are; two shifts' overtime together must fit the day too.
            var budget = PlanCosts.Intervals(RosterRules.MaxPerDay - today.Aggregate(TimeSpan.Zero, (sum, o) => sum + o.Shift.Length));
            if (today.Count > 1 && overtimeSteps.Count > budget) hourBudgets.Add(([.. overtimeSteps], budget));
            if (agent.Profile.Standby && today.Count == 0) CallIns(a, agent, helpful, windows);
        }
    }

    /// <summary>The whole shift to another target store short during it, when the shift's own store has agents to spare during it.</summary>
    private void Moves(int a, PlanAgent agent, OtherShift shift, int from, ulong[] shortMask, ulong fromSurplus, List<int> group)
    {
        var covered = Mask(problem.IntervalsOf(shift.Shift));
        if ((covered & fromSurplus) == 0) return;
        for (var to = 0; to < problem.Stores.Count; to++)
        {
            var target = problem.Stores[to];
            if (to == from || (covered & shortMask[to]) == 0 || !MayWorkAt(agent, target)) continue;
            var (moved, _) = PlanRules.Change(agent, target.Store, problem.Date, shift.Shift,
                new ShiftInput(agent.AgentId, shift.Shift.Start, shift.Shift.End, PlanRules.SkillAt(target, shift.Shift.Skill)));
            if (moved is null) continue;
            var c = Add(a, PlanCosts.Move, new PlanMove(agent.AgentId, shift.StoreId, target.StoreId, shift.Shift, moved));
            touches.Add((c, to, Intervals(covered), +1));
            touches.Add((c, from, Intervals(covered), -1));
            group.Add(c);
        }
    }

    /// <summary>Half hour after half hour at the shift's end, while the store is still short later on and the rules allow.</summary>
    private void Overtime(int a, PlanAgent agent, OtherShift shift, int store, ulong shortMask, List<int> group, List<int> overtimeSteps)
    {
        if (!_intervalAt.TryGetValue(shift.Shift.EndsAt, out var first) || shortMask == 0) return;
        var lastUseful = Enumerable.Range(first, Math.Min(PlanModel.MaxOvertimeIntervals, _n - first)).LastOrDefault(i => (shortMask & (1UL << i)) != 0, -1);
        var previous = -1;
        for (var i = first; i <= lastUseful; i++)
        {
            var end = problem.IntervalEnd(i);
            if (agent.AbsentDuring(shift.Shift.EndsAt, end)) return;
            var target = problem.Stores[store];
            var (extended, _) = PlanRules.Change(agent, target.Store, problem.Date, shift.Shift,
                PlanRules.Input(shift.Shift) with { End = PlanRules.WallClock(end, target.Store.TimeZone) });
            if (extended is null) return; // a longer extension breaks the same rule
            var c = Add(a, PlanCosts.OvertimePerInterval, new PlanOvertime(agent.AgentId, shift.StoreId, shift.Shift, extended));
            touches.Add((c, store, [i], +1));
            overtimeSteps.Add(c);
            if (previous < 0) group.Add(c);
            else steps.Add((c, previous));
            previous = c;
        }
    }

    /// <summary>A standby agent's call-in shifts at the stores the agent may work at, without those another one covers as well for less.</summary>
    private void CallIns(int a, PlanAgent agent, ulong[] helpful, IReadOnlyList<(int Start, int Length)>[] windows)
    {
        var group = new List<int>();
        for (var s = 0; s < problem.Stores.Count; s++)
        {
            var store = problem.Stores[s];
            if (windows[s].Count == 0 || !MayWorkAt(agent, store)) continue;
            var feasible = new List<(PlanCallIn CallIn, ulong Covers, long Cost, int Open)>();
            foreach (var (start, length) in windows[s])
            {
                var (from, to) = (problem.IntervalStarts[start], problem.IntervalEnd(start + length - 1));
                if (agent.AbsentDuring(from, to)) continue;
                var (shift, _) = PlanRules.Change(agent, store.Store, problem.Date, null, new ShiftInput(agent.AgentId,
                    PlanRules.WallClock(from, store.Store.TimeZone), PlanRules.WallClock(to, store.Store.TimeZone), null));
                if (shift is null) continue;
                var callIn = new PlanCallIn(agent.AgentId, store.StoreId, shift);
                feasible.Add((callIn, Mask(Enumerable.Range(start, length)) & helpful[s], PlanCosts.Of(callIn),
                    Enumerable.Range(start, length).Count(store.IsOpen)));
            }
            // Dropped: a call-in another one beats on coverage of short intervals and cost, and then on hours the store is open.
            for (var k = 0; k < feasible.Count; k++)
            {
                var (callIn, covers, cost, open) = feasible[k];
                var dominated = feasible.Where((other, j) => j != k && (other.Covers & covers) == covers && other.Cost <= cost && other.Open >= open
                    && (other.Covers != covers || other.Cost < cost || other.Open > open || j < k)).Any();
                if (dominated) continue;
                var c = Add(a, cost, callIn);
                touches.Add((c, s, Intervals(covers), +1));
                group.Add(c);
            }
        }
        if (group.Count > 1) atMostOne.Add([.. group]);
    }

    /// <summary>
    /// Call-in windows of a store: each length starting at the first short interval of a run and on every hour within it,
    /// and ending at a run's last short interval; all inside the day.
    /// </summary>
    private List<(int Start, int Length)> CallInWindows(ulong shortMask)
    {
        var windows = new HashSet<(int, int)>();
        for (var i = 0; i < _n; i++)
        {
            if ((shortMask & (1UL << i)) == 0) continue;
            var runStart = i;
            while (i + 1 < _n && (shortMask & (1UL << (i + 1))) != 0) i++;
            foreach (var length in PlanModel.CallInIntervals)
            {
                for (var start = runStart; start <= i; start += 2)
                    if (start + length <= _n) windows.Add((start, length));
                if (i - length + 1 >= 0) windows.Add((i - length + 1, length));
                else windows.Add((0, length));
            }
        }
        return [.. windows.Order()];
    }

    private static bool MayWorkAt(PlanAgent agent, PlanStore store) =>
        store.Target && agent.Profile.Skills.Any(k => store.Skills.Contains(k) && agent.Profile.CertifiedFor(store.StoreId, k));

    /// <summary>A shift of the day that may move or be extended: inside the day, its agent not absent during it.</summary>
    private bool Movable(PlanAgent agent, OtherShift shift) =>
        shift.Shift.StartsAt >= problem.DayStart && shift.Shift.EndsAt <= problem.DayEnd && !agent.AbsentDuring(shift.Shift.StartsAt, shift.Shift.EndsAt);

    private int Add(int agent, long cost, object change)
    {
        candidates.Add(new Candidate(agent, cost, change));
        return candidates.Count - 1;
    }

    private static ulong Mask(IEnumerable<int> intervals) => intervals.Aggregate(0UL, (m, i) => m | (1UL << i));

    private int[] Intervals(ulong mask) => [.. Enumerable.Range(0, _n).Where(i => (mask & (1UL << i)) != 0)];
}
