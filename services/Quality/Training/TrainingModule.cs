using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Marten.Exceptions;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Training;

public static class TrainingModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<OnboardingPathAssigned>("training.onboarding-path-assigned.v1");
        options.Events.MapEventType<CourseAssigned>("training.course-assigned.v1");
        options.Events.MapEventType<CourseStarted>("training.course-started.v1");
        options.Events.MapEventType<CourseCompleted>("training.course-completed.v1");
        options.Events.MapEventType<ExamTaken>("training.exam-taken.v1");
        options.Events.MapEventType<ReviewOutcomeNoted>("training.review-outcome-noted.v1");
        options.Events.MapEventType<CourseDefined>("training.course-defined.v1");
        options.Events.MapEventType<OnboardingPathConfigured>("training.onboarding-path-configured.v1");
        options.Events.MapEventType<CertificationRequirementDefined>("certification.requirement-defined.v1");
        options.Events.MapEventType<CertificationGranted>("certification.granted.v1");
        options.Events.MapEventType<CertificationRevoked>("certification.revoked.v1");
        options.Projections.Snapshot<TrainingPlan>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<CatalogueCourse>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<OnboardingPathConfig>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<CertificationRequirement>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<AgentCertifications>(SnapshotLifecycle.Inline);
    }

    private static IResult NoPlan(string agentId) => Problems.NotFound($"No training plan for agent '{agentId}' yet.");

    private static IResult NoCourse(string code) => Problems.NotFound($"No course '{code}' in the catalogue.");

    public static void MapTraining(this IEndpointRouteBuilder app)
    {
        var quality = app.MapGroup("/api/quality").WithTags("Training").RequireCaller(Roles.Ops);

        quality.MapGet("/training/progress", async Task<IResult> (string? team, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
            {
                if (team is not null && (string.IsNullOrWhiteSpace(team) || team.Length > 100))
                    return Problems.Validation(new Dictionary<string, string[]> { ["team"] = ["When given: a team name of 1 to 100 characters."] });
                var query = session.Query<TrainingPlan>().AsQueryable();
                if (team is not null) query = query.Where(p => p.Team == team);
                var plans = await query.ToListAsync(ct);
                var today = Ladder.LadderModule.LocalToday(clock);
                return TypedResults.Ok(plans.OrderBy(p => p.AgentId, StringComparer.Ordinal).Select(p => TrainingProgress.Of(p, today)));
            })
            .WithName("GetTrainingProgress")
            .WithSummary("Every agent's training at a glance (of one team when given): courses assigned, in progress, completed and overdue (ops).")
            .ProducesValidationProblem();

        quality.MapGet("/courses", async (IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await Catalogue.LoadAsync(session, ct)).Values.OrderBy(c => c.Code, StringComparer.Ordinal).Select(CourseView.Of)))
            .WithName("ListCourses").WithSummary("The course catalogue, built-in courses included (ops).");

        quality.MapPut("/courses/{code}", async Task<IResult> (string code, DefineCourse command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                var (decision, course) = await store.DecideAsync<CatalogueCourse>(CatalogueCourse.StreamKey(code),
                    existing => Catalogue.Define(existing, code, command, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, course!.Version);
                return decision is Decision.Append && course.Version == 1
                    ? TypedResults.Created($"/api/quality/courses/{code}", CourseView.Of(course))
                    : TypedResults.Ok(CourseView.Of(course));
            })
            .WithName("DefineCourse").WithSummary("Define or change a course: category, optional store and skill, optional exam pass mark (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(412);

        quality.MapGet("/paths/onboarding", async (IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var path = await session.LoadAsync<OnboardingPathConfig>(OnboardingPathConfig.Key, ct) ?? OnboardingPath.Default;
                ETags.Set(http.Response, path.Version);
                return TypedResults.Ok(PathView.Of(path));
            })
            .WithName("GetOnboardingPath").WithSummary("The onboarding path new hires get (ops).");

        quality.MapPut("/paths/onboarding", async Task<IResult> (ConfigureOnboardingPath command, IDocumentStore store, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                IReadOnlyDictionary<string, CatalogueCourse> catalogue;
                await using (var query = store.QuerySession()) catalogue = await Catalogue.LoadAsync(query, ct);
                var (decision, path) = await store.DecideAsync<OnboardingPathConfig>(OnboardingPathConfig.Key,
                    existing => OnboardingPath.Configure(existing, command, catalogue, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, path!.Version);
                return TypedResults.Ok(PathView.Of(path));
            })
            .WithName("ConfigureOnboardingPath").WithSummary("Set the onboarding path for hires from now on (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(412);

        var agent = quality.MapGroup("/agents/{agentId}");

        agent.MapGet("/training", async Task<IResult> (string agentId, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<TrainingPlan>(TrainingPlan.StreamKey(agentId), ct) is { } plan
                    ? TypedResults.Ok(TrainingView.Of(plan))
                    : NoPlan(agentId))
            .WithName("GetAgentTraining").WithSummary("An agent's training plan: courses received, current and next (ops).")
            .ProducesProblem(404);

        agent.MapPost("/training/courses", async Task<IResult> (string agentId, AssignCourse command, IDocumentStore store, TimeProvider clock,
                CancellationToken ct) =>
                await ProgressAsync(store, agentId, null, (plan, catalogue, _) => TrainingDecisions.Assign(plan, command, catalogue, clock.GetUtcNow()),
                    clock, ct))
            .WithName("AssignCourse").WithSummary("Assign a course outside the onboarding path, with a reason (ops).")
            .ProducesValidationProblem().ProducesProblem(404);

        agent.MapPost("/training/courses/{code}/start", async Task<IResult> (string agentId, string code, IDocumentStore store, TimeProvider clock,
                CancellationToken ct) =>
                await ProgressAsync(store, agentId, code, (plan, _, course) => TrainingDecisions.Start(plan, course!, clock.GetUtcNow()), clock, ct))
            .WithName("StartCourse").WithSummary("The agent started a course (ops).")
            .ProducesProblem(404).ProducesProblem(409);

        agent.MapPost("/training/courses/{code}/complete", async Task<IResult> (string agentId, string code, IDocumentStore store,
                TimeProvider clock, CancellationToken ct) =>
                await ProgressAsync(store, agentId, code, (plan, _, course) => TrainingDecisions.Complete(plan, course!, clock.GetUtcNow()), clock, ct))
            .WithName("CompleteCourse").WithSummary("The agent completed a course without an exam (ops).")
            .ProducesProblem(404).ProducesProblem(409);

        agent.MapPost("/training/exams/{code}", async Task<IResult> (string agentId, string code, TakeExam command, IDocumentStore store,
                TimeProvider clock, CancellationToken ct) =>
                await ProgressAsync(store, agentId, code, (plan, _, course) => TrainingDecisions.Exam(plan, course!, command, clock.GetUtcNow()),
                    clock, ct))
            .WithName("TakeExam").WithSummary("Record an exam score: passed at the course's pass mark or above; every attempt is kept (ops).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        agent.MapGet("/certifications", async Task<IResult> (string agentId, IQuerySession session, CancellationToken ct) =>
            {
                var certifications = await session.LoadAsync<AgentCertifications>(AgentCertifications.StreamKey(agentId), ct);
                if (certifications is null && await session.LoadAsync<TrainingPlan>(TrainingPlan.StreamKey(agentId), ct) is null)
                    return NoPlan(agentId);
                certifications ??= AgentCertifications.Empty(agentId);
                return TypedResults.Ok(new { certifications.AgentId, certifications.Held, History = certifications.Changes });
            })
            .WithName("GetAgentCertifications").WithSummary("The certifications an agent holds, and every grant and revocation (ops).")
            .ProducesProblem(404);

        quality.MapGet("/certifications", async (IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await session.Query<CertificationRequirement>().ToListAsync(ct))
                    .OrderBy(r => r.StoreId, StringComparer.Ordinal).ThenBy(r => r.Skill, StringComparer.Ordinal).Select(RequirementView.Of)))
            .WithName("ListCertificationRequirements").WithSummary("What certifies an agent for each store and skill (ops).");

        quality.MapPut("/certifications/{storeId}/{skill}", async Task<IResult> (string storeId, string skill, DefineRequirement command,
                IDocumentStore store, TimeProvider clock, HttpContext http, CancellationToken ct) =>
            {
                IReadOnlyDictionary<string, CatalogueCourse> catalogue;
                await using (var query = store.QuerySession()) catalogue = await Catalogue.LoadAsync(query, ct);
                var (decision, requirement) = await store.DecideAsync<CertificationRequirement>(CertificationRequirement.StreamKey(storeId, skill),
                    existing => CertificationDecisions.Define(existing, storeId, skill, command, catalogue, clock.GetUtcNow()),
                    ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                // Agents who already qualify are certified now rather than at their next step.
                if (decision is Decision.Append) await CertifyQualifiedAgentsAsync(store, requirement!, clock, ct);
                ETags.Set(http.Response, requirement!.Version);
                return TypedResults.Ok(RequirementView.Of(requirement));
            })
            .WithName("DefineCertificationRequirement").WithSummary("The courses and exam that certify an agent for a store and skill (ops; If-Match).")
            .ProducesValidationProblem().ProducesProblem(412);
    }

    /// <summary>
    /// A progress step and the certifications it earns, committed together (a crash never leaves a pass without its certification).
    /// A concurrent write to the plan (another step, a review's remedial course) makes the decision run again on the fresh plan.
    /// </summary>
    private static async Task<IResult> ProgressAsync(IDocumentStore store, string agentId, string? code,
        Func<TrainingPlan, IReadOnlyDictionary<string, CatalogueCourse>, CatalogueCourse?, Decision> decide, TimeProvider clock,
        CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var catalogue = await Catalogue.LoadAsync(session, ct);
            CatalogueCourse? course = null;
            if (code is not null && !catalogue.TryGetValue(code, out course)) return NoCourse(code);
            var stream = await session.Events.FetchForWriting<TrainingPlan>(TrainingPlan.StreamKey(agentId), ct);
            if (stream.Aggregate is not { } plan) return NoPlan(agentId);
            var decision = decide(plan, catalogue, course);
            if (decision.Refusal() is { } refusal) return refusal;
            if (decision is not Decision.Append append) return TypedResults.Ok(TrainingView.Of(plan));

            stream.AppendMany(append.Events);
            var after = TrainingPlan.Fold(plan, agentId, append.Events);
            var requirements = await session.Query<CertificationRequirement>().ToListAsync(ct);
            await StageCertificationsAsync(session, after, requirements, clock.GetUtcNow(), ct);
            try
            {
                await session.SaveChangesAsync(ct);
                return TypedResults.Ok(TrainingView.Of(after));
            }
            catch (Exception e) when (e is ConcurrencyException or ExistingStreamIdCollisionException && attempt < 3)
            {
            }
        }
    }

    private static async Task StageCertificationsAsync(IDocumentSession session, TrainingPlan plan, IEnumerable<CertificationRequirement> requirements,
        DateTimeOffset now, CancellationToken ct)
    {
        var certifications = await session.Events.FetchForWriting<AgentCertifications>(AgentCertifications.StreamKey(plan.AgentId), ct);
        var granted = CertificationDecisions.Evaluate(plan, certifications.Aggregate, requirements, now);
        if (granted.Count > 0) certifications.AppendMany(granted);
    }

    private static async Task CertifyQualifiedAgentsAsync(IDocumentStore store, CertificationRequirement requirement, TimeProvider clock,
        CancellationToken ct)
    {
        IReadOnlyList<TrainingPlan> plans;
        Dictionary<string, AgentCertifications> held;
        await using (var query = store.QuerySession())
        {
            plans = await query.Query<TrainingPlan>().ToListAsync(ct);
            held = (await query.Query<AgentCertifications>().ToListAsync(ct)).ToDictionary(c => c.AgentId);
        }
        // Decided in memory first: only agents the requirement certifies get a write (one session per agent was opened before).
        var qualified = plans.Where(p => CertificationDecisions.Evaluate(p, held.GetValueOrDefault(p.AgentId), [requirement], clock.GetUtcNow()).Count > 0);
        foreach (var candidate in qualified)
        {
            for (var attempt = 1; ; attempt++)
            {
                await using var session = store.LightweightSession();
                var plan = attempt == 1 ? candidate : await session.LoadAsync<TrainingPlan>(candidate.Id, ct) ?? candidate;
                await StageCertificationsAsync(session, plan, [requirement], clock.GetUtcNow(), ct);
                try
                {
                    await session.SaveChangesAsync(ct);
                    break;
                }
                catch (Exception e) when (e is ConcurrencyException or ExistingStreamIdCollisionException && attempt < 3)
                {
                }
            }
        }
    }
}

public sealed record CourseView(string Code, string Title, string Category, string? StoreId, string? Skill, ExamRule? Exam, bool BuiltIn)
{
    public static CourseView Of(CatalogueCourse c) => new(c.Code, c.Title, c.Category, c.StoreId, c.Skill, c.Exam, c.BuiltIn);
}

public sealed record PathView(IReadOnlyList<string> Common, IReadOnlyDictionary<string, IReadOnlyList<string>> BySkill, string Exam,
    int DueAfterDays, DateTimeOffset? ConfiguredAt)
{
    public static PathView Of(OnboardingPathConfig p) => new(p.Common, p.BySkill, p.Exam, p.DueAfterDays, p.ConfiguredAt);
}

public sealed record RequirementView(string StoreId, string Skill, IReadOnlyList<string> Courses, string Exam, DateTimeOffset DefinedAt)
{
    public static RequirementView Of(CertificationRequirement r) => new(r.StoreId, r.Skill, r.Courses, r.Exam, r.DefinedAt);
}
