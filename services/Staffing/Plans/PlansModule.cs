using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Plans;

/// <summary>The body of POST /api/staffing/emergency-plans: a store-local date and, optionally, the stores to help (default: all).</summary>
public sealed record ProposeEmergencyPlan(string? Date, IReadOnlyList<string?>? StoreIds);

public sealed record PlanMoveView(string AgentId, string FromStoreId, string ToStoreId, ShiftView Shift);

public sealed record PlanCallInView(string AgentId, string StoreId, ShiftView Shift);

public sealed record PlanOvertimeView(string AgentId, string StoreId, ShiftView Shift, string NewEnd, DateTimeOffset NewEndsAt, int ExtensionMinutes);

public sealed record EmergencyPlanView(string PlanId, DateOnly Date, string TimeZone, string Status, IReadOnlyList<string> TargetStoreIds,
    IReadOnlyList<string> StoresConsidered, IReadOnlyList<string> StoresSkipped, IReadOnlyList<PlanMoveView> Moves, IReadOnlyList<PlanCallInView> CallIns,
    IReadOnlyList<PlanOvertimeView> Overtime, IReadOnlyList<StoreGap> RemainingGap, int ShortfallBefore, int ShortfallAfter, long Objective,
    long Bound, double GapPercent, long UnavoidableCost, double AvoidableGapPercent, string SolverStatus, double SolveSeconds, int Candidates,
    string ProposedBy, DateTimeOffset ProposedAt, string? ApprovedBy, DateTimeOffset? ApprovedAt)
{
    public static EmergencyPlanView Of(EmergencyPlan e)
    {
        var p = e.Plan;
        return new(e.PlanId, e.Date, e.TimeZone, e.Status, e.TargetStoreIds, e.StoresConsidered, e.StoresSkipped,
            [.. p.Moves.Select(m => new PlanMoveView(m.AgentId, m.FromStoreId, m.ToStoreId, View(m.To)))],
            [.. p.CallIns.Select(c => new PlanCallInView(c.AgentId, c.StoreId, View(c.Shift)))],
            [.. p.Overtime.Select(o => new PlanOvertimeView(o.AgentId, o.StoreId, View(o.From), o.To.End, o.To.EndsAt, (int)o.Extension.TotalMinutes))],
            p.RemainingGap, p.ShortfallBefore, p.ShortfallAfter, p.Objective, p.Bound, p.GapPercent, p.UnavoidableCost, p.AvoidableGapPercent,
            p.Status, p.Seconds, p.Candidates, e.ProposedBy, e.ProposedAt, e.ApprovedBy, e.ApprovedAt);
    }

    private static ShiftView View(Shift s) => new(s.AgentId, s.Start, s.End, s.Skill, s.StartsAt, s.EndsAt);
}

/// <summary>One line of the plans list: what the plan is for, where it stands, its figures and how much it changes.</summary>
public sealed record EmergencyPlanSummary(string PlanId, DateOnly Date, string TimeZone, string Status, DateTimeOffset CreatedAt, string ProposedBy,
    DateTimeOffset? ApprovedAt, IReadOnlyList<string> TargetStoreIds, long Objective, long Bound, double GapPercent, double AvoidableGapPercent,
    int ShortfallBefore, int ShortfallAfter, string SolverStatus, int Moves, int CallIns, int Overtime)
{
    public static EmergencyPlanSummary Of(EmergencyPlan e) =>
        new(e.PlanId, e.Date, e.TimeZone, e.Status, e.ProposedAt, e.ProposedBy, e.ApprovedAt, e.TargetStoreIds, e.Plan.Objective, e.Plan.Bound,
            e.Plan.GapPercent, e.Plan.AvoidableGapPercent, e.Plan.ShortfallBefore, e.Plan.ShortfallAfter, e.Plan.Status, e.Plan.Moves.Count,
            e.Plan.CallIns.Count, e.Plan.Overtime.Count);
}

public static class PlansModule
{
    public const int ListLimit = 200;

    public const int MaxStoreIds = 1000;

