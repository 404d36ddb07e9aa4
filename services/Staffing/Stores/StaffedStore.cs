using JasperFx.Events;
using Vendor.Contracts;

namespace Vendor.Staffing.Stores;

/// <summary>Staffing learned of a client store from Agreements (the calendar is absent on stores onboarded before calendars).</summary>
public sealed record StoreRegistered(string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt,
    StoreCalendar? Calendar = null);

public sealed record StoreCalendarUpdated(string StoreId, StoreCalendar Calendar, DateTimeOffset EffectiveFrom);

/// <summary>Contracted headcount per scope and the 3-minute response target, from Agreements' contract changes.</summary>
public sealed record StoreContractUpdated(string StoreId, string Status, Headcount Headcount, double? ThreeMinuteResponseTarget,
    DateOnly EffectiveOn);

/// <summary>Ops replaced the store's campaign multipliers (双11, 618 ...).</summary>
public sealed record CampaignsSet(string StoreId, IReadOnlyList<Campaign> Campaigns, DateTimeOffset At);

public sealed record Headcount(int Presales, int Aftersales, int Hotline)
{
    public static readonly Headcount None = new(0, 0, 0);
    public int Total => Presales + Aftersales + Hotline;

    /// <summary>The skills a shift on this store may use: those with contracted headcount (any skill when none is contracted).</summary>
    public IReadOnlyList<string> Skills => Total == 0
        ? Agents.Skills.All
        : [.. new[] { ("presales", Presales), ("aftersales", Aftersales), ("hotline", Hotline) }.Where(x => x.Item2 > 0).Select(x => x.Item1)];
}

/// <summary>Demand on the store's dates from <see cref="From"/> to <see cref="To"/> (inclusive) is multiplied by <see cref="Multiplier"/>.</summary>
public sealed record Campaign(string Name, DateOnly From, DateOnly To, double Multiplier);

public sealed record CalendarVersion(DateTimeOffset EffectiveFrom, StoreCalendar Calendar);

/// <summary>A store Staffing can roster agents on; stream <c>store:{storeId}</c> in the staffing schema.</summary>
public sealed record StaffedStore(string Id, string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt,
    IReadOnlyList<CalendarVersion>? Calendars = null, string ContractStatus = "none", Headcount? Headcount = null,
    double? ThreeMinuteResponseTarget = null, IReadOnlyList<Campaign>? Campaigns = null)
{
    public static string StreamKey(string storeId) => $"store:{storeId}";

    public static StaffedStore Create(IEvent<StoreRegistered> e) =>
        new(e.StreamKey!, e.Data.StoreId, e.Data.Name, e.Data.Platform, e.Data.TimeZone, e.Data.OnboardedAt,
            [new CalendarVersion(e.Data.OnboardedAt, e.Data.Calendar ?? OpeningHours.RoundTheClock(e.Data.TimeZone))]);

    public StaffedStore Apply(StoreCalendarUpdated e) => this with
    {
        TimeZone = e.Calendar.TimeZone,
        Calendars = [.. (Calendars ?? []).Where(v => v.EffectiveFrom < e.EffectiveFrom), new CalendarVersion(e.EffectiveFrom, e.Calendar)],
    };

    public StaffedStore Apply(StoreContractUpdated e) =>
        this with { ContractStatus = e.Status, Headcount = e.Headcount, ThreeMinuteResponseTarget = e.ThreeMinuteResponseTarget };

    public StaffedStore Apply(CampaignsSet e) => this with { Campaigns = e.Campaigns };

    /// <summary>The calendar in force at an instant (the first one before any change).</summary>
    public StoreCalendar CalendarAt(DateTimeOffset at)
    {
        var versions = Calendars is { Count: > 0 } v ? v : [new CalendarVersion(OnboardedAt, OpeningHours.RoundTheClock(TimeZone))];
        return (versions.LastOrDefault(x => x.EffectiveFrom <= at) ?? versions[0]).Calendar;
    }

    public Headcount ContractedHeadcount => Headcount ?? Stores.Headcount.None;

    public double CampaignMultiplier(DateOnly date) =>
        (Campaigns ?? []).Where(c => c.From <= date && date <= c.To).Select(c => c.Multiplier).DefaultIfEmpty(1).Max();
}
