using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Demand;

/// <summary>Expected arrivals and handle time of one 30-minute interval.</summary>
public sealed record IntervalForecast(int Interval, double Contacts, double AhtSeconds);

/// <summary>
/// Demand forecast (DOMAIN.md): the same weekday and interval over recent weeks, averaged, times the campaign multiplier of the
/// day. Weeks before the store's first demand are left out rather than averaged in as zeros.
/// </summary>
public static class Forecast
{
    public const int Weeks = 4;
    /// <summary>Handle time when the history has none: a chat conversation of four minutes.</summary>
    public const double DefaultAhtSeconds = 240;

    public static IReadOnlyList<DateOnly> SourceDates(DateOnly date, DateOnly? firstDemand) =>
        Enumerable.Range(1, Weeks).Select(w => date.AddDays(-7 * w)).Where(d => firstDemand is { } first && d >= first).ToList();

    public static IReadOnlyList<IntervalForecast> Day(DateOnly date, DateOnly? firstDemand,
        IReadOnlyDictionary<(DateOnly Date, int Interval), IntervalDemand> history, double multiplier)
    {
        var weeks = SourceDates(date, firstDemand);
        var all = history.Where(h => weeks.Contains(h.Key.Date)).Aggregate(default(IntervalDemand), (sum, h) => sum + h.Value);
        var storeAht = all.Handled > 0 ? all.HandleSeconds / all.Handled : DefaultAhtSeconds;
        return Enumerable.Range(0, OpeningHours.IntervalsPerDay).Select(i =>
        {
            var total = weeks.Aggregate(default(IntervalDemand), (sum, d) => sum + history.GetValueOrDefault((d, i)));
            var contacts = weeks.Count == 0 ? 0 : (double)total.Contacts / weeks.Count * multiplier;
            return new IntervalForecast(i, contacts, total.Handled > 0 ? total.HandleSeconds / total.Handled : storeAht);
        }).ToList();
    }
}
