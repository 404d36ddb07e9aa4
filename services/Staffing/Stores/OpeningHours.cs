using System.Globalization;
using Vendor.Contracts;

namespace Vendor.Staffing.Stores;

/// <summary>
/// Which 30-minute intervals of a store-local day the store serves (DOMAIN.md "Service calendar"): blocks on open weekdays
/// that are not holidays, plus 调休 make-up days; a block belongs to the day it starts on, so a block crossing midnight
/// also opens the first intervals of the next day.
/// </summary>
public static class OpeningHours
{
    public const int IntervalMinutes = 30;
    public const int IntervalsPerDay = 24 * 60 / IntervalMinutes;

    /// <summary>
    /// A store-local date as routes and bodies spell it, in this century: a day's neighbours and its time zone offsets must stay
    /// far from DateOnly's limits (9999-12-31 overflowed in coverage and emergency plans).
    /// </summary>
    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date) && date.Year is >= 2000 and <= 2099;

    public const string DateRule = "Required: a store-local date, yyyy-MM-dd (2000-01-01 to 2099-12-31).";

    public static StoreCalendar RoundTheClock(string timeZone) =>
        new(timeZone, [new ServiceHoursBlock("00:00", "00:00")], [1, 2, 3, 4, 5, 6, 7], [], []);

    public static TimeZoneInfo Zone(string timeZone) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The instant of a store-local wall-clock time (a time skipped by a DST change is read with the earlier offset).</summary>
    public static DateTimeOffset Instant(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        var offset = zone.IsInvalidTime(local) ? zone.GetUtcOffset(local.AddHours(-1)) : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    public static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>The 30-minute interval (0-47) of an instant in store-local time.</summary>
    public static int IntervalOf(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return (local.Hour * 60 + local.Minute) / IntervalMinutes;
    }

    public static bool IsServiceDay(StoreCalendar calendar, DateOnly date) =>
        calendar.MakeUpWorkdays.Contains(date)
        || calendar.OpenDays.Contains(date.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)date.DayOfWeek) && !calendar.Holidays.Contains(date);

    /// <summary>For each interval of the local day (index 0 = 00:00-00:30): does any service block overlap it?</summary>
    public static bool[] OpenIntervals(StoreCalendar calendar, DateOnly date)
    {
        var open = new bool[IntervalsPerDay];
        void Mark(int fromMinute, int toMinute) // [from, to) in minutes of this day
        {
            for (var i = Math.Max(0, fromMinute / IntervalMinutes); i < IntervalsPerDay && i * IntervalMinutes < toMinute; i++) open[i] = true;
        }
        foreach (var block in calendar.ServiceHours)
        {
            var (start, end) = (Minutes(block.Start), Minutes(block.End));
            var crosses = end <= start;
            if (IsServiceDay(calendar, date)) Mark(start, crosses ? 24 * 60 : end);
            if (crosses && end > 0 && IsServiceDay(calendar, date.AddDays(-1))) Mark(0, end);
        }
        return open;
    }

    private static int Minutes(string hhmm) => (int)TimeOnly.ParseExact(hhmm, "HH:mm").ToTimeSpan().TotalMinutes;
}
