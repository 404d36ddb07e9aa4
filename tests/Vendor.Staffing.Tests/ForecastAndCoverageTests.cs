using Vendor.Contracts;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Coverage;
using Vendor.Staffing.Demand;
using Vendor.Staffing.Erlang;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Tests;

public class ForecastAndCoverageTests
{
    private const string Shanghai = "Asia/Shanghai";
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly TimeZoneInfo Zone = OpeningHours.Zone(Shanghai);
    private static readonly DateOnly Date = new(2026, 11, 11); // a Wednesday
    private static readonly DateTimeOffset OnboardedAt = new(2026, 1, 1, 0, 0, 0, Cst);

    private static DateTimeOffset At(DateOnly date, int hour, int minute = 0) => new(date.ToDateTime(new TimeOnly(hour, minute)), Cst);

    // ---- Arrivals ----

    private static ConversationRecorded Conversation(string id, int revision, DateTimeOffset startedAt, DateTimeOffset? endedAt) =>
        new("s-1", id, revision, "taobao", "presales", ["a-1"], startedAt, OpeningHours.LocalDate(startedAt, Zone), 6, 20, [20], false, false,
            true, null, false, endedAt);

    [Fact]
    public void Arrivals_count_first_revisions_only_in_the_store_zones_interval_with_their_handle_time()
    {
        var start = At(Date, 10, 5);
        ConversationRecorded[] batch =
        [
            Conversation("c-1", 1, start, start.AddSeconds(300)),
            Conversation("c-2", 1, start.AddMinutes(10), start.AddMinutes(10).AddSeconds(500)),
            Conversation("c-1", 2, start, start.AddSeconds(900)), // a later revision of c-1: no new arrival
            Conversation("c-3", 3, start, start.AddSeconds(900)),
        ];

        var arrivals = DemandHistory.Arrivals(batch, Zone);

        var demand = Assert.Single(arrivals);
        Assert.Equal((Date, 20), demand.Key);
        Assert.Equal(new IntervalDemand(2, 800, 2), demand.Value);
    }

    [Fact]
    public void Arrivals_read_the_start_in_the_store_zone_not_in_UTC()
    {
        // 2026-11-10 16:10 UTC is 2026-11-11 00:10 in Shanghai: interval 0 of the 11th, not interval 32 of the 10th.
        var startedAt = new DateTimeOffset(2026, 11, 10, 16, 10, 0, TimeSpan.Zero);

        var arrivals = DemandHistory.Arrivals([Conversation("c-1", 1, startedAt, startedAt.AddMinutes(4))], Zone);

        Assert.Equal((Date, 0), Assert.Single(arrivals).Key);
        Assert.Equal(new IntervalDemand(1, 240, 1), arrivals[(Date, 0)]);
    }

    [Fact]
    public void Arrivals_without_a_usable_end_count_as_contacts_but_not_as_handled()
    {
        var start = At(Date, 9, 0);

        var arrivals = DemandHistory.Arrivals(
            [Conversation("c-1", 1, start, null), Conversation("c-2", 1, start.AddMinutes(1), start), Conversation("c-3", 1, start, start.AddSeconds(120))],
            Zone);

        Assert.Equal(new IntervalDemand(3, 120, 1), arrivals[(Date, 18)]);
    }

    [Fact]
    public void Arrivals_of_different_intervals_and_days_are_kept_apart()
    {
        var arrivals = DemandHistory.Arrivals(
        [
            Conversation("c-1", 1, At(Date, 9, 29), At(Date, 9, 31)),
            Conversation("c-2", 1, At(Date, 9, 30), At(Date, 9, 31)),
            Conversation("c-3", 1, At(Date.AddDays(1), 9, 30), At(Date.AddDays(1), 9, 31)),
        ], Zone);

        Assert.Equal(3, arrivals.Count);
        Assert.Equal(1, arrivals[(Date, 18)].Contacts);
        Assert.Equal(1, arrivals[(Date, 19)].Contacts);
        Assert.Equal(1, arrivals[(Date.AddDays(1), 19)].Contacts);
    }

