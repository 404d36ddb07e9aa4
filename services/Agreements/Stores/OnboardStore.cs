using Vendor.Agreements.Sla;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Stores;

/// <summary>The body of POST /api/sla/stores. Fields are nullable so a missing one is a 400, not a crash.</summary>
public sealed record OnboardStore(string? StoreId, string? Name, string? Platform, string? TimeZone,
    IReadOnlyList<HoursInput>? ServiceHours = null, IReadOnlyList<int>? OpenDays = null, IReadOnlyList<DateOnly>? Holidays = null,
    IReadOnlyList<DateOnly>? MakeUpWorkdays = null, int? SlowThresholdSeconds = null) : ICalendarInput;

public static class StoreDecisions
{
    /// <summary>Onboard a store; re-posting the same store is a no-op, a different one under the same id a conflict.</summary>
    public static Decision Onboard(Store? existing, OnboardStore command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(command.StoreId), "storeId", $"Required: {Ids.Rule}.")
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Trim().Length <= 200, "name",
                "Required, at most 200 characters.")
            .Check(command.Platform is not null && Platforms.All.Contains(command.Platform), "platform",
                $"Required, one of: {string.Join(", ", Platforms.All)}.");
        var calendar = CalendarInput.Parse(command, ServiceCalendar.DefaultTimeZone, errors);
        if (errors.Any) return errors.ToDecision();

        var onboarded = new StoreOnboarded(command.StoreId!, command.Name!.Trim(), command.Platform!, calendar!.TimeZone, now, calendar);
        if (existing is null) return Decision.Of(onboarded);
        return existing.Name == onboarded.Name && existing.Platform == onboarded.Platform
               && CalendarInput.Same(existing.History[0].Calendar, calendar)
            ? new Decision.Unchanged()
            : new Decision.Conflict($"Store '{existing.StoreId}' is already onboarded with other details; change its calendar with PUT .../calendar.");
    }

    /// <summary>A new calendar from now on; the same calendar again changes nothing.</summary>
    public static Decision ChangeCalendar(Store store, ChangeCalendar command, DateTimeOffset now)
    {
        var errors = new Errors();
        var calendar = CalendarInput.Parse(command, store.TimeZone, errors);
        if (errors.Any) return errors.ToDecision();
        return CalendarInput.Same(store.Calendar, calendar!)
            ? new Decision.Unchanged()
            : Decision.Of(new StoreCalendarChanged(store.StoreId, calendar!, now));
    }
}
