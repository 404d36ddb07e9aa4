using JasperFx.Events.Projections;
using Marten;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.ServiceContracts;

public sealed record ContractView(string StoreId, string ContractId, string Status, DateOnly TermsEffectiveOn, decimal MonthlyFee,
    string Currency, decimal AtRiskPercent, decimal AtRiskPool, decimal WarningMarginPercent, DateOnly StartsOn, DateOnly EndsOn,
    double AttributionHours, Headcount Headcount, IReadOnlyList<SlaTarget> Targets, DateOnly? TerminatedOn)
{
    public static ContractView Of(ServiceContract c)
    {
        var t = c.Terms;
        return new(c.StoreId, c.ContractId, c.Status, c.Versions[^1].EffectiveOn, t.MonthlyFee, t.Currency, t.AtRiskPercent, t.AtRiskPool,
            t.WarningMarginPercent, t.StartsOn, t.EndsOn, t.AttributionHours, t.Headcount, t.Targets, c.TerminatedOn);
    }
}

public sealed record ContractHistoryEntry(long Version, string Change, DateTimeOffset RecordedAt, object Data);

public static class ContractsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<ContractActivated>("contract.activated.v1");
        options.Events.MapEventType<ContractAmended>("contract.amended.v1");
        options.Events.MapEventType<ContractRenewed>("contract.renewed.v1");
        options.Events.MapEventType<ContractSuspended>("contract.suspended.v1");
        options.Events.MapEventType<ContractResumed>("contract.resumed.v1");
        options.Events.MapEventType<ContractTerminated>("contract.terminated.v1");
        options.Projections.Snapshot<ServiceContract>(SnapshotLifecycle.Inline);
    }

    public static void MapContracts(this IEndpointRouteBuilder app)
    {
        var contract = app.MapGroup("/api/sla/stores/{storeId}/contract").WithTags("Contracts");

        contract.MapPut("/", (string storeId, PutContract command, IDocumentStore store, HttpContext http, TimeProvider clock, CancellationToken ct) =>
                Change(storeId, store, http, clock, ct, (c, today, now) => ContractDecisions.Put(c, storeId, command, today, now)))
            .RequireCaller(Roles.Ops)
            .WithName("PutContract").WithSummary("Activate the store's contract, or amend the active one from effectiveOn (ops; honours If-Match).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        contract.MapPost("/renew", (string storeId, RenewContract command, IDocumentStore store, HttpContext http, TimeProvider clock, CancellationToken ct) =>
                Change(storeId, store, http, clock, ct, (c, _, now) => ContractDecisions.Renew(c, command, now)))
            .RequireCaller(Roles.Ops).WithName("RenewContract").WithSummary("Extend the contract to a later end date (ops).");

        contract.MapPost("/suspend", (string storeId, SuspendContract command, IDocumentStore store, HttpContext http, TimeProvider clock, CancellationToken ct) =>
                Change(storeId, store, http, clock, ct, (c, _, now) => ContractDecisions.Suspend(c, command, now)))
            .RequireCaller(Roles.Ops).WithName("SuspendContract").WithSummary("Suspend the contract (ops).");

        contract.MapPost("/resume", (string storeId, IDocumentStore store, HttpContext http, TimeProvider clock, CancellationToken ct) =>
                Change(storeId, store, http, clock, ct, (c, _, now) => ContractDecisions.Resume(c, now)))
            .RequireCaller(Roles.Ops).WithName("ResumeContract").WithSummary("Resume a suspended contract (ops).");

        contract.MapPost("/terminate", (string storeId, TerminateContract command, IDocumentStore store, HttpContext http, TimeProvider clock, CancellationToken ct) =>
                Change(storeId, store, http, clock, ct, (c, today, now) => ContractDecisions.Terminate(c, command, today, now)))
            .RequireCaller(Roles.Ops).WithName("TerminateContract").WithSummary("Terminate the contract from effectiveOn (ops).");

        contract.MapGet("/", async Task<IResult> (string storeId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var current = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
                if (current is null) return Problems.NotFound($"Store '{storeId}' has no contract.");
                ETags.Set(http.Response, current.Version);
                return TypedResults.Ok(ContractView.Of(current));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithName("GetContract").WithSummary("The store's current contract terms (ops, or the store's key).").ProducesProblem(404);

        contract.MapGet("/history", async Task<IResult> (string storeId, IQuerySession session, CancellationToken ct) =>
            {
                var events = await session.Events.FetchStreamAsync(ServiceContract.StreamKey(storeId), token: ct);
                if (events.Count == 0) return Problems.NotFound($"Store '{storeId}' has no contract.");
                return TypedResults.Ok(events.Select(e => new ContractHistoryEntry(e.Version,
                    e.EventTypeName.Replace("contract.", "").Replace(".v1", ""), e.Timestamp, e.Data)));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithName("GetContractHistory").WithSummary("Every change of the store's contract, oldest first.").ProducesProblem(404);
    }

    private static async Task<IResult> Change(string storeId, IDocumentStore store, HttpContext http, TimeProvider clock,
        CancellationToken ct, Func<ServiceContract?, DateOnly, DateTimeOffset, Decision> decide)
    {
        await using (var query = store.QuerySession())
        {
            var onboarded = await query.LoadAsync<Store>(Store.StreamKey(storeId), ct);
            if (onboarded is null) return StoresModule.NotOnboarded(storeId);
            var now = clock.GetUtcNow();
            var today = onboarded.Calendar.LocalDate(now);
            var (decision, contract) = await store.DecideAsync<ServiceContract>(ServiceContract.StreamKey(storeId),
                existing => decide(existing, today, now), ETags.IfMatch(http.Request), ct);
            if (decision.Refusal() is { } refusal) return refusal;
            ETags.Set(http.Response, contract!.Version);
            return decision is Decision.Append append && append.Events[0] is ContractActivated
                ? TypedResults.Created($"/api/sla/stores/{storeId}/contract", ContractView.Of(contract))
                : TypedResults.Ok(ContractView.Of(contract));
        }
    }
}
