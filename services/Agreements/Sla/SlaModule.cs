using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using JasperFx.Events.Projections;
using Marten;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

[Description("店铺在一段本地日期内的全部 SLA 指标。 / Every SLA metric of a store over store-local dates.")]
public sealed record SlaFigures(
    [property: Description("店铺 ID。 / The store's id.")] string StoreId,
    [property: Description("起始日期（店铺本地，含）。 / The first store-local date (inclusive).")] DateOnly From,
    [property: Description("结束日期（店铺本地，含）。 / The last store-local date (inclusive).")] DateOnly To,
    [property: Description("期间内开始的对话数。 / Conversations that started in the period.")] long Conversations,
    [property: Description("每个固定 SLA 指标。 / Every pinned SLA metric.")] IReadOnlyList<MetricFigure> Metrics) : IExample<SlaFigures>
{
    public static SlaFigures Example => new(StoreApi.StoreIdExample, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), 18_240, [
        new MetricFigure("firstResponseSeconds", 14.2, 20, "met", 17_842),
        new MetricFigure("missedRate", 0.021, 0.03, "atRisk", 18_240),
        new MetricFigure("satisfactionRate", 0.962, 0.95, "met", 5_133),
        new MetricFigure("qcScore", null, null, null, 0),
    ]);
}

/// <summary>What an SLA answer over a period is made from: the dates, the store's contract and its rollups of those days.</summary>
public sealed record SlaPeriod(DateOnly From, DateOnly To, ServiceContract? Contract, SortedDictionary<DateOnly, DailyCounts> Days);

public static class SlaModule
{
    public const int MaxDays = 366;

    public const string TagDescription = "SLA 指标：按店铺本地日期统计的响应、漏接、解决、转化、满意度和质检指标。 / SLA figures: response, " +
                                         "missed, resolution, conversion, satisfaction and QC metrics over store-local dates.";

    /// <summary>
    /// Validates from..to (at most <paramref name="maxDays"/>), then answers 404 for an unknown store or 304 when the client holds
    /// the current <paramref name="answer"/>; otherwise loads the contract and the period's rollups.
    /// </summary>
    public static async Task<(SlaPeriod? Period, IResult? Answer)> LoadPeriodAsync(string storeId, string? from, string? to, int maxDays,
        string answer, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        var errors = new Errors();
        if (SupportedDates.Range(from, to, maxDays, errors) is not var (fromDate, toDate)) return (null, Problems.Validation(errors.ToDecision().Errors));
        if (await AnswerVersions.ReadAsync(session, storeId, ct) is not { } versions) return (null, StoresModule.NotOnboarded(storeId));
        if (ETags.NotModified(http, versions.Tag(answer, fromDate, toDate)) is { } notModified) return (null, notModified);
        var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
        return (new SlaPeriod(fromDate, toDate, contract, await ConversationLedger.DailyAsync(session, storeId, fromDate, toDate, ct)), null);
    }

    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<SlaStatusChanged>("sla.status-changed.v1");
        options.Listeners.Add(new CommittedFigures());
        options.Projections.Snapshot<SlaMonth>(SnapshotLifecycle.Inline);
    }

    public static void MapSla(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/sla/stores/{storeId}/sla", async Task<IResult> (string storeId, string? from, string? to, IQuerySession session,
                HttpContext http, CancellationToken ct) =>
            {
                var (period, ended) = await LoadPeriodAsync(storeId, from, to, MaxDays, "sla", session, http, ct);
                if (period is null) return ended!;
                var (fromDate, toDate, contract, days) = period;
                var counts = days.Values.Aggregate(default(DailyCounts), (a, b) => a + b);
                var terms = contract?.TermsOn(toDate) ?? contract?.TermsOn(fromDate);
                return TypedResults.Ok(new SlaFigures(storeId, fromDate, toDate, counts.Conversations, SlaWatch.Figures(counts, terms)));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("SLA", TagDescription).WithName("GetSla")
            .WithSummary("Every pinned SLA metric over store-local dates from..to (inclusive), with target and status (ops, or the store's key).")
            .WithDescription("店铺在 from 到 to（店铺本地日期，含首尾，最多 366 天）内开始的对话的全部固定 SLA 指标，附合同目标与状态" +
                             "（met、atRisk、missed、noData）。比率为 0-1 的小数，时间为秒。带 ETag；带 If-None-Match 轮询，未变化时返回 304（无正文）。\n\n" +
                             "Every pinned SLA metric over the conversations that started from..to (store-local dates, inclusive, at most " +
                             "366 days), with the contract's target and status (met, atRisk, missed, noData). Rates are fractions 0-1, times seconds. The answer carries an ETag: poll with If-None-Match and an unchanged answer is a 304 without a body.")
            .Parameter("from", "起始日期 yyyy-MM-dd（店铺本地，含；必填）。 / The first date, yyyy-MM-dd (store-local, inclusive; required).", "2026-11-01")
            .Parameter("to", "结束日期 yyyy-MM-dd（店铺本地，含；必填，不早于 from）。 / The last date, yyyy-MM-dd (store-local, inclusive; required, not before from).", "2026-11-30")
            .Produces<SlaFigures>(200).PolledWithETag("sla-3q2x0Yf1kV9mZr8QeT4bNw")
            .ProducesValidationProblem().Problem(404, ProblemCatalogue.StoreNotOnboarded);
}
