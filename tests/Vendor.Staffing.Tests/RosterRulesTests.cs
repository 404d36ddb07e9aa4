using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Tests;

public class RosterRulesTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly DateOnly Date = new(2026, 11, 11);
    private static readonly DateTimeOffset Now = new(2026, 11, 9, 10, 0, 0, Cst);
    private static readonly DateOnly HiredOn = new(2026, 1, 5);

    /// <summary>A Shanghai store contracted for pre-sales only.</summary>
    private static readonly StaffedStore Store = new("store:s-1", "s-1", "旗舰店", "tmall", "Asia/Shanghai",
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, Cst), Headcount: new Headcount(3, 0, 0));

    private static Agent AgentOf(string id, string[]? skills = null, string[]? certified = null, DateOnly? leftOn = null) =>
        new($"agent:{id}", id, $"客服{id}", "tmall-presales", skills ?? ["presales"], HiredOn,
            leftOn is null ? AgentStatus.Active : AgentStatus.Left, new DateTimeOffset(2026, 1, 5, 9, 0, 0, Cst), 1,
            certified ?? ["s-1"], LeftOn: leftOn);

    private static Dictionary<string, Agent> Agents(params Agent[] agents) => agents.ToDictionary(a => a.AgentId);

    private static readonly Dictionary<string, Agent> TwoAgents = Agents(AgentOf("a-1"), AgentOf("a-2"));

    private static DateTimeOffset At(DateOnly date, int hour, int minute = 0) => new(date.ToDateTime(new TimeOnly(hour, minute)), Cst);

    /// <summary>A shift as another roster holds it (store-local times and their instants).</summary>
    private static Shift ShiftOn(string agentId, DateOnly date, string start, string end, string skill = "presales")
    {
        var (s, e) = (TimeOnly.ParseExact(start, "HH:mm"), TimeOnly.ParseExact(end, "HH:mm"));
        return new Shift(agentId, start, end, skill, At(date, s.Hour, s.Minute), At(e <= s ? date.AddDays(1) : date, e.Hour, e.Minute));
    }

    private static Decision Publish(IReadOnlyList<ShiftInput?> input, Dictionary<string, Agent>? agents = null,
        IReadOnlyList<OtherShift>? elsewhere = null, Roster? current = null) =>
        RosterRules.Publish(current, Store, Date, input, agents ?? TwoAgents, elsewhere ?? [], Now);

    private static RosterPublished Published(Decision decision) =>
        (RosterPublished)Assert.Single(Assert.IsType<Decision.Append>(decision).Events);

    private static IReadOnlyDictionary<string, string[]> Errors(Decision decision) => Assert.IsType<Decision.Invalid>(decision).Errors;

    [Fact]
    public void Certifications_per_skill_decide_which_skill_an_agent_may_work_at_the_store()
    {
        var store = Store with { Headcount = new Headcount(3, 2, 0) };
        // Certified at s-1 for pre-sales only (Quality certifies per store and skill).
        var agent = AgentOf("a-1", skills: ["aftersales", "presales"], certified: ["s-1"]) with
        {
            Certifications = [new StoreCertification("s-1", false, ["presales"])],
        };
        var agents = Agents(agent);

        var implicitSkill = Published(RosterRules.Publish(null, store, Date, [new("a-1", "08:00", "16:00", null)], agents, [], Now));
        Assert.Equal("presales", implicitSkill.Shifts[0].Skill);
        var refused = Errors(RosterRules.Publish(null, store, Date, [new("a-1", "08:00", "16:00", "aftersales")], agents, [], Now));
        Assert.Equal(["Agent 'a-1' is certified for store 's-1' but not for skill 'aftersales'."], refused["shifts[0].skill"]);
    }

    [Fact]
    public void A_valid_day_is_published_with_the_instants_of_each_shift()
    {
        var decision = Publish([new("a-1", "08:00", "16:00", null), new("a-2", "15:00", "23:00", "presales")]);

        var published = Published(decision);
        Assert.Equal("s-1", published.StoreId);
        Assert.Equal(Date, published.Date);
        Assert.Equal(Now, published.At);
        Assert.Equal(
            [ShiftOn("a-1", Date, "08:00", "16:00"), ShiftOn("a-2", Date, "15:00", "23:00")],
            published.Shifts);
        Assert.Equal("presales", published.Shifts[0].Skill); // implicit: the agent's first skill the store needs
        Assert.Equal(TimeSpan.FromHours(8), published.Shifts[0].Length);
    }

    [Fact]
    public void An_empty_list_clears_the_day_and_a_missing_list_is_refused()
    {
        Assert.Empty(Published(Publish([])).Shifts);
        Assert.Equal(["shifts"], Errors(RosterRules.Publish(null, Store, Date, null, TwoAgents, [], Now)).Keys);
    }

    [Fact]
    public void An_agent_not_certified_for_the_store_is_refused_by_name()
    {
        var agents = Agents(AgentOf("a-1"), AgentOf("a-9", certified: ["s-2"]));

        var errors = Errors(Publish([new("a-1", "08:00", "12:00", null), new("a-9", "08:00", "12:00", null)], agents));

        Assert.Equal(["shifts[1].agentId"], errors.Keys);
        var message = Assert.Single(errors["shifts[1].agentId"]);
        Assert.Contains("a-9", message);
        Assert.Contains("certified", message);
    }

    [Fact]
    public void An_unknown_agent_is_refused_at_its_index()
    {
        var errors = Errors(Publish([new("a-1", "08:00", "12:00", null), new("ghost", "08:00", "12:00", null)]));

        Assert.Equal(["shifts[1].agentId"], errors.Keys);
        Assert.Contains("ghost", Assert.Single(errors["shifts[1].agentId"]));
    }

    [Fact]
    public void An_explicit_skill_the_agent_does_not_hold_is_refused()
    {
        var errors = Errors(Publish([new("a-1", "08:00", "12:00", "aftersales")]));

        Assert.Equal(["shifts[0].skill"], errors.Keys);
    }

    [Fact]
    public void An_explicit_skill_the_store_does_not_need_is_refused_even_when_the_agent_holds_it()
    {
        var agents = Agents(AgentOf("a-1", skills: ["aftersales", "presales"]));

        Assert.Equal(["shifts[0].skill"], Errors(Publish([new("a-1", "08:00", "12:00", "aftersales")], agents)).Keys);
        Assert.Equal("presales", Published(Publish([new("a-1", "08:00", "12:00", null)], agents)).Shifts[0].Skill);
    }

    [Fact]
    public void An_agent_with_none_of_the_stores_contracted_skills_is_refused_when_no_skill_is_given()
    {
        var agents = Agents(AgentOf("a-1", skills: ["hotline"]));

        var errors = Errors(Publish([new("a-1", "08:00", "12:00", null)], agents));

        Assert.Equal(["shifts[0].skill"], errors.Keys);
        Assert.Contains("presales", Assert.Single(errors["shifts[0].skill"]));
    }

    [Theory]
    [InlineData("08:15", "12:00", "shifts[0].start")]
    [InlineData("08:00", "12:45", "shifts[0].end")]
    [InlineData("8:00", "12:00", "shifts[0].start")]
    [InlineData("24:00", "12:00", "shifts[0].start")]
    [InlineData(null, "12:00", "shifts[0].start")]
    public void Times_off_the_hour_or_half_hour_are_refused(string? start, string end, string field)
    {
        var errors = Errors(Publish([new("a-1", start, end, null)]));

        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void Overlapping_shifts_of_one_agent_in_the_same_roster_are_refused()
    {
        var errors = Errors(Publish([new("a-2", "08:00", "12:00", null), new("a-1", "08:00", "12:00", null), new("a-1", "11:30", "15:00", null)]));

        Assert.Equal(["shifts[1].agentId"], errors.Keys);
        Assert.Contains("overlapping", Assert.Single(errors["shifts[1].agentId"]));
    }

    [Fact]
    public void Back_to_back_shifts_of_one_agent_do_not_overlap()
    {
        var published = Published(Publish([new("a-1", "08:00", "12:00", null), new("a-1", "12:00", "16:00", null)]));

        Assert.Equal(2, published.Shifts.Count);
    }

    [Fact]
    public void A_shift_overlapping_the_agents_shift_on_another_stores_roster_is_refused()
    {
        OtherShift[] elsewhere = [new("s-2", Date, ShiftOn("a-1", Date, "10:00", "14:00"))];

        var errors = Errors(Publish([new("a-1", "12:00", "16:00", null)], elsewhere: elsewhere));

        var message = Assert.Single(errors["shifts[0].agentId"]);
        Assert.Contains("overlapping", message);
        Assert.Contains("s-2", message);
    }

    [Fact]
    public void A_shift_overlapping_the_agents_night_shift_of_the_day_before_elsewhere_is_refused()
    {
        OtherShift[] elsewhere = [new("s-2", Date.AddDays(-1), ShiftOn("a-1", Date.AddDays(-1), "22:00", "02:00"))];

        var errors = Errors(Publish([new("a-1", "01:00", "05:00", null)], elsewhere: elsewhere));

        Assert.Contains("overlapping", Assert.Single(errors["shifts[0].agentId"]));
    }

    [Fact]
    public void This_stores_old_roster_of_the_same_day_is_not_counted_against_its_replacement()
    {
        OtherShift[] elsewhere = [new("s-1", Date, ShiftOn("a-1", Date, "08:00", "16:00"))];

        Assert.Single(Published(Publish([new("a-1", "09:00", "17:00", null)], elsewhere: elsewhere)).Shifts);
    }

    [Fact]
    public void More_than_ten_hours_in_a_day_is_refused()
    {
        var errors = Errors(Publish([new("a-1", "08:00", "14:00", null), new("a-1", "15:00", "20:00", null)]));

        var message = Assert.Single(errors["shifts[0].agentId"]);
        Assert.Contains("11 h", message);
    }

    [Fact]
    public void Hours_on_another_stores_roster_the_same_day_count_towards_the_ten()
    {
        OtherShift[] elsewhere = [new("s-2", Date, ShiftOn("a-1", Date, "08:00", "14:00"))];

        var errors = Errors(Publish([new("a-1", "15:00", "20:00", null)], elsewhere: elsewhere));

        Assert.Contains("11 h", Assert.Single(errors["shifts[0].agentId"]));
    }

    [Fact]
    public void Exactly_ten_hours_in_a_day_is_allowed()
    {
        Assert.Single(Published(Publish([new("a-1", "08:00", "18:00", null)])).Shifts);
        Assert.Equal(2, Published(Publish([new("a-1", "08:00", "12:00", null), new("a-1", "13:00", "19:00", null)])).Shifts.Count);
    }

    [Fact]
    public void Less_than_eleven_hours_of_rest_before_the_next_days_shift_is_refused()
    {
        OtherShift[] elsewhere = [new("s-2", Date.AddDays(1), ShiftOn("a-1", Date.AddDays(1), "08:00", "12:00"))];

        var errors = Errors(Publish([new("a-1", "15:00", "23:30", null)], elsewhere: elsewhere));

        var message = Assert.Single(errors["shifts[0].agentId"]);
        Assert.Contains("rests 8.5 h", message);
    }

    [Fact]
    public void Less_than_eleven_hours_of_rest_after_the_previous_days_night_shift_is_refused()
    {
        OtherShift[] elsewhere = [new("s-1", Date.AddDays(-1), ShiftOn("a-1", Date.AddDays(-1), "15:00", "23:30"))];

        var errors = Errors(Publish([new("a-1", "08:00", "12:00", null)], elsewhere: elsewhere));

        Assert.Contains("rests", Assert.Single(errors["shifts[0].agentId"]));
    }

    [Fact]
    public void A_night_shift_crossing_midnight_leaves_too_little_rest_before_a_morning_shift()
    {
        OtherShift[] elsewhere = [new("s-2", Date.AddDays(1), ShiftOn("a-1", Date.AddDays(1), "08:00", "12:00"))];

        var errors = Errors(Publish([new("a-1", "22:00", "02:00", null)], elsewhere: elsewhere));

        Assert.Contains("rests 6 h", Assert.Single(errors["shifts[0].agentId"]));
    }

    [Fact]
    public void Exactly_eleven_hours_of_rest_after_a_night_shift_is_allowed()
    {
        OtherShift[] elsewhere = [new("s-2", Date.AddDays(1), ShiftOn("a-1", Date.AddDays(1), "10:30", "14:00"))];

        // Ends 23:30, the next shift starts 10:30 the next day: exactly 11 h.
        Assert.Single(Published(Publish([new("a-1", "15:00", "23:30", null)], elsewhere: elsewhere)).Shifts);
    }

    [Fact]
    public void Exactly_eleven_hours_of_rest_on_either_side_of_the_day_is_allowed()
    {
        OtherShift[] elsewhere =
        [
            new("s-2", Date.AddDays(1), ShiftOn("a-1", Date.AddDays(1), "08:00", "12:00")),
            new("s-2", Date.AddDays(-1), ShiftOn("a-1", Date.AddDays(-1), "12:00", "21:00")),
        ];

        // 09:00-19:00: 12 h after yesterday's shift, 13 h before tomorrow's.
        Assert.Single(Published(Publish([new("a-1", "09:00", "19:00", null)], elsewhere: elsewhere)).Shifts);
        // Yesterday ends 21:00, today starts 08:00: exactly 11 h.
        Assert.Single(Published(Publish([new("a-1", "08:00", "12:00", null)], elsewhere: elsewhere)).Shifts);
        // Today ends 21:00, tomorrow starts 08:00: exactly 11 h.
        Assert.Single(Published(Publish([new("a-1", "12:00", "21:00", null)], elsewhere: elsewhere)).Shifts);
    }

    [Fact]
    public void A_shift_crossing_midnight_ends_on_the_next_day()
    {
        var shift = Assert.Single(Published(Publish([new("a-1", "22:00", "02:00", null)])).Shifts);

        Assert.Equal(new DateTimeOffset(2026, 11, 11, 22, 0, 0, Cst), shift.StartsAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 12, 2, 0, 0, Cst), shift.EndsAt);
        Assert.Equal(TimeSpan.FromHours(4), shift.Length);
        Assert.Equal(("22:00", "02:00"), (shift.Start, shift.End));
    }

    [Fact]
    public void An_agent_who_left_before_the_date_is_refused()
    {
        var agents = Agents(AgentOf("a-1", leftOn: Date.AddDays(-1)));

        var errors = Errors(Publish([new("a-1", "08:00", "12:00", null)], agents));

        Assert.Contains("not employed", Assert.Single(errors["shifts[0].agentId"]));
    }

    [Fact]
    public void An_agent_leaving_on_the_date_is_refused_and_one_leaving_the_day_after_is_not()
    {
        Assert.Contains("shifts[0].agentId", Errors(Publish([new("a-1", "08:00", "12:00", null)], Agents(AgentOf("a-1", leftOn: Date)))).Keys);
        Assert.Single(Published(Publish([new("a-1", "08:00", "12:00", null)], Agents(AgentOf("a-1", leftOn: Date.AddDays(1))))).Shifts);
    }

    [Fact]
    public void Re_publishing_identical_shifts_changes_nothing_and_different_ones_are_published()
    {
        ShiftInput[] input = [new("a-1", "08:00", "16:00", null), new("a-2", "22:00", "02:00", null)];
        var first = Published(Publish(input));
        var current = new Roster(Roster.StreamKey("s-1", Date), "s-1", Date, first.Shifts, 1);

        Assert.IsType<Decision.Unchanged>(Publish(input, current: current));
        Assert.IsType<Decision.Unchanged>(Publish([new("a-1", "08:00", "16:00", "presales"), new("a-2", "22:00", "02:00", null)], current: current));
        Assert.Equal(ShiftOn("a-2", Date, "22:00", "01:00"), Published(Publish([input[0], new("a-2", "22:00", "01:00", null)], current: current)).Shifts[1]);
    }

    [Fact]
    public void Each_error_is_keyed_by_the_index_and_field_of_its_shift()
    {
        var agents = Agents(AgentOf("a-1"), AgentOf("a-2"), AgentOf("a-3", certified: ["s-2"]));

        var errors = Errors(Publish(
            [new("a-1", "08:00", "12:00", null), new("a-2", "08:10", "12:00", "hotline"), new("a-3", "08:00", "12:00", null), null],
            agents));

        Assert.Equal(["shifts[1].skill", "shifts[1].start", "shifts[2].agentId", "shifts[3].agentId", "shifts[3].end", "shifts[3].start"],
            errors.Keys.Order(StringComparer.Ordinal));
    }
}
