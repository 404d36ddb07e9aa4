using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Rosters;

namespace Vendor.Staffing.Tests;

public class AttendanceRulesTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly DateOnly Date = new(2026, 11, 11);
    private static readonly DateTimeOffset ShiftStart = new(2026, 11, 11, 9, 0, 0, Cst);
    private static readonly DateTimeOffset ShiftEnd = new(2026, 11, 11, 17, 0, 0, Cst);
    private static readonly DateTimeOffset Now = new(2026, 11, 11, 8, 0, 0, Cst);

    private static readonly Agent Hired = new("agent:a-1", "a-1", "王小美", "tmall-presales", ["presales"], new DateOnly(2026, 1, 5),
        AgentStatus.Active, new DateTimeOffset(2026, 1, 5, 9, 0, 0, Cst), 1, ["s-1"]);

    private static readonly Dictionary<string, Agent> Agents = new() { ["a-1"] = Hired };

    private static ReportAbsence Sick(DateTimeOffset? from = null, DateTimeOffset? to = null, string? kind = AbsenceKinds.Sick) =>
        new("abs-1", "a-1", kind, from ?? ShiftStart, to ?? ShiftEnd, " 发烧 ");

    private static Absence Existing(AbsenceReported e) =>
        new(Absence.StreamKey(e.AbsenceId), e.AbsenceId, e.AgentId, e.Team, e.Kind, e.From, e.To, e.Note, e.Source, e.ReportedAt);

    // ---- Report ----

    [Fact]
    public void A_valid_report_records_the_absence_with_the_agents_team()
    {
        var decision = AttendanceRules.Report(null, Hired, Sick(), "abs-1", Now);

        var reported = (AbsenceReported)Assert.Single(Assert.IsType<Decision.Append>(decision).Events);
        Assert.Equal(new AbsenceReported("abs-1", "a-1", "tmall-presales", AbsenceKinds.Sick, ShiftStart, ShiftEnd, "发烧",
            AbsenceSources.Reported, Now), reported);
    }

    [Fact]
    public void An_unknown_agent_is_refused()
    {
        var errors = Assert.IsType<Decision.Invalid>(AttendanceRules.Report(null, null, Sick() with { AgentId = "ghost" }, "abs-1", Now)).Errors;

        Assert.Equal(["agentId"], errors.Keys);
        Assert.Contains("ghost", Assert.Single(errors["agentId"]));
    }

    [Theory]
    [InlineData("holiday")]
    [InlineData("Sick")]
    [InlineData(null)]
    public void A_kind_outside_the_list_is_refused(string? kind)
    {
        var errors = Assert.IsType<Decision.Invalid>(AttendanceRules.Report(null, Hired, Sick(kind: kind), "abs-1", Now)).Errors;

        Assert.Equal(["kind"], errors.Keys);
    }

    [Fact]
    public void All_four_kinds_are_accepted()
    {
        Assert.All(AbsenceKinds.All, kind => Assert.IsType<Decision.Append>(AttendanceRules.Report(null, Hired, Sick(kind: kind), "abs-1", Now)));
        Assert.Equal(["sick", "leave", "noShow", "late"], AbsenceKinds.All);
    }

    [Fact]
    public void An_end_at_or_before_the_start_is_refused()
    {
        Assert.Equal(["to"], Assert.IsType<Decision.Invalid>(AttendanceRules.Report(null, Hired, Sick(ShiftStart, ShiftStart), "abs-1", Now)).Errors.Keys);
        Assert.Equal(["to"], Assert.IsType<Decision.Invalid>(AttendanceRules.Report(null, Hired, Sick(ShiftStart, ShiftStart.AddMinutes(-1)), "abs-1", Now)).Errors.Keys);
    }

    [Fact]
    public void Missing_times_are_refused()
    {
        var errors = Assert.IsType<Decision.Invalid>(
            AttendanceRules.Report(null, Hired, new ReportAbsence("abs-1", "a-1", AbsenceKinds.Leave, null, null, null), "abs-1", Now)).Errors;

        Assert.Equal(["from", "to"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void More_than_31_days_is_refused_and_exactly_31_days_is_allowed()
    {
        Assert.Equal(["to"], Assert.IsType<Decision.Invalid>(
            AttendanceRules.Report(null, Hired, Sick(ShiftStart, ShiftStart.AddDays(31).AddMinutes(1)), "abs-1", Now)).Errors.Keys);
        Assert.IsType<Decision.Append>(AttendanceRules.Report(null, Hired, Sick(ShiftStart, ShiftStart.AddDays(31)), "abs-1", Now));
    }

    [Fact]
    public void An_invalid_absence_id_or_an_over_long_note_is_refused()
    {
        Assert.Equal(["absenceId"], Assert.IsType<Decision.Invalid>(AttendanceRules.Report(null, Hired, Sick(), "-bad id", Now)).Errors.Keys);
        Assert.Equal(["note"], Assert.IsType<Decision.Invalid>(
            AttendanceRules.Report(null, Hired, Sick() with { Note = new string('x', 501) }, "abs-1", Now)).Errors.Keys);
    }

    [Fact]
    public void Re_reporting_the_same_absence_changes_nothing_and_other_details_conflict()
    {
        var first = (AbsenceReported)Assert.Single(Assert.IsType<Decision.Append>(AttendanceRules.Report(null, Hired, Sick(), "abs-1", Now)).Events);
        var existing = Existing(first);

        Assert.IsType<Decision.Unchanged>(AttendanceRules.Report(existing, Hired, Sick(), "abs-1", Now.AddMinutes(5)));
        Assert.IsType<Decision.Conflict>(AttendanceRules.Report(existing, Hired, Sick(to: ShiftEnd.AddHours(1)), "abs-1", Now.AddMinutes(5)));
        Assert.IsType<Decision.Conflict>(AttendanceRules.Report(existing, Hired, Sick(kind: AbsenceKinds.Leave), "abs-1", Now.AddMinutes(5)));
        Assert.IsType<Decision.Conflict>(AttendanceRules.Report(existing, Hired, Sick(from: ShiftStart.AddMinutes(30)), "abs-1", Now.AddMinutes(5)));
    }

    [Fact]
    public void The_same_instant_written_with_another_offset_is_the_same_absence()
    {
        var existing = Existing((AbsenceReported)Assert.Single(
            Assert.IsType<Decision.Append>(AttendanceRules.Report(null, Hired, Sick(), "abs-1", Now)).Events));

        Assert.IsType<Decision.Unchanged>(AttendanceRules.Report(existing, Hired,
            Sick(ShiftStart.ToUniversalTime(), ShiftEnd.ToUniversalTime()), "abs-1", Now.AddMinutes(5)));
    }

    // ---- No-shows ----

    private static readonly RosteredShift Rostered = new("s-1", Date,
        new Shift("a-1", "09:00", "17:00", "presales", ShiftStart, ShiftEnd));

    private static IReadOnlyList<AbsenceReported> NoShows(DateTimeOffset now, ClockIn[]? clockIns = null, Absence[]? absences = null) =>
        AttendanceRules.NoShows([Rostered], Agents, clockIns ?? [], absences ?? [], now, AttendanceRules.DefaultGrace);

    private static ClockIn ClockedIn(DateTimeOffset at, string agentId = "a-1") => new(ClockIn.StreamKey(agentId, at), agentId, at);

    [Fact]
    public void A_shift_started_ten_minutes_ago_without_a_clock_in_is_a_no_show_from_its_start_to_its_end()
    {
        var now = ShiftStart.AddMinutes(10);

        var noShow = Assert.Single(NoShows(now));

        Assert.Equal($"noshow-s-1-20261111-a-1-{ShiftStart.ToUnixTimeSeconds()}", noShow.AbsenceId);
        Assert.Equal(AttendanceRules.NoShowId(Rostered), noShow.AbsenceId);
        Assert.Equal("a-1", noShow.AgentId);
        Assert.Equal("tmall-presales", noShow.Team);
        Assert.Equal(AbsenceKinds.NoShow, noShow.Kind);
        Assert.Equal((ShiftStart, ShiftEnd), (noShow.From, noShow.To));
        Assert.Equal(AbsenceSources.Detected, noShow.Source);
        Assert.Equal(now, noShow.ReportedAt);
        Assert.Equal(NoShows(now.AddMinutes(5)).Single().AbsenceId, noShow.AbsenceId); // the same shift, the same id
    }

    [Fact]
    public void Nine_minutes_in_is_still_within_the_grace_period()
    {
        Assert.Empty(NoShows(ShiftStart.AddMinutes(9)));
        Assert.Empty(NoShows(ShiftStart.AddMinutes(10).AddTicks(-1)));
        Assert.Empty(NoShows(ShiftStart.AddMinutes(-30)));
    }

    [Fact]
    public void A_clock_in_an_hour_before_the_start_counts_for_the_shift()
    {
        Assert.Empty(NoShows(ShiftStart.AddMinutes(10), [ClockedIn(ShiftStart.AddHours(-1))]));
    }

    [Fact]
    public void A_clock_in_after_the_start_but_before_the_check_counts_too()
    {
        Assert.Empty(NoShows(ShiftStart.AddMinutes(15), [ClockedIn(ShiftStart.AddMinutes(12))]));
    }

    [Fact]
    public void A_clock_in_three_hours_before_the_start_does_not_count_for_the_shift()
    {
        Assert.Single(NoShows(ShiftStart.AddMinutes(10), [ClockedIn(ShiftStart.AddHours(-3))]));
    }

    [Fact]
    public void Another_agents_clock_in_does_not_count()
    {
        Assert.Single(NoShows(ShiftStart.AddMinutes(10), [ClockedIn(ShiftStart, "a-2")]));
    }

    [Fact]
    public void An_absence_already_reported_at_the_start_means_no_no_show()
    {
        var sick = new Absence("absence:abs-1", "abs-1", "a-1", "tmall-presales", AbsenceKinds.Sick, ShiftStart.AddHours(-1), ShiftEnd, null,
            AbsenceSources.Reported, Now);
        var late = sick with { Kind = AbsenceKinds.Late, From = ShiftStart, To = ShiftStart.AddHours(1) };

        Assert.Empty(NoShows(ShiftStart.AddMinutes(10), absences: [sick]));
        Assert.Empty(NoShows(ShiftStart.AddMinutes(10), absences: [late]));
    }

    [Fact]
    public void An_absence_of_another_agent_or_after_the_start_does_not_excuse_the_shift()
    {
        var other = new Absence("absence:abs-2", "abs-2", "a-2", "tmall-presales", AbsenceKinds.Sick, ShiftStart, ShiftEnd, null,
            AbsenceSources.Reported, Now);
        var laterToday = other with { AgentId = "a-1", From = ShiftStart.AddHours(3) };

        Assert.Single(NoShows(ShiftStart.AddMinutes(10), absences: [other]));
        Assert.Single(NoShows(ShiftStart.AddMinutes(10), absences: [laterToday]));
    }

    [Fact]
    public void A_shift_already_over_is_not_a_no_show()
    {
        Assert.Empty(NoShows(ShiftEnd));
        Assert.Empty(NoShows(ShiftEnd.AddHours(2)));
        Assert.Single(NoShows(ShiftEnd.AddMinutes(-1)));
    }

    [Fact]
    public void An_unknown_agents_no_show_has_no_team()
    {
        var noShows = AttendanceRules.NoShows([Rostered], new Dictionary<string, Agent>(), [], [], ShiftStart.AddMinutes(10),
            AttendanceRules.DefaultGrace);

        Assert.Equal("", Assert.Single(noShows).Team);
    }
}
