using System.Globalization;

namespace Vendor.Quality.Feedback;

/// <summary>Figures of the feedback received in one month (a cohort: each item counts in the month it arrived, with its state now).</summary>
/// <param name="Overdue">Items that missed a due time: flagged, resolved late, or past due unresolved now.</param>
/// <param name="MedianHoursToResolve">From receipt to the (last) resolution, wall clock; null when none is resolved.</param>
public sealed record FeedbackFigures(int Received, int Resolved, int ResolvedInTime, int Overdue, int Unresolved, double? MedianHoursToResolve);

public sealed record FeedbackMonthSummary(string StoreId, string Month, string TimeZone, DateTimeOffset From, DateTimeOffset To, FeedbackFigures Total,
    IReadOnlyDictionary<string, FeedbackFigures> ByKind);

public static class FeedbackSummaries
{
    /// <summary>Months are the vendor's local calendar months (the desks are in China), as the monthly report counts them.</summary>
    public const string TimeZoneId = "Asia/Shanghai";
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);

    public static string MonthOf(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>The instants a local month spans: [first day 00:00, next month's first day 00:00) in the vendor's zone.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Range(DateOnly first)
    {
        DateTimeOffset Start(DateOnly d)
        {
            var local = d.ToDateTime(TimeOnly.MinValue);
            return new DateTimeOffset(local, Zone.GetUtcOffset(local)).ToUniversalTime();
        }
        return (Start(first), Start(first.AddMonths(1)));
    }

    public static FeedbackMonthSummary Of(string storeId, DateOnly first, IReadOnlyList<FeedbackItem> items, DateTimeOffset now)
    {
        var (from, to) = Range(first);
        var inMonth = items.Where(f => f.StoreId == storeId && f.ReceivedAt >= from && f.ReceivedAt < to).ToList();
        return new FeedbackMonthSummary(storeId, Months.Label(first), TimeZoneId, from, to, Figures(inMonth, now),
            FeedbackKinds.All.ToDictionary(k => k, k => Figures([.. inMonth.Where(f => f.Kind == k)], now)));
    }

    public static FeedbackFigures Figures(IReadOnlyList<FeedbackItem> items, DateTimeOffset now)
    {
        var resolved = items.Where(f => f.IsResolved).ToList();
        return new FeedbackFigures(items.Count, resolved.Count, resolved.Count(f => !f.Late), items.Count(f => f.Late || f.PastDue(now)),
            items.Count - resolved.Count, Median([.. resolved.Select(f => (f.ResolvedAt!.Value - f.ReceivedAt).TotalHours)]));
    }

    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return Math.Round(median, 2);
    }
}
