using System.Globalization;
using System.Text;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Reports;

public sealed record TrendPoint(string Month, double? Actual);

public sealed record ReportLine(string Metric, double Target, double? Actual, string Status, decimal AllocationPercent, decimal Credit,
    IReadOnlyList<TrendPoint> Trend);

public sealed record MonthlyReport(string StoreId, string Month, string ContractId, string Currency, decimal MonthlyFee, decimal AtRiskPercent,
    decimal AtRiskPool, decimal TotalCredit, long Conversations, IReadOnlyList<ReportLine> Lines);

public static class MonthlyReports
{
    /// <summary>
    /// Lines for the targets of the terms in force that month. A missed line costs pool × allocation; the total is capped
    /// at the pool (DOMAIN.md, "Service credits"). Trend: the actuals of up to three earlier months that have data.
    /// </summary>
    public static MonthlyReport Build(string storeId, string month, string contractId, ContractTerms terms, DailyCounts counts,
        IReadOnlyList<(string Month, DailyCounts Counts)> earlier)
    {
        var pool = terms.AtRiskPool;
        var lines = terms.Targets.Select(t =>
        {
            var exact = counts.Actual(t.Metric);
            var actual = exact is { } a ? Math.Round(a, 4) : (double?)null;
            var status = MetricStatus.Of(t.Metric, exact, t.Target, terms.WarningMarginPercent);
            var credit = status == MetricStatus.Missed ? Math.Round(pool * t.AllocationPercent / 100m, 2) : 0m;
            var trend = earlier
                .Select(e => new TrendPoint(e.Month, e.Counts.Actual(t.Metric) is { } v ? Math.Round(v, 4) : null))
                .Where(p => p.Actual is not null).TakeLast(3).ToList();
            return new ReportLine(t.Metric, t.Target, actual, status, t.AllocationPercent, credit, trend);
        }).ToList();
        return new MonthlyReport(storeId, month, contractId, terms.Currency, terms.MonthlyFee, terms.AtRiskPercent, pool,
            Math.Min(pool, lines.Sum(l => l.Credit)), counts.Conversations, lines);
    }

    public static string Csv(MonthlyReport report)
    {
        var csv = new StringBuilder();
        csv.AppendLine("storeId,month,metric,target,actual,status,allocationPercent,credit,currency,trend");
        foreach (var l in report.Lines)
            csv.AppendLine(string.Join(',', report.StoreId, report.Month, l.Metric, Number(l.Target), l.Actual is { } a ? Number(a) : "",
                l.Status, l.AllocationPercent.ToString(CultureInfo.InvariantCulture), l.Credit.ToString("0.00", CultureInfo.InvariantCulture),
                report.Currency, string.Join(' ', l.Trend.Select(p => $"{p.Month}={Number(p.Actual!.Value)}"))));
        csv.AppendLine(string.Join(',', report.StoreId, report.Month, "total", "", "", "", "",
            report.TotalCredit.ToString("0.00", CultureInfo.InvariantCulture), report.Currency, ""));
        return csv.ToString();
    }

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
