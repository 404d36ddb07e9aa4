using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;

namespace Vendor.Agreements.Sla;

/// <summary>One block of daily service hours; an end at or before its start runs past midnight.</summary>
public sealed record HoursBlock(TimeOnly Start, TimeOnly End)
{
    [JsonIgnore] public bool CrossesMidnight => End <= Start;

    [JsonIgnore] public TimeSpan Length => CrossesMidnight ? TimeSpan.FromDays(1) - (Start - End) : End - Start;
}

/// <summary>
/// When a store is served (DOMAIN.md, "Service calendar"): daily hour blocks in the store's time zone, on its open
/// weekdays (ISO 1-7), except holidays, plus make-up workdays (调休). A block belongs to the day it starts on.
/// SLA clocks run only inside these hours.
/// </summary>
public sealed record ServiceCalendar(
    string TimeZone,
    IReadOnlyList<HoursBlock> ServiceHours,
    IReadOnlyList<int> OpenDays,
    IReadOnlyList<DateOnly> Holidays,
    IReadOnlyList<DateOnly> MakeUpWorkdays,
    int SlowThresholdSeconds)
{
    public const string DefaultTimeZone = "Asia/Shanghai";
    public const int DefaultSlowThresholdSeconds = 180;
    public static readonly IReadOnlyList<int> EveryDay = [1, 2, 3, 4, 5, 6, 7];

    /// <summary>Round the clock, every day: what a store gets until it says otherwise.</summary>
    public static ServiceCalendar AlwaysOpen(string timeZone = DefaultTimeZone) =>
        // One instance per zone (records are immutable): its memo of day intervals is then shared, not rebuilt per call.
        AlwaysOpenByZone.GetOrAdd(timeZone, zone =>
            new(zone, [new HoursBlock(TimeOnly.MinValue, TimeOnly.MinValue)], EveryDay, [], [], DefaultSlowThresholdSeconds));

    private static readonly ConcurrentDictionary<string, ServiceCalendar> AlwaysOpenByZone = new();

    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new();

    // Looked up once per zone: the hot path measures every turn of thousands of conversations a second.
    private TimeZoneInfo Zone => Zones.GetOrAdd(TimeZone, TimeZoneInfo.FindSystemTimeZoneById);

    public bool IsOpenDay(DateOnly day) =>
        !Holidays.Contains(day) && (MakeUpWorkdays.Contains(day) || OpenDays.Contains(IsoDay(day)));

    /// <summary>The store-local date of an instant.</summary>
    public DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);

    /// <summary>An instant as the store's wall clock shows it (with the store's offset at that instant).</summary>
    public DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary>Seconds of service hours between two instants (0 when <paramref name="to"/> is not after <paramref name="from"/>).</summary>
    public double ServiceSecondsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from) return 0;
        var zone = Zone;
        var total = TimeSpan.Zero;
        DateTimeOffset? coveredUntil = null;
        // Start a day early: yesterday's block may run past midnight into the window.
        foreach (var (start, end) in Intervals(LocalDate(from).AddDays(-1), LocalDate(to), zone))
        {
            var s = Max(start, from, coveredUntil);
            var e = end < to ? end : to;
            if (e > s) total += e - s;
            if (coveredUntil is null || end > coveredUntil) coveredUntil = end;
        }
        return total.TotalSeconds;
    }

    /// <summary>Service intervals of the given local days as instants, ordered by start.</summary>
    private IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Intervals(DateOnly firstDay, DateOnly lastDay, TimeZoneInfo zone)
    {
        var days = DayIntervals.GetValue(this, _ => new ConcurrentDictionary<DateOnly, (DateTimeOffset, DateTimeOffset)[]>());
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            if (!days.TryGetValue(day, out var intervals))
            {
                if (days.Count > MaxCachedDays) days.Clear();
                intervals = days.GetOrAdd(day, d => IntervalsOf(d, zone));
            }
            foreach (var interval in intervals) yield return interval;
        }
    }

    private (DateTimeOffset Start, DateTimeOffset End)[] IntervalsOf(DateOnly day, TimeZoneInfo zone) =>
        !IsOpenDay(day)
            ? []
            : [.. ServiceHours.OrderBy(b => b.Start).Select(block =>
                (ToInstant(day.ToDateTime(block.Start), zone), ToInstant(day.ToDateTime(block.Start) + block.Length, zone)))];

    // Every turn of every conversation in a request walks the same few days under the same calendar instance (the store's, loaded
    // for the request): their intervals are worked out once per instance, not once per turn (the walk was ~3.5 % of Agreements'
    // CPU under ./vendor bench ingest, perf). Keyed by reference, so the record's value equality is untouched.
    private const int MaxCachedDays = 400;
    private static readonly ConditionalWeakTable<ServiceCalendar, ConcurrentDictionary<DateOnly, (DateTimeOffset, DateTimeOffset)[]>> DayIntervals = new();

    /// <summary>Local wall-clock time to an instant; a time skipped by a DST change moves to the first valid minute.</summary>
    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b, DateTimeOffset? c)
    {
        var m = a > b ? a : b;
        return c is { } v && v > m ? v : m;
    }

    private static int IsoDay(DateOnly day) => day.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)day.DayOfWeek;
}
