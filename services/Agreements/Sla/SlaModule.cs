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
                CancellationToken ct) =>
            {
                var errors = new Errors();
                if (SupportedDates.Range(from, to, MaxDays, errors) is not { } range) return Problems.Validation(errors.ToDecision().Errors);
                var (fromDate, toDate) = range;

                var store = await session.LoadAsync<Store>(Store.StreamKey(storeId), ct);
                if (store is null) return StoresModule.NotOnboarded(storeId);
                var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
                var days = await ConversationLedger.DailyAsync(session, storeId, fromDate, toDate, ct);
                var counts = days.Values.Aggregate(default(DailyCounts), (a, b) => a + b);
                var terms = contract?.TermsOn(toDate) ?? contract?.TermsOn(fromDate);
                return TypedResults.Ok(new SlaFigures(storeId, fromDate, toDate, counts.Conversations, SlaWatch.Figures(counts, terms)));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithTags("SLA").WithName("GetSla")
            .WithSummary("Every pinned SLA metric over store-local dates from..to (inclusive), with target and status (ops, or the store's key).")
            .ProducesValidationProblem().ProducesProblem(404);
}
