using Vendor.Staffing.Rosters;

namespace Vendor.Staffing.Plans;

/// <summary>
/// Checks a plan against its problem without trusting the planner: every change is one the plan may make (a whole existing
/// shift moved to a target store, a standby agent without a shift called in, an existing shift extended at its end; at most
/// one change per shift, one call-in per agent; nobody put to work while absent), every agent's day after all of the
/// agent's changes keeps the rostering rules (<see cref="PlanRules"/>, i.e. <see cref="RosterRules"/>), stores that are not
/// targets lend only their surplus, and the reported cost and remaining gap are what the changes give.
/// </summary>
public static class PlanFeasibility
{
    public static IReadOnlyList<string> Check(PlanProblem problem, PlanSolution solution)
    {
        var errors = new List<string>();
        var agents = problem.Agents.ToDictionary(a => a.AgentId);
        var stores = problem.Stores.ToDictionary(s => s.StoreId);
        var days = new Dictionary<string, List<OtherShift>>();
        var proposed = new List<(PlanAgent Agent, OtherShift Shift)>();
        var changedShifts = new HashSet<(string AgentId, Shift Shift)>();

        List<OtherShift>? DayOf(string agentId, string what)
        {
            if (!agents.TryGetValue(agentId, out var agent)) { errors.Add($"{what}: agent '{agentId}' is not in the problem."); return null; }
            if (!agent.Profile.WorksOn(problem.Date)) errors.Add($"{what}: agent '{agentId}' is not employed on {problem.Date:yyyy-MM-dd}.");
            return days.TryGetValue(agentId, out var day) ? day : days[agentId] = [.. agent.Shifts];
        }
        bool Target(string storeId, string what)
        {
            if (stores.TryGetValue(storeId, out var store) && store.Target) return true;
            errors.Add($"{what}: store '{storeId}' is not a target of the plan.");
            return false;
        }
        void Replace(List<OtherShift> day, string what, string agentId, string storeId, Shift from, OtherShift? by)
        {
            var index = day.FindIndex(o => o.StoreId == storeId && o.Date == problem.Date && o.Shift == from);
            if (index < 0) errors.Add($"{what}: agent '{agentId}' has no shift {from.Start}-{from.End} at '{storeId}' on {problem.Date:yyyy-MM-dd}.");
            else if (!changedShifts.Add((agentId, from))) errors.Add($"{what}: the shift {from.Start}-{from.End} of agent '{agentId}' is changed twice.");
            else if (by is null) day.RemoveAt(index);
            else day[index] = by;
        }
        void Propose(string agentId, OtherShift shift, DateTimeOffset busyFrom, string what)
        {
            var agent = agents[agentId];
            if (agent.AbsentDuring(busyFrom, shift.Shift.EndsAt)) errors.Add($"{what}: agent '{agentId}' is absent then.");
            if (shift.Shift.StartsAt < problem.DayStart || shift.Shift.EndsAt > problem.DayEnd) errors.Add($"{what}: the shift leaves the day.");
            proposed.Add((agent, shift));
        }

        foreach (var m in solution.Moves)
        {
            var what = $"Move of '{m.AgentId}' from '{m.FromStoreId}' to '{m.ToStoreId}'";
            if (DayOf(m.AgentId, what) is not { } day || !Target(m.ToStoreId, what)) continue;
            if (m.FromStoreId == m.ToStoreId || !stores.ContainsKey(m.FromStoreId)) errors.Add($"{what}: it must move between two stores of the problem.");
            if ((m.From.StartsAt, m.From.EndsAt, m.From.AgentId) != (m.To.StartsAt, m.To.EndsAt, m.To.AgentId)) errors.Add($"{what}: a move keeps the shift's hours.");
            var moved = new OtherShift(m.ToStoreId, problem.Date, m.To);
            Replace(day, what, m.AgentId, m.FromStoreId, m.From, moved);
            Propose(m.AgentId, moved, m.To.StartsAt, what);
        }
        foreach (var o in solution.Overtime)
        {
            var what = $"Overtime of '{o.AgentId}' at '{o.StoreId}'";
            if (DayOf(o.AgentId, what) is not { } day || !Target(o.StoreId, what)) continue;
            if ((o.From.StartsAt, o.From.Skill, o.From.AgentId) != (o.To.StartsAt, o.To.Skill, o.To.AgentId) || o.To.EndsAt <= o.From.EndsAt)
                errors.Add($"{what}: overtime extends the same shift at its end.");
            var extended = new OtherShift(o.StoreId, problem.Date, o.To);
            Replace(day, what, o.AgentId, o.StoreId, o.From, extended);
            Propose(o.AgentId, extended, o.From.EndsAt, what);
        }
        foreach (var callIns in solution.CallIns.GroupBy(c => c.AgentId))
        {
            var c = callIns.First();
            var what = $"Call-in of '{c.AgentId}' at '{c.StoreId}'";
            if (DayOf(c.AgentId, what) is not { } day || !Target(c.StoreId, what)) continue;
            if (callIns.Count() > 1) errors.Add($"{what}: an agent is called in once.");
            if (!agents[c.AgentId].Profile.Standby) errors.Add($"{what}: only standby agents are called in.");
            if (agents[c.AgentId].Shifts.Any(s => s.Date == problem.Date)) errors.Add($"{what}: the agent already works that day.");
            var called = new OtherShift(c.StoreId, problem.Date, c.Shift);
            day.Add(called);
            Propose(c.AgentId, called, c.Shift.StartsAt, what);
        }

        // The rostering rules over each changed agent-day, with all of the agent's changes applied at once.
        foreach (var (agent, shift) in proposed)
        {
            var day = days[agent.AgentId];
            bool Here(OtherShift o) => o.StoreId == shift.StoreId && o.Date == problem.Date;
            var (parsed, ruleErrors) = PlanRules.AgentDay(stores[shift.StoreId].Store, problem.Date, agent.Profile,
                [.. day.Where(Here).Select(o => PlanRules.Input(o.Shift))], [.. day.Where(o => !Here(o))]);
            errors.AddRange(ruleErrors.Select(e => $"Agent '{agent.AgentId}' at '{shift.StoreId}': {e}"));
            if (parsed is not null && !parsed.Contains(shift.Shift))
                errors.Add($"Agent '{agent.AgentId}' at '{shift.StoreId}': the shift {shift.Shift.Start}-{shift.Shift.End} is not what the roster would hold.");
        }

        var outcome = PlanOutcome.Of(problem, solution.Moves, solution.CallIns, solution.Overtime);
        errors.AddRange(outcome.LendingOverdrawn);
        if (outcome.Objective != solution.Objective) errors.Add($"The objective is {outcome.Objective}, not {solution.Objective}.");
        if (!SameGaps(outcome.RemainingGap, solution.RemainingGap)) errors.Add("The remaining gap is not what the changes leave.");
        if (solution.Bound > solution.Objective) errors.Add($"The bound {solution.Bound} is above the objective {solution.Objective}.");
        return errors.Distinct().ToList();
    }

    private static bool SameGaps(IReadOnlyList<StoreGap> a, IReadOnlyList<StoreGap> b) =>
        a.Count == b.Count && a.Zip(b).All(x => x.First.StoreId == x.Second.StoreId && x.First.Intervals.SequenceEqual(x.Second.Intervals));
}
