using Vendor.Contracts;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Tests;

public class OpeningHoursTests
{
    private const string Shanghai = "Asia/Shanghai";
    private static readonly int[] EveryDay = [1, 2, 3, 4, 5, 6, 7];
    private static readonly int[] Weekdays = [1, 2, 3, 4, 5];

    // 2026-09-30 is a Wednesday (National Day's eve), 2026-10-01 a Thursday, 2026-10-10 a Saturday.
    private static readonly DateOnly Eve = new(2026, 9, 30);
    private static readonly DateOnly NationalDay = new(2026, 10, 1);
    private static readonly DateOnly MakeUpSaturday = new(2026, 10, 10);

    private static StoreCalendar Calendar(ServiceHoursBlock[] blocks, int[]? openDays = null, DateOnly[]? holidays = null,
        DateOnly[]? makeUp = null) =>
        new(Shanghai, blocks, openDays ?? EveryDay, holidays ?? [], makeUp ?? []);

    /// <summary>The indexes of the open intervals, for readable assertions.</summary>
    private static int[] Open(StoreCalendar calendar, DateOnly date) =>
        [.. OpeningHours.OpenIntervals(calendar, date).Select((open, i) => (open, i)).Where(x => x.open).Select(x => x.i)];

    private static int[] Range(int from, int toInclusive) => [.. Enumerable.Range(from, toInclusive - from + 1)];

    [Fact]
    public void A_day_block_from_08_00_to_23_00_opens_intervals_16_to_45()
    {
        var calendar = Calendar([new("08:00", "23:00")]);

        Assert.Equal(48, OpeningHours.OpenIntervals(calendar, Eve).Length);
        Assert.Equal(Range(16, 45), Open(calendar, Eve));
    }

    [Fact]
    public void A_block_from_20_00_to_02_00_opens_the_evening_of_its_day_and_the_first_hours_of_the_next()
    {
        var calendar = Calendar([new("20:00", "02:00")]);

        Assert.Equal([.. Range(0, 3), .. Range(40, 47)], Open(calendar, Eve));
    }

    [Fact]
    public void A_block_crossing_midnight_on_the_first_open_day_leaves_that_morning_closed()
    {
        // Weekdays only: Monday morning's 00:00-02:00 belongs to Sunday's block, and Sunday is closed.
        var calendar = Calendar([new("20:00", "02:00")], Weekdays);
        var monday = new DateOnly(2026, 11, 2);

        Assert.Equal(Range(40, 47), Open(calendar, monday));
        Assert.Empty(Open(calendar, monday.AddDays(-1))); // Sunday: Saturday's block does not run
        Assert.Equal(Range(0, 3), Open(calendar, monday.AddDays(-2))); // Saturday: only the end of Friday's block
    }

    [Fact]
    public void Several_blocks_a_day_open_each_of_them_and_nothing_between()
    {
        var calendar = Calendar([new("09:00", "12:00"), new("13:30", "18:00"), new("19:00", "21:30")]);

        Assert.Equal([.. Range(18, 23), .. Range(27, 35), .. Range(38, 42)], Open(calendar, Eve));
    }

    [Fact]
    public void A_block_ending_off_the_half_hour_still_opens_the_interval_it_ends_in()
    {
        var calendar = Calendar([new("08:10", "08:40")]);

        Assert.Equal([16, 17], Open(calendar, Eve));
    }

    [Fact]
    public void Holidays_are_closed()
    {
        var calendar = Calendar([new("08:00", "23:00")], holidays: [NationalDay]);

        Assert.Empty(Open(calendar, NationalDay));
        Assert.False(OpeningHours.IsServiceDay(calendar, NationalDay));
        Assert.Equal(Range(16, 45), Open(calendar, NationalDay.AddDays(1)));
    }

    [Fact]
    public void Days_outside_the_open_weekdays_are_closed()
    {
        var calendar = Calendar([new("08:00", "23:00")], Weekdays);
        var saturday = new DateOnly(2026, 10, 17);

        Assert.Empty(Open(calendar, saturday));
        Assert.Empty(Open(calendar, saturday.AddDays(1)));
        Assert.Equal(Range(16, 45), Open(calendar, saturday.AddDays(2)));
    }

