using Vendor.ServiceDefaults.OpenApi;
using System.ComponentModel;
using System.Globalization;

namespace Vendor.Quality.Feedback;

/// <summary>Figures of the feedback received in one month (a cohort: each item counts in the month it arrived, with its state now).</summary>
/// <param name="Overdue">Items that missed a due time: flagged, resolved late, or past due unresolved now.</param>
/// <param name="MedianHoursToResolve">From receipt to the (last) resolution, wall clock; null when none is resolved.</param>
[Description("一组反馈的统计。 / Figures of a set of feedback.")]
public sealed record FeedbackFigures(
    [property: Description("收到的数量。 / How many were received.")] int Received,
    [property: Description("已解决的数量。 / How many are resolved.")] int Resolved,
    [property: Description("按期解决的数量。 / How many were resolved in time.")] int ResolvedInTime,
    [property: Description("超期的数量（已标记、逾期解决或现在逾期未解决）。 / How many missed a due time (flagged, resolved late, or past due now).")] int Overdue,
    [property: Description("未解决的数量。 / How many are unresolved.")] int Unresolved,
    [property: Description("从受理到解决的小时数中位数（没有已解决的为 null）。 / The median hours from receipt to resolution (null when none is resolved).")] double? MedianHoursToResolve);

[Description("店铺一个月的反馈汇总（按受理月份，Asia/Shanghai）。 / A store's feedback of one month (by month received, Asia/Shanghai).")]
public sealed record FeedbackMonthSummary(
    [property: Description("店铺 ID。 / The store's id.")] string StoreId,
    [property: Description("月份 yyyy-MM。 / The month, yyyy-MM.")] string Month,
    [property: Description("计算月份所用时区。 / The time zone of the months.")] string TimeZone,
    [property: Description("月初时刻。 / The month's first instant.")] DateTimeOffset From,
    [property: Description("下月初时刻（不含）。 / The next month's first instant (exclusive).")] DateTimeOffset To,
    [property: Description("合计。 / In total.")] FeedbackFigures Total,
    [property: Description("按类型统计。 / By kind.")] IReadOnlyDictionary<string, FeedbackFigures> ByKind) : IExample<FeedbackMonthSummary>
{
    public static FeedbackMonthSummary Example => new(StoreApi.StoreIdExample, "2026-11", "Asia/Shanghai",
        new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.FromHours(8)), new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.FromHours(8)),
        new FeedbackFigures(12, 10, 9, 2, 2, 5.5),
        new Dictionary<string, FeedbackFigures> { ["complaint"] = new(7, 6, 5, 2, 1, 6), ["wrongAnswer"] = new(5, 4, 4, 0, 1, 3.5) });
}

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