    [Fact]
    public void Arrival_slots_from_Agreements_add_up_by_half_hour_and_day()
    {
        var arrivals = DemandHistory.Arrivals(
        [
            new ArrivalSlot(Date, 600, 2, 300, 1), // 10:00
            new ArrivalSlot(Date, 625, 1, 60, 1), // 10:25: the same half hour
            new ArrivalSlot(Date, 630, 4, 0, 0), // 10:30: the next one
            new ArrivalSlot(Date.AddDays(1), 600, 1, 30, 1),
        ]);

        Assert.Equal(3, arrivals.Count);
        Assert.Equal(new IntervalDemand(3, 360, 2), arrivals[(Date, 20)]);
        Assert.Equal(new IntervalDemand(4, 0, 0), arrivals[(Date, 21)]);
        Assert.Equal(new IntervalDemand(1, 30, 1), arrivals[(Date.AddDays(1), 20)]);
    }

    // ---- Forecast ----

    private static Dictionary<(DateOnly Date, int Interval), IntervalDemand> History(params (int WeeksBack, int Interval, IntervalDemand Demand)[] rows) =>
        rows.ToDictionary(r => (Date.AddDays(-7 * r.WeeksBack), r.Interval), r => r.Demand);

    [Fact]
    public void The_source_dates_are_the_same_weekday_of_the_last_four_weeks_from_the_first_demand_on()
    {
        Assert.Equal([Date.AddDays(-7), Date.AddDays(-14), Date.AddDays(-21), Date.AddDays(-28)], Forecast.SourceDates(Date, Date.AddDays(-100)));
        Assert.Equal([Date.AddDays(-7), Date.AddDays(-14)], Forecast.SourceDates(Date, Date.AddDays(-14)));
        Assert.Equal([Date.AddDays(-7), Date.AddDays(-14)], Forecast.SourceDates(Date, Date.AddDays(-20)));
        Assert.Empty(Forecast.SourceDates(Date, Date.AddDays(-3)));
        Assert.Empty(Forecast.SourceDates(Date, null));
    }

    [Fact]
    public void The_forecast_averages_the_same_interval_over_the_last_four_weeks()
    {
        var history = History(
            (1, 20, new IntervalDemand(10, 3000, 10)), (2, 20, new IntervalDemand(20, 6000, 20)),
            (3, 20, new IntervalDemand(30, 9000, 30)), (4, 20, new IntervalDemand(40, 12000, 40)),
            (5, 20, new IntervalDemand(1000, 1000, 1000))); // five weeks back: not averaged in

        var forecast = Forecast.Day(Date, Date.AddDays(-60), history, 1);

        Assert.Equal(48, forecast.Count);
        Assert.Equal(Enumerable.Range(0, 48), forecast.Select(f => f.Interval));
        Assert.Equal(25, forecast[20].Contacts, 9);
        Assert.Equal(300, forecast[20].AhtSeconds, 9);
        Assert.Equal(0, forecast[21].Contacts);
    }

    [Fact]
    public void A_week_with_nothing_in_the_interval_counts_as_zero_contacts()
    {
        var history = History((1, 20, new IntervalDemand(12, 2400, 12)), (2, 21, new IntervalDemand(4, 400, 4)));

        var forecast = Forecast.Day(Date, Date.AddDays(-60), history, 1);

        Assert.Equal(3, forecast[20].Contacts, 9);
        Assert.Equal(1, forecast[21].Contacts, 9);
    }

    [Fact]
    public void Other_weekdays_are_not_averaged_in()
    {
        var history = new Dictionary<(DateOnly Date, int Interval), IntervalDemand>
        {
            [(Date.AddDays(-7), 20)] = new(8, 1600, 8),
            [(Date.AddDays(-1), 20)] = new(800, 1600, 8),
            [(Date.AddDays(-8), 20)] = new(800, 1600, 8),
        };

        var forecast = Forecast.Day(Date, Date.AddDays(-7), history, 1);

        Assert.Equal(8, forecast[20].Contacts, 9);
    }

