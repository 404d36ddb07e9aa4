using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using System.Globalization;
using System.Text;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Reports;

[Description("之前某个月的实际值。 / The actual value of an earlier month.")]
public sealed record TrendPoint(
    [property: Description("月份 yyyy-MM。 / The month, yyyy-MM.")] string Month,
    [property: Description("该月实际值（无数据为 null）。 / That month's actual (null without data).")] double? Actual);

[Description("报告中一个有目标的指标。 / One targeted metric of the report.")]
public sealed record ReportLine(
    [property: Description("指标名。 / The metric's name.")] string Metric,
    [property: Description("合同目标。 / The contract's target.")] double Target,
    [property: Description("本月实际值（无数据为 null）。 / The month's actual (null without data).")] double? Actual,
    [property: Description("状态：met、atRisk、missed 或 noData。 / The status: met, atRisk, missed or noData.")] string Status,
    [property: Description("该目标在风险金中的分配百分比（20 即 20%）。 / The target's share of the at-risk pool, in percent (20 is 20 %).")] decimal AllocationPercent,
    [property: Description("本行的服务抵扣金额（未达标时为风险金 × 分配比例）。 / This line's service credit (pool × allocation when missed).")] decimal Credit,
    [property: Description("之前三个月的走势，旧的在前。 / The three earlier months, oldest first.")] IReadOnlyList<TrendPoint> Trend);

[Description("月度 SLA 报告与服务抵扣。 / The monthly SLA report with service credits.")]
public sealed record MonthlyReport(
    [property: Description("店铺 ID。 / The store's id.")] string StoreId,
    [property: Description("月份 yyyy-MM（店铺本地）。 / The month, yyyy-MM (store-local).")] string Month,
    [property: Description("该月生效的合同 ID。 / The contract in force that month.")] string ContractId,
    [property: Description("币种（ISO 4217）。 / The currency (ISO 4217).")] string Currency,
    [property: Description("月服务费。 / The monthly fee.")] decimal MonthlyFee,
    [property: Description("风险金占月费的百分比（10 即 10%）。 / The share of the fee at risk, in percent (10 is 10 %).")] decimal AtRiskPercent,
    [property: Description("风险金 = 月费 × 风险百分比。 / The at-risk pool: fee × at-risk percent.")] decimal AtRiskPool,
    [property: Description("本月服务抵扣合计，不超过风险金。 / The month's total credit, capped at the pool.")] decimal TotalCredit,
    [property: Description("本月开始的对话数。 / Conversations that started in the month.")] long Conversations,
    [property: Description("每个有目标的指标一行。 / One line per targeted metric.")] IReadOnlyList<ReportLine> Lines) : IExample<MonthlyReport>
{
    public static MonthlyReport Example => new(Vendor.ServiceDefaults.OpenApi.StoreApi.StoreIdExample, "2026-11", "ct-hz-tea-2026", "CNY", 100_000m, 10m, 10_000m, 2_000m, 18_240, [
        new ReportLine("firstResponseSeconds", 20, 24.8, "missed", 20m, 2_000m,
            [new TrendPoint("2026-08", 17.9), new TrendPoint("2026-09", 18.6), new TrendPoint("2026-10", 19.4)]),
        new ReportLine("satisfactionRate", 0.95, 0.962, "met", 30m, 0m,
            [new TrendPoint("2026-08", 0.958), new TrendPoint("2026-09", 0.961), new TrendPoint("2026-10", 0.955)]),
    ]);
}

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
