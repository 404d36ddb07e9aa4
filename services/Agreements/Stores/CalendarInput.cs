using System.Globalization;
using Vendor.Agreements.Sla;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Stores;

public sealed record HoursInput(string? Start, string? End);

/// <summary>Calendar fields as the API takes them (onboarding and PUT .../calendar).</summary>
public interface ICalendarInput
{
    string? TimeZone { get; }
    IReadOnlyList<HoursInput>? ServiceHours { get; }
    IReadOnlyList<int>? OpenDays { get; }
    IReadOnlyList<DateOnly>? Holidays { get; }
    IReadOnlyList<DateOnly>? MakeUpWorkdays { get; }
    int? SlowThresholdSeconds { get; }
}

public sealed record ChangeCalendar(string? TimeZone, IReadOnlyList<HoursInput>? ServiceHours, IReadOnlyList<int>? OpenDays,
    IReadOnlyList<DateOnly>? Holidays, IReadOnlyList<DateOnly>? MakeUpWorkdays, int? SlowThresholdSeconds) : ICalendarInput;

public static class CalendarInput
{
    /// <summary>The calendar the input describes, filling defaults (round the clock, every day, 180 s), or null with errors added.</summary>
    public static ServiceCalendar? Parse(ICalendarInput input, string defaultTimeZone, Errors errors)
    {
        var timeZone = string.IsNullOrWhiteSpace(input.TimeZone) ? defaultTimeZone : input.TimeZone.Trim();
        errors.Check(TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _), "timeZone", "Must be an IANA time zone such as Asia/Shanghai.");

        var blocks = new List<HoursBlock>();
        foreach (var (hours, i) in (input.ServiceHours ?? [new HoursInput("00:00", "00:00")]).Select((h, i) => (h ?? new HoursInput(null, null), i)))
        {
            if (TryTime(hours.Start, out var start) && TryTime(hours.End, out var end)) blocks.Add(new HoursBlock(start, end));
            else errors.Add($"serviceHours[{i}]", "start and end are required as HH:mm (an end at or before the start runs past midnight).");
        }
        errors.Check(input.ServiceHours is null || input.ServiceHours.Count > 0, "serviceHours", "Give at least one block, or leave it out for round the clock.");

        var openDays = input.OpenDays ?? ServiceCalendar.EveryDay;
        errors.Check(openDays.Count > 0 && openDays.All(d => d is >= 1 and <= 7) && openDays.Distinct().Count() == openDays.Count,
            "openDays", "ISO weekdays 1 (Monday) to 7 (Sunday), each at most once.");
        var slow = input.SlowThresholdSeconds ?? ServiceCalendar.DefaultSlowThresholdSeconds;
        errors.Check(slow is >= 1 and <= 86_400, "slowThresholdSeconds", "Between 1 and 86400 seconds.");
        var holidays = (input.Holidays ?? []).Distinct().Order().ToList();
        var makeUp = (input.MakeUpWorkdays ?? []).Distinct().Order().ToList();
        errors.Check(!holidays.Intersect(makeUp).Any(), "makeUpWorkdays", "A date cannot be both a holiday and a make-up workday.");

        if (errors.Any) return null;
        return new ServiceCalendar(timeZone, blocks, openDays.Order().ToList(), holidays, makeUp, slow);
    }

    public static bool Same(ServiceCalendar a, ServiceCalendar b) =>
        a.TimeZone == b.TimeZone && a.SlowThresholdSeconds == b.SlowThresholdSeconds
        && a.ServiceHours.SequenceEqual(b.ServiceHours) && a.OpenDays.SequenceEqual(b.OpenDays)
        && a.Holidays.SequenceEqual(b.Holidays) && a.MakeUpWorkdays.SequenceEqual(b.MakeUpWorkdays);

    private static bool TryTime(string? text, out TimeOnly time)
    {
        if (text == "24:00") text = "00:00";
        return TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }
}
