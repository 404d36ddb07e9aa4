using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Stores;

public sealed record StoreView(string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt)
{
    public static StoreView Of(Store s) => new(s.StoreId, s.Name, s.Platform, s.TimeZone, s.OnboardedAt);
}

public static class StoresModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<StoreOnboarded>("store.onboarded.v1");
        options.Projections.Snapshot<Store>(SnapshotLifecycle.Inline);
    }

    public static void MapStores(this IEndpointRouteBuilder app)
    {
        var stores = app.MapGroup("/api/sla/stores").WithTags("Stores");

        stores.MapPost("/", async Task<IResult> (OnboardStore command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
            {
                var storeId = command.StoreId ?? "";
                var stream = await session.Events.FetchForWriting<Store>(Store.StreamKey(storeId), ct);
                var decision = StoreDecisions.Onboard(stream.Aggregate, command, clock.GetUtcNow());
                if (decision.Refusal() is { } refusal) return refusal;
                if (decision is not Decision.Append append) return Stored(stream.Aggregate!, created: false);
                stream.AppendMany(append.Events);
                await session.SaveChangesAsync(ct);
                return Stored((await session.LoadAsync<Store>(Store.StreamKey(storeId), ct))!, created: true);
            })
            .RequireCaller(Roles.Ops)
            .WithName("OnboardStore").WithSummary("Onboard a client store (ops).")
            .ProducesValidationProblem().ProducesProblem(409);

        stores.MapGet("/", async (IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var all = await session.Query<Store>().OrderBy(s => s.StoreId).ToListAsync(ct);
                return TypedResults.Ok(all.Select(StoreView.Of));
            })
            .RequireCaller(Roles.Ops)
            .WithName("ListStores").WithSummary("All client stores (ops).");

        stores.MapGet("/{storeId}", async Task<IResult> (string storeId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var store = await session.LoadAsync<Store>(Store.StreamKey(storeId), ct);
                if (store is null) return Problems.NotFound($"Store '{storeId}' is not onboarded.");
                http.Response.Headers.ETag = $"\"{store.Version}\"";
                return TypedResults.Ok(StoreView.Of(store));
            })
            .RequireCaller(Roles.Ops, Roles.Store, Roles.Ingest)
            .WithName("GetStore").WithSummary("One client store (ops, or a key of that store).")
            .ProducesProblem(404);
    }

    private static IResult Stored(Store store, bool created)
    {
        var view = StoreView.Of(store);
        return created
            ? TypedResults.Created($"/api/sla/stores/{store.StoreId}", view)
            : TypedResults.Ok(view);
    }
}