    [Fact]
    public void Weeks_before_the_first_demand_date_are_skipped_rather_than_averaged_as_zeros()
    {
        var history = History((1, 20, new IntervalDemand(10, 3000, 10)), (2, 20, new IntervalDemand(20, 6000, 20)));

        Assert.Equal(15, Forecast.Day(Date, Date.AddDays(-14), history, 1)[20].Contacts, 9);
        Assert.Equal(10, Forecast.Day(Date, Date.AddDays(-7), history, 1)[20].Contacts, 9);
        Assert.Equal(7.5, Forecast.Day(Date, Date.AddDays(-28), history, 1)[20].Contacts, 9);
    }

    [Fact]
    public void A_store_without_demand_history_forecasts_nothing()
    {
        var forecast = Forecast.Day(Date, null, new Dictionary<(DateOnly Date, int Interval), IntervalDemand>(), 3);

        Assert.All(forecast, f => Assert.Equal(0, f.Contacts));
        Assert.All(forecast, f => Assert.Equal(Forecast.DefaultAhtSeconds, f.AhtSeconds));
    }

    [Fact]
    public void The_forecast_is_multiplied_by_the_campaign_multiplier_but_the_handle_time_is_not()
    {
        var history = History((1, 20, new IntervalDemand(10, 3000, 10)), (2, 20, new IntervalDemand(20, 6000, 20)));

        var forecast = Forecast.Day(Date, Date.AddDays(-14), history, 2.5);

        Assert.Equal(37.5, forecast[20].Contacts, 9);
        Assert.Equal(300, forecast[20].AhtSeconds, 9);
    }

    [Fact]
    public void The_handle_time_falls_back_to_the_stores_average_then_to_240_seconds()
    {
        var history = History(
            (1, 20, new IntervalDemand(10, 3000, 10)), (1, 22, new IntervalDemand(10, 6000, 10)),
            (2, 21, new IntervalDemand(5, 0, 0))); // contacts without any handle time

        var forecast = Forecast.Day(Date, Date.AddDays(-14), history, 1);

        Assert.Equal(300, forecast[20].AhtSeconds, 9);
        Assert.Equal(450, forecast[21].AhtSeconds, 9); // the store's average over the source weeks: 9000 s / 20
        Assert.Equal(450, forecast[30].AhtSeconds, 9);
        Assert.Equal(600, forecast[22].AhtSeconds, 9);

        var unhandled = Forecast.Day(Date, Date.AddDays(-14), History((1, 20, new IntervalDemand(10, 0, 0))), 1);
        Assert.Equal(Forecast.DefaultAhtSeconds, unhandled[20].AhtSeconds);
        Assert.Equal(240, Forecast.DefaultAhtSeconds);
    }

    [Fact]
    public void The_campaign_multiplier_is_the_largest_of_the_campaigns_on_the_date_and_1_otherwise()
    {
        var store = StoreWith(Calendar("08:00", "23:00")) with
        {
            Campaigns =
            [
                new Campaign("双11", new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 11), 3),
                new Campaign("双11 返场", new DateOnly(2026, 11, 11), new DateOnly(2026, 11, 13), 1.5),
            ],
        };

