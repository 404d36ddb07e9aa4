using JasperFx.Events;

namespace Vendor.Staffing.Attendance;

/// <summary>An absence (sick, leave, noShow, late) reported by ops or detected (a shift started without a clock-in).</summary>
public sealed record AbsenceReported(string AbsenceId, string AgentId, string Team, string Kind, DateTimeOffset From, DateTimeOffset To,
    string? Note, string Source, DateTimeOffset ReportedAt);

/// <summary>An agent clocked in.</summary>
public sealed record ClockedIn(string AgentId, DateTimeOffset At, DateTimeOffset RecordedAt);

/// <summary>Stream <c>absence:{absenceId}</c>; kept as an inline snapshot the coverage and alert queries read by time range.</summary>
public sealed record Absence(string Id, string AbsenceId, string AgentId, string Team, string Kind, DateTimeOffset From, DateTimeOffset To,
    string? Note, string Source, DateTimeOffset ReportedAt)
{
    public static string StreamKey(string absenceId) => $"absence:{absenceId}";

    public static Absence Create(IEvent<AbsenceReported> e) =>
        new(e.StreamKey!, e.Data.AbsenceId, e.Data.AgentId, e.Data.Team, e.Data.Kind, e.Data.From, e.Data.To, e.Data.Note, e.Data.Source,
            e.Data.ReportedAt);

    public bool Overlaps(DateTimeOffset from, DateTimeOffset to) => From < to && from < To;
}

/// <summary>Stream <c>clock-in:{agentId}:{unix seconds}</c>; an inline snapshot per clock-in.</summary>
public sealed record ClockIn(string Id, string AgentId, DateTimeOffset At)
{
    public static string StreamKey(string agentId, DateTimeOffset at) => $"clock-in:{agentId}:{at.ToUnixTimeSeconds()}";

    public static ClockIn Create(IEvent<ClockedIn> e) => new(e.StreamKey!, e.Data.AgentId, e.Data.At);
}

public static class AbsenceKinds
{
    public const string Sick = "sick", Leave = "leave", NoShow = "noShow", Late = "late";
    public static readonly IReadOnlyList<string> All = [Sick, Leave, NoShow, Late];
}

public static class AbsenceSources
{
    public const string Reported = "reported", Detected = "detected";
}
