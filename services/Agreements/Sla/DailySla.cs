using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using Marten;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

/// <summary>One store-local day of a store: its conversations and every pinned metric with the target and status of the terms in force that day.</summary>
[Description("店铺的一个本地日。 / One store-local day.")]
public sealed record SlaDay(
    [property: Description("店铺本地日期。 / The store-local date.")] DateOnly Date,
    [property: Description("当天开始的对话数。 / Conversations that started that day.")] long Conversations,
    [property: Description("当天的每个指标，按当天生效的合同条款。 / Every metric of the day, under that day's contract terms.")] IReadOnlyList<MetricFigure> Metrics);

[Description("按日的 SLA 指标序列。 / The SLA metrics day by day.")]
public sealed record DailySlaFigures(
    [property: Description("店铺 ID。 / The store's id.")] string StoreId,
    [property: Description("起始日期（店铺本地，含）。 / The first store-local date (inclusive).")] DateOnly From,
    [property: Description("结束日期（店铺本地，含）。 / The last store-local date (inclusive).")] DateOnly To,
    [property: Description("从 from 到 to 的每一天，按顺序。 / Every day from..to, in order.")] IReadOnlyList<SlaDay> Days) : IExample<DailySlaFigures>
{
    public static DailySlaFigures Example => new(StoreApi.StoreIdExample, new DateOnly(2026, 11, 11), new DateOnly(2026, 11, 11), [
        new SlaDay(new DateOnly(2026, 11, 11), 2_310, [
            new MetricFigure("firstResponseSeconds", 31.5, 20, "missed", 2_204),
            new MetricFigure("missedRate", 0.018, 0.03, "met", 2_310),
        ]),
    ]);
}

/// <summary>The per-day series behind the dashboard's trend charts, served from the per-store/day rollups (sla_daily).</summary>
public static class DailySla
{
    /// <summary>At most a quarter of days a request: one chart's worth.</summary>
    public const int MaxDays = 92;

    /// <summary>Every day from..to, in order; a day without conversations has zero conversations and metrics without actuals (pure).</summary>
    public static IReadOnlyList<SlaDay> Series(DateOnly from, DateOnly to, IReadOnlyDictionary<DateOnly, DailyCounts> days,
        Func<DateOnly, ContractTerms?> termsOn)
    {
        var series = new List<SlaDay>(to.DayNumber - from.DayNumber + 1);
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var counts = days.TryGetValue(day, out var c) ? c : default;
            series.Add(new SlaDay(day, counts.Conversations, SlaWatch.Figures(counts, termsOn(day))));
        }
        return series;
    }

    public static void MapDailySla(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/sla/stores/{storeId}/sla/daily", async Task<IResult> (string storeId, string? from, string? to, IQuerySession session,
                HttpContext http, CancellationToken ct) =>
            {
                var (period, ended) = await SlaModule.LoadPeriodAsync(storeId, from, to, MaxDays, "sla-daily", session, http, ct);
                if (period is null) return ended!;
                return TypedResults.Ok(new DailySlaFigures(storeId, period.From, period.To,
                    Series(period.From, period.To, period.Days, day => period.Contract?.TermsOn(day))));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("SLA", SlaModule.TagDescription).WithName("GetDailySla")
            .WithDescription("from 到 to（含，最多 92 天）的每个店铺本地日：对话数和每个固定指标，按当天生效的合同条款给出目标与状态。\n\n" +
                             "Each store-local day from..to (inclusive, at most 92 days): its conversations and every pinned metric with the " +
                             "target and status of the terms in force that day.")
            .Parameter("from", "起始日期 yyyy-MM-dd（店铺本地，含；必填）。 / The first date, yyyy-MM-dd (store-local, inclusive; required).", "2026-11-11")
            .Parameter("to", "结束日期 yyyy-MM-dd（店铺本地，含；必填，不早于 from）。 / The last date, yyyy-MM-dd (store-local, inclusive; required, not before from).", "2026-11-11")
            .Produces<DailySlaFigures>(200)
            .WithSummary("Each store-local day from..to (inclusive, at most 92 days): conversations and every pinned metric with the " +
                         "target and status of that day's terms (ops, or the store's key).")
            .PolledWithETag("daily-7kx0Yf1kV9mZr8QeT4bNw")
            .ProducesValidationProblem().Problem(404, ProblemCatalogue.StoreNotOnboarded);
}
