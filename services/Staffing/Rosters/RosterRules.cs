using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Rosters;

public sealed record ShiftInput(string? AgentId, string? Start, string? End, string? Skill);

/// <summary>A shift of the same agent on another store's roster (or another day), which the working-time rules also see.</summary>
public sealed record OtherShift(string StoreId, DateOnly Date, Shift Shift);

/// <summary>
/// The rostering rules (issue "Staffing"): 30-minute granularity, agents hired and not left, certified for the store, holding
/// the skill; no overlapping shifts, at most 10 hours a day, at least 11 hours of rest between working days.
/// Pure: the caller loads the agents and the agents' shifts on the day before, the day and the day after.
/// </summary>
public static class RosterRules
{
    public static readonly TimeSpan MaxPerDay = TimeSpan.FromHours(10);
    public static readonly TimeSpan MinRest = TimeSpan.FromHours(11);
    public const int MaxShifts = 2000;

    public static Decision Publish(Roster? current, StaffedStore store, DateOnly date, IReadOnlyList<ShiftInput?>? input,
        IReadOnlyDictionary<string, Agent> agents, IReadOnlyList<OtherShift> elsewhere, DateTimeOffset now)
    {
        var (shifts, errors) = Shifts(store, date, input, agents);
        if (shifts is not null) CheckWorkingTime(shifts, date, store.StoreId, elsewhere, errors);
        if (errors.Any) return errors.ToDecision();
        return current is not null && current.Shifts.SequenceEqual(shifts!)
            ? new Decision.Unchanged()
            : Decision.Of(new RosterPublished(store.StoreId, date, shifts!, now));
    }

    /// <summary>Parses and checks each shift on its own; null shifts when any is invalid.</summary>
    public static (IReadOnlyList<Shift>? Shifts, Errors Errors) Shifts(StaffedStore store, DateOnly date, IReadOnlyList<ShiftInput?>? input,
        IReadOnlyDictionary<string, Agent> agents)
    {
        var errors = new Errors();
        if (input is null) return (null, errors.Add("shifts", "Required: a list of shifts (empty to clear the day)."));
        if (input.Count > MaxShifts) return (null, errors.Add("shifts", $"At most {MaxShifts} shifts a day."));
        var zone = OpeningHours.Zone(store.TimeZone);
        var skills = store.ContractedHeadcount.Skills;
        var shifts = new List<Shift>();
        for (var i = 0; i < input.Count; i++)
        {
            var s = input[i];
            var field = $"shifts[{i}]";
            var start = HalfHour(s?.Start);
            var end = HalfHour(s?.End);
            errors.Check(start is not null, $"{field}.start", "Required: HH:mm on the hour or half hour.")
                .Check(end is not null, $"{field}.end", "Required: HH:mm on the hour or half hour (before the start: runs past midnight).");
            if (!agents.TryGetValue(s?.AgentId ?? "", out var agent))
            {
                errors.Add($"{field}.agentId", $"Unknown agent '{s?.AgentId}'.");
                continue;
            }
            errors.Check(agent.WorksOn(date), $"{field}.agentId", $"Agent '{agent.AgentId}' is not employed on {date:yyyy-MM-dd}.")
                .Check(agent.Certified.Contains(store.StoreId), $"{field}.agentId", $"Agent '{agent.AgentId}' is not certified for store '{store.StoreId}'.");
            // Without a skill given, the first the store needs that the agent is certified for here (certifications are per skill).
            var skill = s!.Skill ?? agent.Skills.Where(skills.Contains).OrderBy(k => agent.CertifiedFor(store.StoreId, k) ? 0 : 1).FirstOrDefault();
            if (skill is null || !agent.Skills.Contains(skill) || !skills.Contains(skill))
                errors.Add($"{field}.skill", s.Skill is null
                    ? $"Agent '{agent.AgentId}' has none of the skills the store needs ({string.Join(", ", skills)})."
                    : $"Skill '{s.Skill}': the agent must hold it and the store must need it ({string.Join(", ", skills)}).");
            else if (agent.Certified.Contains(store.StoreId) && !agent.CertifiedFor(store.StoreId, skill))
                errors.Add($"{field}.skill", $"Agent '{agent.AgentId}' is certified for store '{store.StoreId}' but not for skill '{skill}'.");
            if (start is null || end is null || skill is null) continue;
            var startsAt = OpeningHours.Instant(date, start.Value, zone);
            var endsAt = OpeningHours.Instant(end <= start ? date.AddDays(1) : date, end.Value, zone);
            shifts.Add(new Shift(agent.AgentId, s.Start!, s.End!, skill, startsAt, endsAt));
        }
        return (errors.Any ? null : shifts, errors);
    }

    /// <summary>Overlaps, hours a day and rest between days, over this roster's shifts and the agents' shifts elsewhere.</summary>
    private static void CheckWorkingTime(IReadOnlyList<Shift> shifts, DateOnly date, string storeId, IReadOnlyList<OtherShift> elsewhere, Errors errors)
    {
        foreach (var agentShifts in shifts.Select((s, i) => (Shift: s, Index: i)).GroupBy(x => x.Shift.AgentId))
        {
            var agentId = agentShifts.Key;
            var all = agentShifts.Select(x => (Date: date, x.Shift, Index: (int?)x.Index, Where: storeId))
                .Concat(elsewhere.Where(o => o.Shift.AgentId == agentId && !(o.StoreId == storeId && o.Date == date))
                    .Select(o => (o.Date, o.Shift, Index: (int?)null, Where: o.StoreId)))
                .OrderBy(x => x.Shift.StartsAt).ToList();
            var field = $"shifts[{agentShifts.First().Index}].agentId";
            for (var k = 1; k < all.Count; k++)
            {
                var (a, b) = (all[k - 1], all[k]);
                if (b.Shift.StartsAt < a.Shift.EndsAt)
                    errors.Add(field, $"Agent '{agentId}' has overlapping shifts: {Describe(a)} and {Describe(b)}.");
                else if (a.Date != b.Date && b.Shift.StartsAt - a.Shift.EndsAt < MinRest)
                    errors.Add(field, $"Agent '{agentId}' rests {(b.Shift.StartsAt - a.Shift.EndsAt).TotalHours:0.#} h between {Describe(a)} and {Describe(b)}; at least {MinRest.TotalHours} h.");
            }
            var today = all.Where(x => x.Date == date).Aggregate(TimeSpan.Zero, (sum, x) => sum + x.Shift.Length);
            if (today > MaxPerDay)
                errors.Add(field, $"Agent '{agentId}' would work {today.TotalHours:0.#} h on {date:yyyy-MM-dd}; at most {MaxPerDay.TotalHours} h a day.");
        }
    }

    private static string Describe((DateOnly Date, Shift Shift, int? Index, string Where) x) =>
        $"{x.Where} {x.Date:yyyy-MM-dd} {x.Shift.Start}-{x.Shift.End}";

    private static TimeOnly? HalfHour(string? hhmm) =>
        TimeOnly.TryParseExact(hhmm, "HH:mm", out var t) && t.Minute % 30 == 0 ? t : null;
}
