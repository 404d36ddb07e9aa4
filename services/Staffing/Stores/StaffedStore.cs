using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Stores;

/// <summary>Staffing learned of a client store from Agreements.</summary>
public sealed record StoreRegistered(string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt);

/// <summary>A store Staffing can roster agents on; stream <c>store:{storeId}</c> in the staffing schema.</summary>
public sealed record StaffedStore(string Id, string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt)
{
    public static string StreamKey(string storeId) => $"store:{storeId}";

    public static StaffedStore Create(IEvent<StoreRegistered> e) =>
        new(e.StreamKey!, e.Data.StoreId, e.Data.Name, e.Data.Platform, e.Data.TimeZone, e.Data.OnboardedAt);
}

public sealed class StoreOnboardedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.StoreOnboarded>(session, clock)
{
    protected override async Task Handle(Contracts.StoreOnboarded message, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<StaffedStore>(StaffedStore.StreamKey(message.StoreId), ct);
        if (stream.Aggregate is not null) return;
        stream.AppendOne(new StoreRegistered(message.StoreId, message.Name, message.Platform, message.TimeZone, message.OnboardedAt));
    }
}

public static class StoresModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<StoreRegistered>("store.registered.v1");
        options.Projections.Snapshot<StaffedStore>(SnapshotLifecycle.Inline);
    }

    public static void MapStores(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/staffing/stores", async (IQuerySession session, CancellationToken ct) =>
            {
                var stores = await session.Query<StaffedStore>().OrderBy(s => s.StoreId).ToListAsync(ct);
                return TypedResults.Ok(stores.Select(s => new { s.StoreId, s.Name, s.Platform, s.TimeZone, s.OnboardedAt }));
            })
            .RequireCaller(Roles.Ops)
            .WithTags("Stores").WithName("ListStaffedStores").WithSummary("Client stores known to Staffing (ops).");
}
