using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Rosters;

namespace Vendor.Staffing.Attendance;

/// <summary>The body of POST /api/staffing/absences. <see cref="AbsenceId"/> is optional: a caller that retries sends the same one.</summary>
public sealed record ReportAbsence(string? AbsenceId, string? AgentId, string? Kind, DateTimeOffset? From, DateTimeOffset? To, string? Note);

/// <summary>The body of POST /api/staffing/clock-ins (<see cref="At"/> defaults to now).</summary>
public sealed record ClockInCommand(string? AgentId, DateTimeOffset? At);

/// <summary>A shift on a store's roster that started without its agent clocking in.</summary>
public sealed record RosteredShift(string StoreId, DateOnly Date, Shift Shift);

public static class AttendanceRules
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan MaxAbsence = TimeSpan.FromDays(31);
    /// <summary>A clock-in this long before a shift starts counts for it (early arrivals).</summary>
    public static readonly TimeSpan EarlyClockIn = TimeSpan.FromHours(2);

    public static Decision Report(Absence? existing, Agent? agent, ReportAbsence command, string absenceId, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(absenceId), "absenceId", $"Optional: {Ids.Rule}.")
            .Check(agent is not null, "agentId", $"Unknown agent '{command.AgentId}'.")
            .Check(command.Kind is not null && AbsenceKinds.All.Contains(command.Kind), "kind", $"One of: {string.Join(", ", AbsenceKinds.All)}.")
            .Check(command.From is not null, "from", "Required timestamp with an offset.")
            .Check(command.To is not null && (command.From is null || command.To > command.From), "to", "Required timestamp after 'from'.")
            .Check(command.From is null || command.To is null || command.To - command.From <= MaxAbsence, "to", $"At most {MaxAbsence.TotalDays} days.")
            .Check(command.Note is null || command.Note.Length <= 500, "note", "At most 500 characters.");
        if (errors.Any) return errors.ToDecision();
        var reported = new AbsenceReported(absenceId, agent!.AgentId, agent.Team, command.Kind!, command.From!.Value, command.To!.Value,
            command.Note?.Trim(), AbsenceSources.Reported, now);
        if (existing is null) return Decision.Of(reported);
        return existing.AgentId == reported.AgentId && existing.Kind == reported.Kind && existing.From == reported.From && existing.To == reported.To
            ? new Decision.Unchanged()
            : new Decision.Conflict($"Absence '{absenceId}' was reported with other details.");
    }

    public static Decision ClockIn(ClockIn? existing, Agent? agent, ClockInCommand command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(agent is not null, "agentId", $"Unknown agent '{command.AgentId}'.")
            .Check(command.At is null || command.At <= now.AddMinutes(5), "at", "Not in the future.");
        if (errors.Any) return errors.ToDecision();
        return existing is not null ? new Decision.Unchanged() : Decision.Of(new ClockedIn(agent!.AgentId, command.At ?? now, now));
    }

    /// <summary>The stream id of the no-show a shift becomes: the same shift never becomes two no-shows.</summary>
    public static string NoShowId(RosteredShift s) => $"noshow-{s.StoreId}-{s.Date:yyyyMMdd}-{s.Shift.AgentId}-{s.Shift.StartsAt.ToUnixTimeSeconds()}";

    /// <summary>
    /// Shifts started more than <paramref name="grace"/> ago (and not over) whose agent neither clocked in (from two hours before
    /// the start) nor is reported absent at the start: each becomes a no-show from its start to its end.
    /// </summary>
    public static IReadOnlyList<AbsenceReported> NoShows(IEnumerable<RosteredShift> shifts, IReadOnlyDictionary<string, Agent> agents,
        IReadOnlyList<ClockIn> clockIns, IReadOnlyList<Absence> absences, DateTimeOffset now, TimeSpan grace) =>
        shifts.Where(s => s.Shift.StartsAt + grace <= now && now < s.Shift.EndsAt)
            .Where(s => !clockIns.Any(c => c.AgentId == s.Shift.AgentId && c.At >= s.Shift.StartsAt - EarlyClockIn && c.At <= now))
            .Where(s => !absences.Any(a => a.AgentId == s.Shift.AgentId && a.Overlaps(s.Shift.StartsAt, s.Shift.StartsAt + grace)))
            .Select(s => new AbsenceReported(NoShowId(s), s.Shift.AgentId, agents.GetValueOrDefault(s.Shift.AgentId)?.Team ?? "",
                AbsenceKinds.NoShow, s.Shift.StartsAt, s.Shift.EndsAt, $"No clock-in {grace.TotalMinutes:0} min into the {s.StoreId} shift {s.Shift.Start}-{s.Shift.End}.",
                AbsenceSources.Detected, now))
            .ToList();
}