        Assert.Equal(3, store.CampaignMultiplier(new DateOnly(2026, 11, 1)));
        Assert.Equal(3, store.CampaignMultiplier(Date));
        Assert.Equal(1.5, store.CampaignMultiplier(new DateOnly(2026, 11, 12)));
        Assert.Equal(1.5, store.CampaignMultiplier(new DateOnly(2026, 11, 13)));
        Assert.Equal(1, store.CampaignMultiplier(new DateOnly(2026, 11, 14)));
        Assert.Equal(1, store.CampaignMultiplier(new DateOnly(2026, 10, 31)));
        Assert.Equal(1, StoreWith(Calendar("08:00", "23:00")).CampaignMultiplier(Date));
    }

    // ---- Coverage ----

    private static StoreCalendar Calendar(string start, string end) =>
        new(Shanghai, [new ServiceHoursBlock(start, end)], [1, 2, 3, 4, 5, 6, 7], [], []);

    private static StaffedStore StoreWith(StoreCalendar calendar, Headcount? headcount = null, double? target = null) =>
        new("store:s-1", "s-1", "旗舰店", "tmall", Shanghai, OnboardedAt, [new CalendarVersion(OnboardedAt, calendar)], "active",
            headcount ?? new Headcount(4, 2, 0), target);

    private static Agent AgentOf(string id, int maxChats = 3) =>
        new($"agent:{id}", id, $"客服{id}", "tmall-presales", ["presales", "hotline"], new DateOnly(2026, 1, 5), AgentStatus.Active, OnboardedAt, 1,
            ["s-1"], MaxConcurrentChats: maxChats);

    private static Shift ShiftOf(string agentId, int fromHour, int toHour) =>
        new(agentId, $"{fromHour:00}:00", $"{toHour % 24:00}:00", "presales", At(Date, fromHour),
            toHour >= 24 ? At(Date.AddDays(1), toHour - 24) : At(Date, toHour));

    private static Absence AbsenceOf(string agentId, DateTimeOffset from, DateTimeOffset to) =>
        new($"absence:x-{agentId}", $"x-{agentId}", agentId, "tmall-presales", AbsenceKinds.Sick, from, to, null, AbsenceSources.Reported, from);

    /// <summary>The same contacts and handle time in every interval of the day.</summary>
    private static IReadOnlyList<IntervalForecast> Flat(double contacts, double aht) =>
        [.. Enumerable.Range(0, 48).Select(i => new IntervalForecast(i, contacts, aht))];

    private static int Required(double contactsPerInterval, double aht, double serviceLevel, int concurrency) =>
        ErlangC.Solve(new ErlangRequest(contactsPerInterval * 2, aht, serviceLevel, 180, concurrency)).Agents;

    [Fact]
    public void Closed_intervals_require_nobody_whatever_the_forecast()
    {
        var day = CoverageRules.Day(StoreWith(Calendar("08:00", "23:00")), Date, Flat(20, 300), [], [], new Dictionary<string, Agent>());

        Assert.Equal(48, day.Intervals.Count);
        Assert.All(day.Intervals.Take(16).Concat(day.Intervals.Skip(46)), i =>
        {
            Assert.False(i.Open);
            Assert.Equal(0, i.RequiredAgents);
            Assert.Equal(0, i.Gap);
        });
        Assert.All(day.Intervals.Skip(16).Take(30), i => Assert.True(i.Open));
        Assert.All(day.Intervals.Skip(16).Take(30), i => Assert.True(i.RequiredAgents > 0));
    }

    [Fact]
    public void Interval_starts_are_the_store_local_half_hours_of_the_day()
    {
        var day = CoverageRules.Day(StoreWith(Calendar("08:00", "23:00")), Date, Flat(0, 240), [], [], new Dictionary<string, Agent>());

        Assert.Equal(At(Date, 0), day.Intervals[0].Start);
        Assert.Equal(At(Date, 8), day.Intervals[16].Start);
        Assert.Equal(At(Date, 23, 30), day.Intervals[47].Start);
        Assert.Equal((Shanghai, Date, "s-1"), (day.TimeZone, day.Date, day.StoreId));
    }

    [Fact]
    public void Required_agents_are_Erlang_C_of_the_intervals_contacts_per_hour_with_the_default_target()
    {
        var day = CoverageRules.Day(StoreWith(Calendar("08:00", "23:00")), Date, Flat(20, 300), [], [], new Dictionary<string, Agent>());

        Assert.Equal(0.8, day.ServiceLevel);
        Assert.Equal(180, day.AnswerSeconds);
        Assert.Equal(3, day.Concurrency); // nobody rostered: the default chat concurrency
        var expected = Required(20, 300, 0.8, 3);
        Assert.All(day.Intervals.Where(i => i.Open), i => Assert.Equal(expected, i.RequiredAgents));
        Assert.Equal(20, day.Intervals[20].ForecastContacts);
        Assert.Equal(300, day.Intervals[20].AhtSeconds);
    }

    [Fact]
    public void Required_agents_follow_the_contracts_three_minute_response_target()
    {
        var agents = new Dictionary<string, Agent> { ["a-1"] = AgentOf("a-1", 2) };
        var store = StoreWith(Calendar("08:00", "23:00"), target: 0.95);

        var day = CoverageRules.Day(store, Date, Flat(30, 240), [ShiftOf("a-1", 8, 16)], [], agents);

        Assert.Equal(0.95, day.ServiceLevel);
        Assert.Equal(2, day.Concurrency);
        Assert.Equal(Required(30, 240, 0.95, 2), day.Intervals[20].RequiredAgents);
        Assert.True(Required(30, 240, 0.95, 2) > Required(30, 240, 0.8, 2));
    }

    [Fact]
    public void The_concurrency_is_the_median_of_the_rostered_agents_chats()
    {
        var agents = new Dictionary<string, Agent> { ["a-1"] = AgentOf("a-1", 2), ["a-2"] = AgentOf("a-2", 5), ["a-3"] = AgentOf("a-3", 4) };

        var day = CoverageRules.Day(StoreWith(Calendar("08:00", "23:00")), Date, Flat(10, 240),
            [ShiftOf("a-1", 8, 16), ShiftOf("a-2", 9, 17), ShiftOf("a-3", 14, 22)], [], agents);

        Assert.Equal(4, day.Concurrency);
        Assert.Equal(Required(10, 240, 0.8, 4), day.Intervals[20].RequiredAgents);
    }

    [Fact]
    public void The_concurrency_median_counts_each_rostered_agent_once_however_many_shifts_they_have()
    {
        // CoverageDay.Concurrency: "the median of the day's rostered agents". a-1 (2 chats) works a split shift; the agents are
        // a-1, a-2 and a-3 with 2, 5 and 5 chats, whose median is 5 (not 2, the median of the five shifts).
        var agents = new Dictionary<string, Agent> { ["a-1"] = AgentOf("a-1", 2), ["a-2"] = AgentOf("a-2", 5), ["a-3"] = AgentOf("a-3", 5) };
        Shift[] shifts = [ShiftOf("a-1", 8, 10), ShiftOf("a-1", 11, 13), ShiftOf("a-1", 14, 16), ShiftOf("a-2", 8, 16), ShiftOf("a-3", 14, 22)];

        var day = CoverageRules.Day(StoreWith(Calendar("08:00", "23:00")), Date, Flat(10, 240), shifts, [], agents);

        Assert.Equal(5, day.Concurrency);
    }

    [Fact]
    public void A_hotline_only_store_plans_one_contact_per_agent()
    {
        var agents = new Dictionary<string, Agent> { ["a-1"] = AgentOf("a-1", 5), ["a-2"] = AgentOf("a-2", 5) };
        var store = StoreWith(Calendar("08:00", "23:00"), new Headcount(0, 0, 3));

        var day = CoverageRules.Day(store, Date, Flat(20, 300), [ShiftOf("a-1", 8, 16), ShiftOf("a-2", 8, 16)], [], agents);

        Assert.Equal(1, day.Concurrency);
        Assert.Equal(Required(20, 300, 0.8, 1), day.Intervals[20].RequiredAgents);
        Assert.True(Required(20, 300, 0.8, 1) > Required(20, 300, 0.8, 5));
    }

    [Fact]
    public void Scheduled_agents_are_the_distinct_agents_whose_shift_covers_the_interval()
    {
        var agents = new Dictionary<string, Agent> { ["a-1"] = AgentOf("a-1"), ["a-2"] = AgentOf("a-2"), ["a-3"] = AgentOf("a-3") };
        Shift[] shifts = [ShiftOf("a-1", 8, 12), ShiftOf("a-1", 10, 14), ShiftOf("a-2", 10, 18), ShiftOf("a-3", 22, 26)];

        var day = CoverageRules.Day(StoreWith(Calendar("08:00", "23:00")), Date, Flat(0, 240), shifts, [], agents);

        Assert.Equal(0, day.Intervals[15].ScheduledAgents); // 07:30
        Assert.Equal(1, day.Intervals[16].ScheduledAgents); // 08:00: a-1
        Assert.Equal(2, day.Intervals[20].ScheduledAgents); // 10:00: a-1 (twice) and a-2
        Assert.Equal(2, day.Intervals[27].ScheduledAgents); // 13:30: a-1 and a-2
        Assert.Equal(1, day.Intervals[28].ScheduledAgents); // 14:00: a-2
        Assert.Equal(0, day.Intervals[36].ScheduledAgents); // 18:00
        Assert.Equal(1, day.Intervals[44].ScheduledAgents); // 22:00: a-3 (shift into tomorrow)
        Assert.Equal(1, day.Intervals[47].ScheduledAgents);
        Assert.All(day.Intervals, i => Assert.Equal(i.ScheduledAgents, i.AvailableAgents));
    }

    [Fact]
    public void Available_agents_leave_out_those_with_an_overlapping_absence_and_the_gap_is_what_is_missing()
    {
        var agents = new Dictionary<string, Agent> { ["a-1"] = AgentOf("a-1"), ["a-2"] = AgentOf("a-2"), ["a-3"] = AgentOf("a-3") };
        Shift[] shifts = [ShiftOf("a-1", 8, 16), ShiftOf("a-2", 8, 16), ShiftOf("a-3", 8, 16)];
        Absence[] absences = [AbsenceOf("a-2", At(Date, 10, 10), At(Date, 11, 0)), AbsenceOf("a-3", At(Date, 7), At(Date, 8))];
        var store = StoreWith(Calendar("08:00", "23:00"));

        var day = CoverageRules.Day(store, Date, Flat(30, 300), shifts, absences, agents);

        var required = Required(30, 300, 0.8, 3);
        Assert.True(required > 2, $"the test needs more than 2 agents required, got {required}");
        Assert.Equal((3, 3), (day.Intervals[19].ScheduledAgents, day.Intervals[19].AvailableAgents)); // 09:30; a-3's absence ended at 08:00
        Assert.Equal((3, 2), (day.Intervals[20].ScheduledAgents, day.Intervals[20].AvailableAgents)); // 10:00-10:30, a-2 away from 10:10
        Assert.Equal((3, 2), (day.Intervals[21].ScheduledAgents, day.Intervals[21].AvailableAgents)); // 10:30-11:00
        Assert.Equal(3, day.Intervals[22].AvailableAgents); // 11:00: back
        Assert.Equal(required - 2, day.Intervals[20].Gap);
        Assert.Equal(Math.Max(0, required - 3), day.Intervals[19].Gap);
        Assert.Equal(required, day.Intervals[40].Gap); // 20:00: nobody rostered
        Assert.Equal(day.Intervals.Sum(i => i.Gap), day.TotalGap);
    }

    [Fact]
    public void There_is_no_gap_when_more_agents_are_available_than_required()
    {
        var agents = Enumerable.Range(1, 12).Select(n => AgentOf($"a-{n}")).ToDictionary(a => a.AgentId);
        var shifts = agents.Keys.Select(a => ShiftOf(a, 8, 16)).ToList();

        var day = CoverageRules.Day(StoreWith(Calendar("08:00", "23:00")), Date, Flat(4, 240), shifts, [], agents);

        Assert.True(day.Intervals[20].RequiredAgents < 12);
        Assert.Equal(0, day.Intervals[20].Gap);
        Assert.Equal(12, day.Intervals[20].AvailableAgents);
    }

    [Fact]
    public void The_calendar_in_force_on_the_day_decides_which_intervals_are_open()
    {
        var store = StoreWith(Calendar("08:00", "23:00"))
            .Apply(new StoreCalendarUpdated("s-1", Calendar("10:00", "22:00"), At(Date, 0)));

        var before = CoverageRules.Day(store, Date.AddDays(-1), Flat(10, 240), [], [], new Dictionary<string, Agent>());
        var after = CoverageRules.Day(store, Date, Flat(10, 240), [], [], new Dictionary<string, Agent>());

        Assert.True(before.Intervals[16].Open);
        Assert.False(after.Intervals[16].Open);
        Assert.Equal(0, after.Intervals[16].RequiredAgents);
        Assert.True(after.Intervals[20].Open);
        Assert.False(after.Intervals[44].Open);
    }
}
