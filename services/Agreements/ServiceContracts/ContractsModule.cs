using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using JasperFx.Events.Projections;
using Marten;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.ServiceContracts;

[Description("店铺当前的合同条款。 / The store's current contract terms.")]
public sealed record ContractView(
    [property: Description("店铺 ID。 / The store's id.")] string StoreId,
    [property: Description("合同 ID。 / The contract's id.")] string ContractId,
    [property: Description("状态：active、suspended 或 terminated。 / The status: active, suspended or terminated.")] string Status,
    [property: Description("当前条款的生效日期。 / The date the current terms took effect.")] DateOnly TermsEffectiveOn,
    [property: Description("月服务费。 / The monthly fee.")] decimal MonthlyFee,
    [property: Description("币种（ISO 4217）。 / The currency (ISO 4217).")] string Currency,
    [property: Description("风险金占月费的百分比。 / The share of the fee at risk, in percent.")] decimal AtRiskPercent,
    [property: Description("风险金 = 月费 × 风险百分比。 / The at-risk pool: fee × at-risk percent.")] decimal AtRiskPool,
    [property: Description("预警余量：在目标的此百分比内视为 atRisk。 / Within this percent of the target a met metric is atRisk.")] decimal WarningMarginPercent,
    [property: Description("合同开始日期。 / The first day of the contract.")] DateOnly StartsOn,
    [property: Description("合同结束日期。 / The last day of the contract.")] DateOnly EndsOn,
    [property: Description("询单转化归因窗口（小时）。 / The inquiry conversion attribution window, in hours.")] double AttributionHours,
    [property: Description("承诺的客服人数。 / The committed headcount.")] Headcount Headcount,
    [property: Description("SLA 目标。 / The SLA targets.")] IReadOnlyList<SlaTarget> Targets,
    [property: Description("终止日期（未终止为 null）。 / The termination date (null unless terminated).")] DateOnly? TerminatedOn) : IExample<ContractView>
{
    public static ContractView Example => new(StoreApi.StoreIdExample, "ct-hz-tea-2026", "active", new DateOnly(2026, 7, 1), 100_000m, "CNY", 10m,
        10_000m, 10m, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), 72, new Headcount(12, 8, 2),
        [new SlaTarget("firstResponseSeconds", 20, 20m), new SlaTarget("missedRate", 0.03, 30m), new SlaTarget("satisfactionRate", 0.95, 50m)], null);

    public static ContractView Of(ServiceContract c)
    {
        var t = c.Terms;
        return new(c.StoreId, c.ContractId, c.Status, c.Versions[^1].EffectiveOn, t.MonthlyFee, t.Currency, t.AtRiskPercent, t.AtRiskPool,
            t.WarningMarginPercent, t.StartsOn, t.EndsOn, t.AttributionHours, t.Headcount, t.Targets, c.TerminatedOn);
    }
}

[Description("合同的一次变更。 / One change of the contract.")]
public sealed record ContractHistoryEntry(
    [property: Description("合同流版本号，从 1 开始。 / The contract stream's version, from 1.")] long Version,
    [property: Description("变更类型：activated、amended、renewed、suspended、resumed 或 terminated。 / The change: activated, amended, renewed, suspended, resumed or terminated.")] string Change,
    [property: Description("记录时间（UTC）。 / When it was recorded (UTC).")] DateTimeOffset RecordedAt,
    [property: Description("变更内容（随变更类型而不同）。 / What changed (its shape depends on the change).")] object Data) : IExample<ContractHistoryEntry>
{
    public static ContractHistoryEntry Example => new(2, "renewed", new DateTimeOffset(2026, 11, 20, 2, 30, 0, TimeSpan.Zero),
        new Dictionary<string, object> { ["storeId"] = StoreApi.StoreIdExample, ["endsOn"] = "2027-12-31" });
}

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
            .StoreFacing().StoreTag("Contracts", "合同：店铺的服务合同条款与变更历史（只读）。 / Contracts: the store's service contract terms and their history (read-only).")
            .WithName("GetContract").WithSummary("The store's current contract terms (ops, or the store's key).")
            .WithDescription("店铺当前的合同条款：费用、风险金、SLA 目标及分配、人数承诺和期限。\n\n" +
                             "The store's current contract terms: fee, at-risk pool, SLA targets and their allocations, headcount and term.")
            .Produces<ContractView>(200)
            .ResponseHeader(200, "ETag", "合同流版本，变更时改变。 / The contract stream's version; it changes with every change.", "\"3\"")
            .Problem(404, ProblemCatalogue.NotFound);

        contract.MapGet("/history", async Task<IResult> (string storeId, IQuerySession session, CancellationToken ct) =>
            {
                var events = await session.Events.FetchStreamAsync(ServiceContract.StreamKey(storeId), token: ct);
                if (events.Count == 0) return Problems.NotFound($"Store '{storeId}' has no contract.");
                return TypedResults.Ok(events.Select(e => new ContractHistoryEntry(e.Version,
                    e.EventTypeName.Replace("contract.", "").Replace(".v1", ""), e.Timestamp, e.Data)));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("Contracts", "合同：店铺的服务合同条款与变更历史（只读）。 / Contracts: the store's service contract terms and their history (read-only).")
            .WithName("GetContractHistory").WithSummary("Every change of the store's contract, oldest first.")
            .WithDescription("店铺合同的每次变更（生效、修订、续约、暂停、恢复、终止），按时间先后。\n\n" +
                             "Every change of the store's contract (activated, amended, renewed, suspended, resumed, terminated), oldest first.")
            .Produces<IReadOnlyList<ContractHistoryEntry>>(200)
            .Problem(404, ProblemCatalogue.NotFound);
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
