using System.Text.Json.Serialization;
using JasperFx.Events;
using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Stores;

/// <param name="Calendar">Absent on stores onboarded before calendars existed: they are served round the clock.</param>
public sealed record StoreOnboarded(string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt,
    ServiceCalendar? Calendar = null);

/// <summary>The store's service calendar changes from <paramref name="EffectiveFrom"/> on; earlier conversations keep theirs.</summary>
public sealed record StoreCalendarChanged(string StoreId, ServiceCalendar Calendar, DateTimeOffset EffectiveFrom);

public sealed record CalendarVersion(DateTimeOffset EffectiveFrom, ServiceCalendar Calendar);

/// <summary>A client store, event-sourced in stream <c>store:{storeId}</c>; kept as an inline snapshot.</summary>
public sealed record Store(string Id, string StoreId, string Name, string Platform, string TimeZone,
    DateTimeOffset OnboardedAt, IReadOnlyList<CalendarVersion> Calendars, long Version)
{
    public static string StreamKey(string storeId) => $"store:{storeId}";

    public static Store Create(IEvent<StoreOnboarded> e) =>
        new(e.StreamKey!, e.Data.StoreId, e.Data.Name, e.Data.Platform, e.Data.TimeZone, e.Data.OnboardedAt,
            [new CalendarVersion(e.Data.OnboardedAt, e.Data.Calendar ?? ServiceCalendar.AlwaysOpen(e.Data.TimeZone))], e.Version);

    public Store Apply(IEvent<StoreCalendarChanged> e) => this with
    {
        TimeZone = e.Data.Calendar.TimeZone,
        Calendars = [.. History, new CalendarVersion(e.Data.EffectiveFrom, e.Data.Calendar)],
        Version = e.Version,
    };

    /// <summary>The calendar versions; a snapshot stored before calendars existed has none and is served round the clock.</summary>
    [JsonIgnore]
    public IReadOnlyList<CalendarVersion> History =>
        Calendars is { Count: > 0 } versions ? versions : [new CalendarVersion(OnboardedAt, ServiceCalendar.AlwaysOpen(TimeZone))];

    [JsonIgnore]
    public ServiceCalendar Calendar => History[^1].Calendar;

    /// <summary>The calendar in force at an instant; conversations before onboarding use the first one.</summary>
    public ServiceCalendar CalendarAt(DateTimeOffset at)
    {
        var history = History;
        for (var i = history.Count - 1; i > 0; i--)
            if (history[i].EffectiveFrom <= at) return history[i].Calendar;
        return history[0].Calendar;
    }
}

public static class Platforms
{
    public static readonly IReadOnlyList<string> All = ["taobao", "tmall", "jd", "douyin", "other"];
}