    [Fact]
    public void A_make_up_Saturday_is_open_although_open_days_are_Monday_to_Friday()
    {
        var calendar = Calendar([new("09:00", "18:00")], Weekdays, makeUp: [MakeUpSaturday]);

        Assert.Equal(DayOfWeek.Saturday, MakeUpSaturday.DayOfWeek);
        Assert.True(OpeningHours.IsServiceDay(calendar, MakeUpSaturday));
        Assert.Equal(Range(18, 35), Open(calendar, MakeUpSaturday));
        Assert.Empty(Open(calendar, MakeUpSaturday.AddDays(-7)));
    }

    [Fact]
    public void The_block_of_a_holidays_eve_that_crosses_midnight_still_opens_the_holidays_first_hours()
    {
        // DOMAIN.md: a block belongs to the day it starts on (20:00-02:00 on the eve runs into the holiday).
        var calendar = Calendar([new("20:00", "02:00")], holidays: [NationalDay]);

        Assert.Equal(Range(0, 3), Open(calendar, NationalDay));
        Assert.Equal([.. Range(0, 3), .. Range(40, 47)], Open(calendar, Eve));
        // The holiday's own evening block does not run, so the morning after has nothing from it.
        Assert.Equal(Range(40, 47), Open(calendar, NationalDay.AddDays(1)));
    }

    [Fact]
    public void A_round_the_clock_calendar_opens_every_interval_of_every_day()
    {
        var calendar = OpeningHours.RoundTheClock(Shanghai);

        Assert.Equal(Shanghai, calendar.TimeZone);
        Assert.Equal(EveryDay, calendar.OpenDays);
        Assert.All(Enumerable.Range(0, 14).Select(d => Eve.AddDays(d)), day => Assert.Equal(Range(0, 47), Open(calendar, day)));
    }

    [Fact]
    public void A_block_ending_at_midnight_opens_the_rest_of_its_day_and_nothing_of_the_next()
    {
        var calendar = Calendar([new("18:00", "00:00")], holidays: [NationalDay]);

        Assert.Equal(Range(36, 47), Open(calendar, Eve));
        Assert.Empty(Open(calendar, NationalDay));
    }

    [Fact]
    public void Instant_IntervalOf_and_LocalDate_round_trip_in_Shanghai()
    {
        var zone = OpeningHours.Zone(Shanghai);
        var date = new DateOnly(2026, 11, 11);

        var at = OpeningHours.Instant(date, new TimeOnly(8, 30), zone);

        Assert.Equal(new DateTimeOffset(2026, 11, 11, 8, 30, 0, TimeSpan.FromHours(8)), at);
        Assert.Equal(TimeSpan.FromHours(8), at.Offset);
        Assert.Equal(17, OpeningHours.IntervalOf(at, zone));
        Assert.Equal(date, OpeningHours.LocalDate(at, zone));
        Assert.All(Enumerable.Range(0, 48), i =>
        {
            var start = OpeningHours.Instant(date, TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(30 * i)), zone);
            Assert.Equal(i, OpeningHours.IntervalOf(start, zone));
            Assert.Equal(i, OpeningHours.IntervalOf(start.AddMinutes(29), zone));
            Assert.Equal(date, OpeningHours.LocalDate(start, zone));
        });
    }

    [Fact]
    public void An_instant_given_in_UTC_is_read_in_the_store_zone()
    {
        var zone = OpeningHours.Zone(Shanghai);
        var utc = new DateTimeOffset(2026, 11, 10, 16, 30, 0, TimeSpan.Zero); // 2026-11-11 00:30 in Shanghai

        Assert.Equal(new DateOnly(2026, 11, 11), OpeningHours.LocalDate(utc, zone));
        Assert.Equal(1, OpeningHours.IntervalOf(utc, zone));
        Assert.Equal(utc, OpeningHours.Instant(new DateOnly(2026, 11, 11), new TimeOnly(0, 30), zone));
    }

    [Fact]
    public void The_zone_is_the_IANA_zone_of_the_store()
    {
        var zone = OpeningHours.Zone(Shanghai);

        Assert.Equal(TimeSpan.FromHours(8), zone.GetUtcOffset(new DateTime(2026, 7, 1, 12, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(TimeSpan.FromHours(8), zone.GetUtcOffset(new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc)));
    }
}
