using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Inspectors;

/// <summary>A QC inspector (质检员): the stores they review (none listed = all) and whether they are senior (may decide disputes).</summary>
public sealed record InspectorSaved(string InspectorId, string Name, bool Senior, IReadOnlyList<string> StoreIds, bool Active, DateTimeOffset At);

/// <summary>Stream <c>inspector:{inspectorId}</c>, kept as an inline snapshot.</summary>
public sealed record Inspector(string Id, string InspectorId, string Name, bool Senior, IReadOnlyList<string> StoreIds, bool Active, long Version)
{
    public static string StreamKey(string inspectorId) => $"inspector:{inspectorId}";

    public bool Covers(string storeId) => StoreIds.Count == 0 || StoreIds.Contains(storeId);

    public static Inspector Create(IEvent<InspectorSaved> e) =>
        new(e.StreamKey!, e.Data.InspectorId, e.Data.Name, e.Data.Senior, e.Data.StoreIds, e.Data.Active, e.Version);

    public Inspector Apply(IEvent<InspectorSaved> e) =>
        this with { Name = e.Data.Name, Senior = e.Data.Senior, StoreIds = e.Data.StoreIds, Active = e.Data.Active, Version = e.Version };
}

public sealed record SaveInspector(string? Name, bool? Senior, IReadOnlyList<string>? StoreIds, bool? Active);

public static class InspectorDecisions
{
    public static Decision Save(Inspector? existing, string inspectorId, SaveInspector command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(inspectorId), "inspectorId", Ids.Rule)
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Length <= 100, "name", "A name of 1–100 characters is required.")
            .Check(command.StoreIds is null || command.StoreIds.All(Ids.IsValid), "storeIds", "Every store id must be a valid id.");
        if (errors.Any) return errors.ToDecision();
        var saved = new InspectorSaved(inspectorId, command.Name!.Trim(), command.Senior ?? false,
            [.. (command.StoreIds ?? []).Distinct().Order(StringComparer.Ordinal)], command.Active ?? true, now);
        return existing is not null && existing.Name == saved.Name && existing.Senior == saved.Senior && existing.Active == saved.Active
               && existing.StoreIds.SequenceEqual(saved.StoreIds)
            ? new Decision.Unchanged()
            : Decision.Of(saved);
    }
}

public static class InspectorsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<InspectorSaved>("inspector.saved.v1");
        options.Projections.Snapshot<Inspector>(SnapshotLifecycle.Inline);
    }

    public static async Task<IReadOnlyList<Inspector>> ActiveAsync(IQuerySession session, CancellationToken ct) =>
        await session.Query<Inspector>().Where(i => i.Active).ToListAsync(ct);

    private static object View(Inspector i) => new { i.InspectorId, i.Name, i.Senior, i.StoreIds, i.Active };

    public static void MapInspectors(this IEndpointRouteBuilder app)
    {
        var inspectors = app.MapGroup("/api/quality/inspectors").WithTags("QC").RequireCaller(Roles.Ops);

        inspectors.MapPut("/{inspectorId}", async Task<IResult> (string inspectorId, SaveInspector command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                var (decision, inspector) = await store.DecideAsync<Inspector>(Inspector.StreamKey(inspectorId),
                    existing => InspectorDecisions.Save(existing, inspectorId, command, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, inspector!.Version);
                return TypedResults.Ok(View(inspector));
            })
            .WithName("SaveInspector").WithSummary("Register or change a QC inspector: stores covered (none = all), senior, active (ops).")
            .ProducesValidationProblem().ProducesProblem(412);

        inspectors.MapGet("/", async (IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await session.Query<Inspector>().OrderBy(i => i.InspectorId).ToListAsync(ct)).Select(View)))
            .WithName("ListInspectors").WithSummary("QC inspectors (ops).");
    }
}
