using JasperFx.Events;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Plans;

/// <param name="StoresSkipped">Requested stores left out: their day is on another time grid than the plan's.</param>
public sealed record EmergencyPlanProposed(string PlanId, DateOnly Date, string TimeZone, IReadOnlyList<string> TargetStoreIds,
    IReadOnlyList<string> StoresConsidered, IReadOnlyList<string> StoresSkipped, PlanSolution Plan, string ProposedBy, DateTimeOffset At);

public sealed record EmergencyPlanApproved(string PlanId, string ApprovedBy, DateTimeOffset At);

/// <summary>An approved plan changed a store's roster of its date; leaves the service as <c>Contracts.RosterAdjusted</c>.</summary>
public sealed record EmergencyPlanRosterAdjusted(string PlanId, string StoreId, DateOnly Date, IReadOnlyList<string> AgentIds, DateTimeOffset At);

public static class EmergencyPlanStatus
{
    public const string Proposed = "proposed", Approved = "approved";
}

/// <summary>A proposed emergency plan and its approval, stream <c>plan:{planId}</c>; kept as an inline snapshot.</summary>
public sealed record EmergencyPlan(string Id, string PlanId, DateOnly Date, string TimeZone, IReadOnlyList<string> TargetStoreIds,
    IReadOnlyList<string> StoresConsidered, IReadOnlyList<string> StoresSkipped, PlanSolution Plan, string Status, string ProposedBy,
    DateTimeOffset ProposedAt, string? ApprovedBy, DateTimeOffset? ApprovedAt, IReadOnlyList<string> AdjustedStoreIds, long Version)
{
    public static string StreamKey(string planId) => $"plan:{planId}";

    public static EmergencyPlan Create(IEvent<EmergencyPlanProposed> e) =>
        new(e.StreamKey!, e.Data.PlanId, e.Data.Date, e.Data.TimeZone, e.Data.TargetStoreIds, e.Data.StoresConsidered, e.Data.StoresSkipped,
            e.Data.Plan, EmergencyPlanStatus.Proposed, e.Data.ProposedBy, e.Data.At, null, null, [], e.Version);

    public EmergencyPlan Apply(IEvent<EmergencyPlanApproved> e) =>
        this with { Status = EmergencyPlanStatus.Approved, ApprovedBy = e.Data.ApprovedBy, ApprovedAt = e.Data.At, Version = e.Version };

    public EmergencyPlan Apply(IEvent<EmergencyPlanRosterAdjusted> e) =>
        this with { AdjustedStoreIds = [.. AdjustedStoreIds, e.Data.StoreId], Version = e.Version };

    /// <summary>The stores whose roster of the date the plan changes.</summary>
    public IReadOnlyList<string> AffectedStoreIds =>
        [.. Plan.Moves.SelectMany(m => new[] { m.FromStoreId, m.ToStoreId }).Concat(Plan.CallIns.Select(c => c.StoreId))
            .Concat(Plan.Overtime.Select(o => o.StoreId)).Distinct().Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> AgentIds =>
        [.. Plan.Moves.Select(m => m.AgentId).Concat(Plan.CallIns.Select(c => c.AgentId)).Concat(Plan.Overtime.Select(o => o.AgentId)).Distinct()];
}

/// <summary>The rosters and people as they are when ops approve: the affected stores' rosters of the date and everything around.</summary>
public sealed record ApprovalState(IReadOnlyDictionary<string, StaffedStore> Stores, IReadOnlyDictionary<string, Roster?> Rosters,
    IReadOnlyDictionary<string, Agent> Agents, IReadOnlyList<OtherShift> ShiftsAround, IReadOnlyList<Absence> Absences);

public static class PlanApproval
{
    /// <summary>
    /// Apply a proposed plan to the rosters as they are now. Every change is checked again — the shift it moves or extends is
    /// still on its roster, a called-in agent is still on standby, nobody is absent then, and each changed agent-day keeps
    /// the rostering rules — and any that no longer fits refuses the whole plan, naming each. Otherwise: the new shift list
    /// of each affected roster (<see cref="RosterChangedByPlan"/>), then the plan's approval and one
    /// <see cref="EmergencyPlanRosterAdjusted"/> per roster. Approving an approved plan again changes nothing.
    /// </summary>
    public static Decision Approve(EmergencyPlan plan, ApprovalState now, string approvedBy, DateTimeOffset at)
    {
        if (plan.Status == EmergencyPlanStatus.Approved) return new Decision.Unchanged();
        var date = plan.Date;
        var changed = new List<string>();
        var rosters = plan.AffectedStoreIds.ToDictionary(s => s, s => (now.Rosters.GetValueOrDefault(s)?.Shifts ?? []).ToList());
        var adjusted = plan.AffectedStoreIds.ToDictionary(s => s, _ => new SortedSet<string>(StringComparer.Ordinal));
        var added = new List<(string StoreId, Shift Shift, DateTimeOffset BusyFrom)>();

        void Take(string storeId, Shift shift, string what)
        {
            if (!rosters[storeId].Remove(shift))
                changed.Add($"{what}: the shift {shift.Start}-{shift.End} of agent '{shift.AgentId}' is no longer on the roster of '{storeId}'.");
            adjusted[storeId].Add(shift.AgentId);
        }
        void Put(string storeId, Shift shift, DateTimeOffset busyFrom)
        {
            rosters[storeId].Add(shift);
            adjusted[storeId].Add(shift.AgentId);
            added.Add((storeId, shift, busyFrom));
        }

        foreach (var m in plan.Plan.Moves)
        {
            Take(m.FromStoreId, m.From, $"Move of '{m.AgentId}' to '{m.ToStoreId}'");
            Put(m.ToStoreId, m.To, m.To.StartsAt);
        }
        foreach (var o in plan.Plan.Overtime)
        {
            Take(o.StoreId, o.From, $"Overtime of '{o.AgentId}' at '{o.StoreId}'");
            Put(o.StoreId, o.To, o.From.EndsAt);
        }
        foreach (var c in plan.Plan.CallIns)
        {
            if (now.Agents.GetValueOrDefault(c.AgentId) is { Standby: false })
                changed.Add($"Call-in of '{c.AgentId}' at '{c.StoreId}': the agent is no longer on standby.");
            Put(c.StoreId, c.Shift, c.Shift.StartsAt);
        }

        // The rules over each changed agent-day, against every roster as it would be after the whole plan.
        var around = now.ShiftsAround.Where(o => !(o.Date == date && rosters.ContainsKey(o.StoreId)))
            .Concat(rosters.SelectMany(r => r.Value.Select(s => new OtherShift(r.Key, date, s)))).ToList();
        foreach (var (storeId, shift, busyFrom) in added)
        {
            var what = $"Agent '{shift.AgentId}' at '{storeId}' {shift.Start}-{shift.End}";
            if (!now.Agents.TryGetValue(shift.AgentId, out var agent)) { changed.Add($"{what}: the agent is not known any more."); continue; }
            if (!now.Stores.TryGetValue(storeId, out var store)) { changed.Add($"{what}: the store is not known any more."); continue; }
            if (now.Absences.Any(a => a.AgentId == shift.AgentId && a.Overlaps(busyFrom, shift.EndsAt))) changed.Add($"{what}: the agent is absent then.");
            bool Here(OtherShift o) => o.StoreId == storeId && o.Date == date;
            var mine = around.Where(o => o.Shift.AgentId == shift.AgentId).ToList();
            var (_, errors) = PlanRules.AgentDay(store, date, agent, [.. mine.Where(Here).Select(o => PlanRules.Input(o.Shift))], [.. mine.Where(o => !Here(o))]);
            changed.AddRange(errors.Select(e => $"{what}: {e}"));
        }
        if (changed.Count > 0)
            return new Decision.Conflict($"The plan no longer fits the rosters as they are now: {string.Join(" ", changed.Distinct())}");

        var events = new List<object>();
        events.AddRange(rosters.Select(r => new RosterChangedByPlan(r.Key, date, r.Value, plan.PlanId, at)));
        events.Add(new EmergencyPlanApproved(plan.PlanId, approvedBy, at));
        events.AddRange(adjusted.Select(a => new EmergencyPlanRosterAdjusted(plan.PlanId, a.Key, date, [.. a.Value], at)));
        return new Decision.Append(events);
    }
}