    /// <summary>One plan is solved at a time: on two cores, two solves at once would each miss their time limit.</summary>
    private static readonly SemaphoreSlim Solving = new(1, 1);

    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<EmergencyPlanProposed>("plan.proposed.v1");
        options.Events.MapEventType<EmergencyPlanApproved>("plan.approved.v1");
        options.Events.MapEventType<EmergencyPlanRosterAdjusted>("plan.roster-adjusted.v1");
        options.Events.MapEventType<StoreSlaRiskRecorded>("plan.sla-risk-recorded.v1");
        options.Projections.Snapshot<EmergencyPlan>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<StoreSlaRisk>(SnapshotLifecycle.Inline);
        options.Schema.For<StoreSlaRisk>().Index(r => r.Month);
    }

    /// <summary>The request's date and stores, or what is wrong with them by field.</summary>
    public static (DateOnly Date, IReadOnlyList<string>? StoreIds, Errors Errors) Validate(ProposeEmergencyPlan? body)
    {
        var errors = new Errors();
        errors.Check(OpeningHours.TryParseDate(body?.Date, out var date), "date", OpeningHours.DateRule);
        var ids = body?.StoreIds;
        if (ids is not null)
        {
            errors.Check(ids.Count is > 0 and <= MaxStoreIds, "storeIds", $"When given: 1 to {MaxStoreIds} store ids (leave it out for every store).");
            for (var i = 0; i < ids.Count; i++) errors.Check(!string.IsNullOrWhiteSpace(ids[i]), $"storeIds[{i}]", "Required: a store id.");
        }
        return (date, ids?.OfType<string>().Select(s => s.Trim()).Distinct().ToList(), errors);
    }

    public static void MapPlans(this IEndpointRouteBuilder app)
    {
        var plans = app.MapGroup("/api/staffing/emergency-plans").WithTags("Emergency plans").RequireCaller(Roles.Ops);

        plans.MapPost("/", async Task<IResult> (ProposeEmergencyPlan? body, HttpContext http, IDocumentStore documents, TimeProvider clock,
                IConfiguration configuration, CancellationToken ct) =>
            {
                var (date, storeIds, errors) = Validate(body);
                if (errors.Any) return Problems.Validation(errors.ToDecision().Errors);
                await using var session = documents.LightweightSession();
                if (storeIds is not null)
                {
                    var known = (await session.LoadManyAsync<StaffedStore>(ct, storeIds.Select(StaffedStore.StreamKey))).Select(s => s.StoreId).ToHashSet();
                    if (storeIds.FirstOrDefault(id => !known.Contains(id)) is { } unknown) return StoresModule.NotKnown(unknown);
                }
                var now = clock.GetUtcNow();
                var loaded = await PlanProblems.LoadAsync(session, date, storeIds, now, ct);
                var settings = new PlannerSettings(TimeSpan.FromSeconds(Math.Clamp(configuration.GetValue("Staffing:Plans:TimeLimitSeconds", 4.0), 0.5, 60)));
                PlanSolution plan;
                await Solving.WaitAsync(ct);
                try { plan = EmergencyPlanner.Solve(loaded.Problem, settings); }
                finally { Solving.Release(); }

                var planId = $"ep-{Guid.NewGuid():N}"[..19];
                session.Events.StartStream<EmergencyPlan>(EmergencyPlan.StreamKey(planId), new EmergencyPlanProposed(planId, date, loaded.Problem.TimeZone,
                    loaded.Targets, [.. loaded.Problem.Stores.Select(s => s.StoreId)], loaded.Skipped, plan, http.Caller().KeyId, now));
                await session.SaveChangesAsync(ct);
                var saved = await session.LoadAsync<EmergencyPlan>(EmergencyPlan.StreamKey(planId), ct);
                return TypedResults.Created($"/api/staffing/emergency-plans/{planId}", EmergencyPlanView.Of(saved!));
            })
            .WithName("ProposeEmergencyPlan")
            .WithSummary("Propose an emergency plan for a date: moves of certified agents from stores with agents to spare, standby call-ins and " +
                         "overtime within the rest rules, stores prioritised by SLA risk and contracted headcount; solved as an optimisation " +
                         "with its proven bound (ops).")
            .ProducesValidationProblem().ProducesProblem(404);

        plans.MapGet("/", async Task<IResult> (string? date, string? status, IQuerySession session, CancellationToken ct) =>
            {
                var errors = new Errors();
                DateOnly day = default;
                if (date is not null) errors.Check(OpeningHours.TryParseDate(date, out day), "date", "When given: a store-local date, yyyy-MM-dd.");
                errors.Check(status is null or EmergencyPlanStatus.Proposed or EmergencyPlanStatus.Approved, "status",
                    "When given: proposed or approved.");
                if (errors.Any) return Problems.Validation(errors.ToDecision().Errors);
                var query = session.Query<EmergencyPlan>().AsQueryable();
                if (date is not null) query = query.Where(p => p.Date == day);
                if (status is not null) query = query.Where(p => p.Status == status);
                var list = await query.OrderByDescending(p => p.ProposedAt).Take(ListLimit).ToListAsync(ct);
                return TypedResults.Ok(list.Select(EmergencyPlanSummary.Of));
            })
            .WithName("ListEmergencyPlans")
            .WithSummary("Emergency plans, newest first (at most 200), of one date and/or status when given: figures and counts, not the moves (ops).")
            .ProducesValidationProblem();

        plans.MapGet("/{planId}", async Task<IResult> (string planId, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<EmergencyPlan>(EmergencyPlan.StreamKey(planId), ct) is { } plan
                    ? TypedResults.Ok(EmergencyPlanView.Of(plan))
                    : NotFound(planId))
            .WithName("GetEmergencyPlan").WithSummary("One emergency plan, proposed or approved (ops).").ProducesProblem(404);

        plans.MapPost("/{planId}/approve", async Task<IResult> (string planId, HttpContext http, IDocumentStore documents, TimeProvider clock,
                CancellationToken ct) =>
            {
                await using var session = documents.LightweightSession();
                var proposed = await session.LoadAsync<EmergencyPlan>(EmergencyPlan.StreamKey(planId), ct);
                if (proposed is null) return NotFound(planId);
                // Under the rosters' day locks: no roster write between the re-check and the changes.
                await RostersModule.LockDaysAsync(session, proposed.Date, ct);
                var stream = await session.Events.FetchForWriting<EmergencyPlan>(EmergencyPlan.StreamKey(planId), ct);
                var plan = stream.Aggregate!;
                var rosters = new Dictionary<string, JasperFx.Events.IEventStream<Roster>>();
                foreach (var storeId in plan.AffectedStoreIds)
                    rosters[storeId] = await session.Events.FetchForWriting<Roster>(Roster.StreamKey(storeId, plan.Date), ct);
                var stores = await session.LoadManyAsync<StaffedStore>(ct, plan.AffectedStoreIds.Select(StaffedStore.StreamKey));
                var agents = await session.LoadManyAsync<Agent>(ct, plan.AgentIds.Select(Agent.StreamKey));
                var dayStart = OpeningHours.Instant(plan.Date, TimeOnly.MinValue, OpeningHours.Zone(plan.TimeZone));
                var state = new ApprovalState(stores.ToDictionary(s => s.StoreId), rosters.ToDictionary(r => r.Key, r => r.Value.Aggregate),
                    agents.ToDictionary(a => a.AgentId), await RostersModule.ShiftsAroundAsync(session, plan.Date, ct),
                    await AttendanceModule.AbsencesAsync(session, dayStart.AddDays(-1), dayStart.AddDays(2), ct));

                var decision = PlanApproval.Approve(plan, state, http.Caller().KeyId, clock.GetUtcNow());
                if (decision.Refusal() is { } refusal) return refusal;
                if (decision is Decision.Append append)
                {
                    foreach (var e in append.Events)
                        if (e is RosterChangedByPlan changed) rosters[changed.StoreId].AppendOne(changed);
                        else stream.AppendOne(e);
                    await session.SaveChangesAsync(ct);
                    plan = await session.LoadAsync<EmergencyPlan>(EmergencyPlan.StreamKey(planId), ct) ?? plan;
                }
                return TypedResults.Ok(EmergencyPlanView.Of(plan));
            })
            .WithName("ApproveEmergencyPlan")
            .WithSummary("Approve a proposed plan: every change is checked against the rosters as they are now (409 naming what no longer fits), " +
                         "then the rosters change as events and RosterAdjusted is published per store; approving again changes nothing (ops).")
            .ProducesProblem(404).ProducesProblem(409);
    }

    private static IResult NotFound(string planId) => Problems.NotFound($"No emergency plan '{planId}'.");
}
