namespace Vendor.Contracts;

/// <summary>A client store was onboarded by Agreements. Published once per store.</summary>
/// <param name="Calendar">The service calendar in force from onboarding (absent from publishers older than calendars: open round the clock).</param>
public sealed record StoreOnboarded(
    string StoreId,
    string Name,
    string Platform,
    string TimeZone,
    DateTimeOffset OnboardedAt,
    StoreCalendar? Calendar = null);

/// <summary>Daily service hours ("HH:mm", an end at or before its start runs past midnight), ISO open weekdays 1-7, closed dates and 调休 dates.</summary>
public sealed record StoreCalendar(
    string TimeZone,
    IReadOnlyList<ServiceHoursBlock> ServiceHours,
    IReadOnlyList<int> OpenDays,
    IReadOnlyList<DateOnly> Holidays,
    IReadOnlyList<DateOnly> MakeUpWorkdays);

public sealed record ServiceHoursBlock(string Start, string End);

/// <summary>A store's service calendar changes from <paramref name="EffectiveFrom"/> on.</summary>
public sealed record StoreCalendarChanged(string StoreId, StoreCalendar Calendar, DateTimeOffset EffectiveFrom);

/// <summary>
/// The staffing side of a store's contract changed (activated, amended, terminated): contracted headcount per scope from
/// <paramref name="EffectiveOn"/>, and the 3-minute response target Staffing plans against (null: none contracted).
/// A terminated contract publishes zero headcount.
/// </summary>
public sealed record StoreContractChanged(
    string StoreId,
    string Status,
    int Presales,
    int Aftersales,
    int Hotline,
    double? ThreeMinuteResponseTarget,
    DateOnly EffectiveOn,
    DateTimeOffset At);
