using Marten;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

/// <summary>One store-local day of a store: its conversations and every pinned metric with the target and status of the terms in force that day.</summary>
public sealed record SlaDay(DateOnly Date, long Conversations, IReadOnlyList<MetricFigure> Metrics);

public sealed record DailySlaFigures(string StoreId, DateOnly From, DateOnly To, IReadOnlyList<SlaDay> Days);

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
                var errors = new Errors();
                if (SupportedDates.Range(from, to, MaxDays, errors) is not { } range) return Problems.Validation(errors.ToDecision().Errors);
                var (fromDate, toDate) = range;

                if (await AnswerVersions.ReadAsync(session, storeId, ct) is not { } versions) return StoresModule.NotOnboarded(storeId);
                if (ETags.NotModified(http, versions.Tag("sla-daily", fromDate, toDate)) is { } notModified) return notModified;
                var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
                var days = await ConversationLedger.DailyAsync(session, storeId, fromDate, toDate, ct);
                return TypedResults.Ok(new DailySlaFigures(storeId, fromDate, toDate,
                    Series(fromDate, toDate, days, day => contract?.TermsOn(day))));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithTags("SLA").WithName("GetDailySla")
            .WithSummary("Each store-local day from..to (inclusive, at most 92 days): conversations and every pinned metric with the " +
                         "target and status of that day's terms (ops, or the store's key).")
            .WithDescription("按日 SLA 指标带 ETag；带 If-None-Match 轮询，未变化时返回 304（无正文）。\n\n" +
                             "The answer carries an ETag; poll with If-None-Match and an unchanged answer is a 304 without a body.")
            .Produces<DailySlaFigures>(200).Produces(304).ProducesValidationProblem().ProducesProblem(404);
}
