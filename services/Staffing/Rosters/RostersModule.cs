using System.Text.Json;
using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Rosters;

public sealed record ShiftView(string AgentId, string Start, string End, string Skill, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

public sealed record RosterView(string StoreId, DateOnly Date, IReadOnlyList<ShiftView> Shifts)
{
    public static RosterView Of(string storeId, DateOnly date, Roster? r) =>
        new(storeId, date, (r?.Shifts ?? []).Select(s => new ShiftView(s.AgentId, s.Start, s.End, s.Skill, s.StartsAt, s.EndsAt)).ToList());
}

public static class RostersModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<RosterPublished>("roster.published.v1");
        options.Events.MapEventType<RosterChangedByPlan>("roster.changed-by-plan.v1");
        options.Projections.Snapshot<Roster>(SnapshotLifecycle.Inline);
        options.Schema.For<Roster>().Index(r => r.Date);
    }

    /// <summary>
    /// Serialises roster writes touching the same days (the working-time rules look one day either side), so two stores'
    /// rosters cannot give one agent overlapping shifts at the same moment. Locks are taken in date order: no deadlock.
    /// </summary>
    public static async Task LockDaysAsync(IDocumentSession session, DateOnly date, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        foreach (var day in new[] { date.AddDays(-1), date, date.AddDays(1) })
            await session.HoldForTransactionAsync($"roster-day:{day:yyyy-MM-dd}", ct);
    }

    /// <summary>Shifts on every store's rosters from the day before to the day after.</summary>
    public static async Task<IReadOnlyList<OtherShift>> ShiftsAroundAsync(IQuerySession session, DateOnly date, CancellationToken ct)
    {
        var (from, to) = (date.AddDays(-1), date.AddDays(1));
        var rosters = await session.Query<Roster>().Where(r => r.Date >= from && r.Date <= to).ToListAsync(ct);
        return rosters.SelectMany(r => r.Shifts.Select(s => new OtherShift(r.StoreId, r.Date, s))).ToList();
    }

    public static void MapRosters(this IEndpointRouteBuilder app)
    {
        var rosters = app.MapGroup("/api/staffing/stores/{storeId}/roster").WithTags("Rosters").RequireCaller(Roles.Ops);

        rosters.MapPut("/{date}", async Task<IResult> (string storeId, string date, HttpRequest request, IDocumentStore documents,
                TimeProvider clock, CancellationToken ct) =>
            {
                if (!OpeningHours.TryParseDate(date, out var day)) return StoresModule.BadDate();
                var input = await ReadShiftsAsync(request, ct);
                if (input.Problem is { } bad) return bad;

                await using var session = documents.LightweightSession();
                var store = await session.LoadAsync<StaffedStore>(StaffedStore.StreamKey(storeId), ct);
                if (store is null) return StoresModule.NotKnown(storeId);
                await LockDaysAsync(session, day, ct);
                var stream = await session.Events.FetchForWriting<Roster>(Roster.StreamKey(storeId, day), ct);
                if (ETags.IfMatch(request) is { } expected && expected != (stream.CurrentVersion ?? 0))
                    return ETags.PreconditionFailed(stream.CurrentVersion ?? 0);
                var ids = input.Shifts!.Select(s => s?.AgentId).OfType<string>().Distinct().Select(Agent.StreamKey).ToList();
                var agents = (await session.LoadManyAsync<Agent>(ct, ids)).ToDictionary(a => a.AgentId);
                var decision = RosterRules.Publish(stream.Aggregate, store, day, input.Shifts, agents, await ShiftsAroundAsync(session, day, ct),
                    clock.GetUtcNow());
                if (decision.Refusal() is { } refusal) return refusal;
                if (decision is Decision.Append append)
                {
                    stream.AppendMany(append.Events);
                    await session.SaveChangesAsync(ct);
                }
                var roster = await session.LoadAsync<Roster>(Roster.StreamKey(storeId, day), ct);
                ETags.Set(request.HttpContext.Response, roster?.Version ?? 0);
                return TypedResults.Ok(RosterView.Of(storeId, day, roster));
            })
            .WithName("PublishRoster")
            .WithSummary("Publish the shifts of a store-local day (replaces the day's roster; ops; If-Match). Refused with reasons when a rule is broken.")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412);

        rosters.MapGet("/{date}", async Task<IResult> (string storeId, string date, IQuerySession session, HttpResponse response,
                CancellationToken ct) =>
            {
                if (!OpeningHours.TryParseDate(date, out var day)) return StoresModule.BadDate();
                if (await session.LoadAsync<StaffedStore>(StaffedStore.StreamKey(storeId), ct) is null) return StoresModule.NotKnown(storeId);
                var roster = await session.LoadAsync<Roster>(Roster.StreamKey(storeId, day), ct);
                ETags.Set(response, roster?.Version ?? 0);
                return TypedResults.Ok(RosterView.Of(storeId, day, roster));
            })
            .WithName("GetRoster").WithSummary("The shifts of a store-local day (ops).").ProducesProblem(404);
    }

    /// <summary>The body is the list of shifts, or an object with a "shifts" list.</summary>
    private static async Task<(IReadOnlyList<ShiftInput?>? Shifts, IResult? Problem)> ReadShiftsAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
            var list = body.RootElement.ValueKind switch
            {
                JsonValueKind.Array => body.RootElement,
                JsonValueKind.Object when body.RootElement.TryGetProperty("shifts", out var shifts) && shifts.ValueKind == JsonValueKind.Array => shifts,
                _ => (JsonElement?)null,
            };
            if (list is null)
                return (null, Problems.Validation(new Dictionary<string, string[]> { ["shifts"] = ["Required: a list of shifts, or { \"shifts\": [...] }."] }));
            return (list.Value.Deserialize<List<ShiftInput?>>(JsonSerializerOptions.Web), null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Result(StatusCodes.Status400BadRequest, "Bad request", $"The body is not valid JSON for shifts: {e.Message}"));
        }
    }
}
