using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Tests;

public class StoreDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(8));

    private static Store Existing(string name = "Acme", string platform = "tmall", string tz = "Asia/Shanghai") =>
        new("store:acme", "acme", name, platform, tz, Now.AddDays(-1),
            [new CalendarVersion(Now.AddDays(-1), ServiceCalendar.AlwaysOpen(tz))], 1);

    [Fact]
    public void Onboarding_a_new_store_records_it_round_the_clock_in_the_default_time_zone()
    {
        var decision = StoreDecisions.Onboard(null, new OnboardStore("acme", " Acme ", "tmall", null), Now);

        var onboarded = (StoreOnboarded)Assert.Single(Assert.IsType<Decision.Append>(decision).Events);
        Assert.Equal(("acme", "Acme", "tmall", "Asia/Shanghai", Now), (onboarded.StoreId, onboarded.Name, onboarded.Platform, onboarded.TimeZone, onboarded.OnboardedAt));
        Assert.True(CalendarInput.Same(ServiceCalendar.AlwaysOpen(), onboarded.Calendar!));
    }

    [Fact]
    public void Onboarding_takes_the_calendar_given()
    {
        var command = new OnboardStore("acme", "Acme", "jd", "Europe/Berlin", [new HoursInput("08:00", "23:00"), new HoursInput("23:30", "24:00")],
            [5, 1, 2], [new DateOnly(2026, 10, 1)], [new DateOnly(2026, 10, 10)], 120);

        var calendar = ((StoreOnboarded)Assert.IsType<Decision.Append>(StoreDecisions.Onboard(null, command, Now)).Events[0]).Calendar!;

        Assert.Equal("Europe/Berlin", calendar.TimeZone);
        Assert.Equal([new HoursBlock(new(8, 0), new(23, 0)), new HoursBlock(new(23, 30), new(0, 0))], calendar.ServiceHours);
        Assert.Equal([1, 2, 5], calendar.OpenDays);
        Assert.Equal(120, calendar.SlowThresholdSeconds);
        Assert.Equal([new DateOnly(2026, 10, 10)], calendar.MakeUpWorkdays);
    }

    [Fact]
    public void Every_invalid_field_is_named()
    {
        var command = new OnboardStore("no spaces", "", "ebay", "Mars/Olympus", [new HoursInput("8am", null)], [0, 8], null, null, 0);

        var invalid = Assert.IsType<Decision.Invalid>(StoreDecisions.Onboard(null, command, Now));

        Assert.Equal(["name", "openDays", "platform", "serviceHours[0]", "slowThresholdSeconds", "storeId", "timeZone"], invalid.Errors.Keys.Order());
    }

    [Fact]
    public void A_date_cannot_be_both_holiday_and_make_up_day()
    {
        var day = new DateOnly(2026, 10, 1);
        var invalid = Assert.IsType<Decision.Invalid>(StoreDecisions.Onboard(null, new OnboardStore("acme", "Acme", "jd", null, null, null, [day], [day]), Now));

        Assert.Equal(["makeUpWorkdays"], invalid.Errors.Keys);
    }

    [Fact]
    public void Missing_fields_are_invalid_not_a_crash()
    {
        var invalid = Assert.IsType<Decision.Invalid>(StoreDecisions.Onboard(null, new OnboardStore(null, null, null, null), Now));

        Assert.Contains("storeId", invalid.Errors.Keys);
        Assert.DoesNotContain("timeZone", invalid.Errors.Keys);
    }

    [Fact]
    public void Posting_the_same_store_again_changes_nothing()
    {
        var decision = StoreDecisions.Onboard(Existing(), new OnboardStore("acme", "Acme", "tmall", "Asia/Shanghai"), Now);

        Assert.IsType<Decision.Unchanged>(decision);
    }

    [Fact]
    public void A_different_store_under_an_existing_id_is_a_conflict()
    {
        Assert.IsType<Decision.Conflict>(StoreDecisions.Onboard(Existing(), new OnboardStore("acme", "Other", "tmall", null), Now));
        Assert.IsType<Decision.Conflict>(StoreDecisions.Onboard(Existing(),
            new OnboardStore("acme", "Acme", "tmall", null, [new HoursInput("08:00", "23:00")]), Now));
    }

    [Fact]
    public void A_calendar_change_takes_effect_from_now_and_earlier_instants_keep_the_old_calendar()
    {
        var store = Existing();
        var change = new ChangeCalendar(null, [new HoursInput("09:00", "18:00")], null, null, null, 60);

        var changed = (StoreCalendarChanged)Assert.IsType<Decision.Append>(StoreDecisions.ChangeCalendar(store, change, Now)).Events[0];
        var after = store with { Calendars = [.. store.Calendars, new CalendarVersion(changed.EffectiveFrom, changed.Calendar)] };

        Assert.Equal(Now, changed.EffectiveFrom);
        Assert.Equal("Asia/Shanghai", changed.Calendar.TimeZone);
        Assert.Equal(ServiceCalendar.DefaultSlowThresholdSeconds, after.CalendarAt(Now.AddSeconds(-1)).SlowThresholdSeconds);
        Assert.Equal(60, after.CalendarAt(Now).SlowThresholdSeconds);
        Assert.Equal(ServiceCalendar.DefaultSlowThresholdSeconds, after.CalendarAt(Now.AddYears(-1)).SlowThresholdSeconds);
        Assert.IsType<Decision.Unchanged>(StoreDecisions.ChangeCalendar(after, change, Now.AddHours(1)));
    }
}
