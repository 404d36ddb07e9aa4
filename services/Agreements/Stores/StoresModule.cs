using JasperFx.Events.Projections;
using Marten;
using Vendor.Agreements.Sla;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Stores;

public sealed record HoursView(
    [property: System.ComponentModel.Description("开始时间 HH:mm（店铺当地）。 / The start, HH:mm (store-local).")] string Start,
    [property: System.ComponentModel.Description("结束时间 HH:mm（店铺当地；不晚于开始即跨午夜）。 / The end, HH:mm (store-local; at or before the start runs past midnight).")] string End);

public sealed record StoreView(string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt,
    IReadOnlyList<HoursView> ServiceHours, IReadOnlyList<int> OpenDays, IReadOnlyList<DateOnly> Holidays,
    IReadOnlyList<DateOnly> MakeUpWorkdays, int SlowThresholdSeconds, DateTimeOffset CalendarEffectiveFrom)
{
    public static StoreView Of(Store s)
    {
        var c = s.Calendar;
        return new(s.StoreId, s.Name, s.Platform, s.TimeZone, s.OnboardedAt,
            c.ServiceHours.Select(b => new HoursView(b.Start.ToString("HH:mm"), b.End.ToString("HH:mm"))).ToList(),
            c.OpenDays, c.Holidays, c.MakeUpWorkdays, c.SlowThresholdSeconds, s.History[^1].EffectiveFrom);
    }
}

public static class StoresModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<StoreOnboarded>("store.onboarded.v1");
        options.Events.MapEventType<StoreCalendarChanged>("store.calendar-changed.v1");
        options.Projections.Snapshot<Store>(SnapshotLifecycle.Inline);
    }

    public static void MapStores(this IEndpointRouteBuilder app)
    {
        var stores = app.MapGroup("/api/sla/stores").WithTags("Stores");

        stores.MapPost("/", async Task<IResult> (OnboardStore command, IDocumentStore store, HttpContext http, TimeProvider clock, CancellationToken ct) =>
            {
                var (decision, state) = await store.DecideAsync<Store>(Store.StreamKey(command.StoreId ?? ""),
                    existing => StoreDecisions.Onboard(existing, command, clock.GetUtcNow()), null, ct);
                return decision.Refusal() ?? Stored(http, state!, created: decision is Decision.Append);
            })
            .RequireCaller(Roles.Ops)
            .WithName("OnboardStore").WithSummary("Onboard a client store with its service calendar (ops).")
            .ProducesValidationProblem().ProducesProblem(409);

        stores.MapGet("/", async (IQuerySession session, CancellationToken ct) =>
            {
                var all = await session.Query<Store>().OrderBy(s => s.StoreId).ToListAsync(ct);
                return TypedResults.Ok(all.Select(StoreView.Of));
            })
            .RequireCaller(Roles.Ops)
            .WithName("ListStores").WithSummary("All client stores (ops).");

        stores.MapGet("/{storeId}", async Task<IResult> (string storeId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var store = await session.LoadAsync<Store>(Store.StreamKey(storeId), ct);
                return store is null ? NotOnboarded(storeId) : Stored(http, store, created: false);
            })
            .RequireCaller(Roles.Ops)
            .WithName("GetStore").WithSummary("One client store with its service calendar (ops).")
            .ProducesProblem(404);

        stores.MapPut("/{storeId}/calendar", async Task<IResult> (string storeId, ChangeCalendar command, IDocumentStore store,
                HttpContext http, TimeProvider clock, CancellationToken ct) =>
            {
                var (decision, state) = await store.DecideAsync<Store>(Store.StreamKey(storeId),
                    existing => existing is null ? new Decision.Conflict("") : StoreDecisions.ChangeCalendar(existing, command, clock.GetUtcNow()),
                    ETags.IfMatch(http.Request), ct);
                if (state is null) return NotOnboarded(storeId);
                return decision.Refusal() ?? Stored(http, state, created: false);
            })
            .RequireCaller(Roles.Ops)
            .WithName("ChangeStoreCalendar").WithSummary("Change a store's service calendar from now on (ops; honours If-Match).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412);
    }

    public static IResult NotOnboarded(string storeId) => Problems.NotFound($"Store '{storeId}' is not onboarded.", ProblemCatalogue.StoreNotOnboarded);

    private static IResult Stored(HttpContext http, Store store, bool created)
    {
        ETags.Set(http.Response, store.Version);
        var view = StoreView.Of(store);
        return created ? TypedResults.Created($"/api/sla/stores/{store.StoreId}", view) : TypedResults.Ok(view);
    }
}
