using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Stores;

public sealed class StoreOnboardedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.StoreOnboarded>(session, clock)
{
    protected override async Task Handle(Contracts.StoreOnboarded message, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<StaffedStore>(StaffedStore.StreamKey(message.StoreId), ct);
        if (stream.Aggregate is not null) return;
        stream.AppendOne(new StoreRegistered(message.StoreId, message.Name, message.Platform, message.TimeZone, message.OnboardedAt,
            message.Calendar));
    }
}

public sealed class StoreCalendarChangedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.StoreCalendarChanged>(session, clock)
{
    protected override async Task Handle(Contracts.StoreCalendarChanged message, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.FetchExistingAsync<StaffedStore>(StaffedStore.StreamKey(message.StoreId), ct);
        stream.AppendOne(new StoreCalendarUpdated(message.StoreId, message.Calendar, message.EffectiveFrom));
    }
}

public sealed class StoreContractChangedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.StoreContractChanged>(session, clock)
{
    protected override async Task Handle(Contracts.StoreContractChanged message, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.FetchExistingAsync<StaffedStore>(StaffedStore.StreamKey(message.StoreId), ct);
        stream.AppendOne(new StoreContractUpdated(message.StoreId, message.Status,
            new Headcount(message.Presales, message.Aftersales, message.Hotline), message.ThreeMinuteResponseTarget, message.EffectiveOn));
    }
}

/// <summary>The body of PUT /api/staffing/stores/{storeId}/campaigns.</summary>
public sealed record SetCampaigns(IReadOnlyList<CampaignInput?>? Campaigns);

public sealed record CampaignInput(string? Name, DateOnly? From, DateOnly? To, double? Multiplier);

public sealed record StaffedStoreView(string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt,
    Contracts.StoreCalendar Calendar, string ContractStatus, Headcount Headcount, double? ThreeMinuteResponseTarget,
    IReadOnlyList<Campaign> Campaigns)
{
    public static StaffedStoreView Of(StaffedStore s, DateTimeOffset now) => new(s.StoreId, s.Name, s.Platform, s.TimeZone, s.OnboardedAt,
        s.CalendarAt(now), s.ContractStatus, s.ContractedHeadcount, s.ThreeMinuteResponseTarget, s.Campaigns ?? []);
}

public static class StoreDecisions
{
    public const double MaxMultiplier = 20;

    /// <summary>Replace the store's campaigns: names, inclusive date ranges, multipliers in (0, 20].</summary>
    public static Decision SetCampaigns(StaffedStore? store, SetCampaigns command, DateTimeOffset now)
    {
        if (store is null) return new Decision.Conflict("Store unknown to Staffing.");
        var errors = new Errors();
        var list = command.Campaigns ?? [];
        errors.Check(command.Campaigns is not null, "campaigns", "Required: a list (empty to clear).");
        errors.Check(list.Count <= 100, "campaigns", "At most 100 campaigns.");
        for (var i = 0; i < list.Count; i++)
        {
            var c = list[i];
            errors.Check(!string.IsNullOrWhiteSpace(c?.Name) && c.Name.Trim().Length <= 100, $"campaigns[{i}].name", "Required, at most 100 characters.")
                .Check(c?.From is not null, $"campaigns[{i}].from", "Required date, yyyy-MM-dd.")
                .Check(c?.To is not null && (c.From is null || c.To >= c.From), $"campaigns[{i}].to", "Required date, not before 'from'.")
                .Check(c?.Multiplier is > 0 and <= MaxMultiplier, $"campaigns[{i}].multiplier", $"Required, above 0 and at most {MaxMultiplier}.");
        }
        if (errors.Any) return errors.ToDecision();
        var campaigns = list.Select(c => new Campaign(c!.Name!.Trim(), c.From!.Value, c.To!.Value, c.Multiplier!.Value)).ToList();
        return campaigns.SequenceEqual(store.Campaigns ?? []) ? new Decision.Unchanged() : Decision.Of(new CampaignsSet(store.StoreId, campaigns, now));
    }
}

public static class StoresModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<StoreRegistered>("store.registered.v1");
        options.Events.MapEventType<StoreCalendarUpdated>("store.calendar-updated.v1");
        options.Events.MapEventType<StoreContractUpdated>("store.contract-updated.v1");
        options.Events.MapEventType<CampaignsSet>("store.campaigns-set.v1");
        options.Projections.Snapshot<StaffedStore>(SnapshotLifecycle.Inline);
    }

    public static IResult BadDate() => Problems.Validation(new Dictionary<string, string[]> { ["date"] = [OpeningHours.DateRule] });

    public static IResult NotKnown(string storeId) => Problems.NotFound($"Store '{storeId}' is not known to Staffing (onboard it in Agreements).");

    public static void MapStores(this IEndpointRouteBuilder app)
    {
        var stores = app.MapGroup("/api/staffing/stores").WithTags("Stores").RequireCaller(Roles.Ops);

        stores.MapGet("/", async (IQuerySession session, TimeProvider clock, CancellationToken ct) =>
            {
                var all = await session.Query<StaffedStore>().OrderBy(s => s.StoreId).ToListAsync(ct);
                return TypedResults.Ok(all.Select(s => StaffedStoreView.Of(s, clock.GetUtcNow())));
            })
            .WithName("ListStaffedStores").WithSummary("Client stores known to Staffing, with calendar, headcount and campaigns (ops).");

        stores.MapGet("/{storeId}", async Task<IResult> (string storeId, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
                await session.LoadAsync<StaffedStore>(StaffedStore.StreamKey(storeId), ct) is { } store
                    ? TypedResults.Ok(StaffedStoreView.Of(store, clock.GetUtcNow()))
                    : NotKnown(storeId))
            .WithName("GetStaffedStore").WithSummary("One store as Staffing sees it (ops).").ProducesProblem(404);

        stores.MapPut("/{storeId}/campaigns", async Task<IResult> (string storeId, SetCampaigns command, IDocumentStore store,
                TimeProvider clock, CancellationToken ct) =>
            {
                var (decision, state) = await store.DecideAsync<StaffedStore>(StaffedStore.StreamKey(storeId),
                    existing => StoreDecisions.SetCampaigns(existing, command, clock.GetUtcNow()), null, ct);
                if (state is null) return NotKnown(storeId);
                return decision.Refusal() ?? TypedResults.Ok(state.Campaigns ?? []);
            })
            .WithName("SetCampaigns").WithSummary("Replace the store's campaign demand multipliers (双11, 618) (ops).")
            .ProducesValidationProblem().ProducesProblem(404);
    }
}
