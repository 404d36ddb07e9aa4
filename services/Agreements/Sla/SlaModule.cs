using JasperFx.Events.Projections;
using Marten;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

public sealed record SlaFigures(string StoreId, DateOnly From, DateOnly To, long Conversations, IReadOnlyList<MetricFigure> Metrics);

public static class SlaModule
{
    public const int MaxDays = 366;

    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<SlaStatusChanged>("sla.status-changed.v1");
        options.Projections.Snapshot<SlaMonth>(SnapshotLifecycle.Inline);
    }

    public static void MapSla(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/sla/stores/{storeId}/sla", async Task<IResult> (string storeId, string? from, string? to, IQuerySession session,
                HttpContext http, CancellationToken ct) =>
            {
                var errors = new Errors();
                if (SupportedDates.Range(from, to, MaxDays, errors) is not { } range) return Problems.Validation(errors.ToDecision().Errors);
                var (fromDate, toDate) = range;

                if (await AnswerVersions.ReadAsync(session, storeId, ct) is not { } versions) return StoresModule.NotOnboarded(storeId);
                if (ETags.NotModified(http, versions.Tag("sla", fromDate, toDate)) is { } notModified) return notModified;
                var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
                var days = await ConversationLedger.DailyAsync(session, storeId, fromDate, toDate, ct);
                var counts = days.Values.Aggregate(default(DailyCounts), (a, b) => a + b);
                var terms = contract?.TermsOn(toDate) ?? contract?.TermsOn(fromDate);
                return TypedResults.Ok(new SlaFigures(storeId, fromDate, toDate, counts.Conversations, SlaWatch.Figures(counts, terms)));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithTags("SLA").WithName("GetSla")
            .WithSummary("Every pinned SLA metric over store-local dates from..to (inclusive), with target and status (ops, or the store's key).")
            .WithDescription("SLA 指标带 ETag；带 If-None-Match 轮询，未变化时返回 304（无正文）。\n\n" +
                             "The answer carries an ETag; poll with If-None-Match and an unchanged answer is a 304 without a body.")
            .Produces<SlaFigures>(200).Produces(304).ProducesValidationProblem().ProducesProblem(404);
}
