using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Plans;

/// <summary>
/// Whether one agent's shifts on one roster may change as a plan proposes. The rostering rules themselves decide
/// (<see cref="RosterRules.Publish"/>: employed, certified for the store, holding a skill it needs, no overlap, at most 10 h
/// that day, at least 11 h of rest between days), over just this agent's shifts: other agents' shifts on the roster are
/// not the plan's to judge. The planner's candidates, <see cref="PlanFeasibility"/> and approval all ask here.
/// </summary>
public static class PlanRules
{
    /// <summary>The agent's shifts on the store's roster of <paramref name="date"/> after a change, parsed as the roster would hold them, or why not.</summary>
    public static (IReadOnlyList<Shift>? Shifts, IReadOnlyList<string> Errors) AgentDay(StaffedStore store, DateOnly date, Agent agent,
        IReadOnlyList<ShiftInput> shiftsHere, IReadOnlyList<OtherShift> elsewhere)
    {
        var decision = RosterRules.Publish(null, store, date, shiftsHere, new Dictionary<string, Agent> { [agent.AgentId] = agent }, elsewhere,
            DateTimeOffset.UnixEpoch);
        return decision switch
        {
            Decision.Append { Events: [RosterPublished published] } => (published.Shifts, []),
            Decision.Invalid invalid => (null, [.. invalid.Errors.SelectMany(e => e.Value)]),
            _ => (null, [$"Unexpected roster decision {decision.GetType().Name}."]),
        };
    }

    /// <summary>
    /// The agent's day with <paramref name="removed"/> taken off its roster (any store's) and <paramref name="added"/> put on the roster of
    /// <paramref name="store"/>: the added shift as the roster would hold it, or why not.
    /// </summary>
    public static (Shift? Added, IReadOnlyList<string> Errors) Change(PlanAgent agent, StaffedStore store, DateOnly date, Shift? removed,
        ShiftInput added)
    {
        bool Here(OtherShift o) => o.StoreId == store.StoreId && o.Date == date;
        var kept = agent.Shifts.Where(o => !(o.Date == date && o.Shift == removed)).ToList();
        var here = kept.Where(Here).Select(o => Input(o.Shift)).Append(added).ToList();
        var (shifts, errors) = AgentDay(store, date, agent.Profile, here, [.. kept.Where(o => !Here(o))]);
        return (shifts?[^1], errors);
    }

    public static ShiftInput Input(Shift shift) => new(shift.AgentId, shift.Start, shift.End, shift.Skill);

    /// <summary>Store-local wall-clock "HH:mm" of an instant, as rosters spell shift times.</summary>
    public static string WallClock(DateTimeOffset at, string timeZone) =>
        TimeZoneInfo.ConvertTime(at, OpeningHours.Zone(timeZone)).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The skill a shift at the store should use: the one it had when the store needs it, else the roster's default.</summary>
    public static string? SkillAt(PlanStore store, string? preferred) => preferred is not null && store.Skills.Contains(preferred) ? preferred : null;
}
