using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Training;

public sealed record OnboardingPathAssigned(string AgentId, string Name, string Team, IReadOnlyList<Course> Courses,
    DateOnly DueOn, DateTimeOffset AssignedAt);

public sealed record AssignedCourse(string Code, string Title, string Category, string Status);

/// <summary>An agent's training plan, stream <c>training:{agentId}</c>; kept as an inline snapshot.</summary>
public sealed record TrainingPlan(string Id, string AgentId, string Name, string Team, string Path,
    IReadOnlyList<AssignedCourse> Courses, DateOnly DueOn, DateTimeOffset AssignedAt)
{
    public static string StreamKey(string agentId) => $"training:{agentId}";

    public static TrainingPlan Create(IEvent<OnboardingPathAssigned> e) =>
        new(e.StreamKey!, e.Data.AgentId, e.Data.Name, e.Data.Team, OnboardingPath.Name,
            e.Data.Courses.Select(c => new AssignedCourse(c.Code, c.Title, c.Category, "assigned")).ToList(),
            e.Data.DueOn, e.Data.AssignedAt);
}

public static class TrainingDecisions
{
    /// <summary>A new hire gets the onboarding path once; a repeat of the hire changes nothing.</summary>
    public static IReadOnlyList<object> OnHired(TrainingPlan? existing, Contracts.AgentHired hired, DateTimeOffset now) =>
        existing is not null
            ? []
            : [new OnboardingPathAssigned(hired.AgentId, hired.Name, hired.Team, OnboardingPath.For(hired.Skills),
                hired.HiredOn.AddDays(OnboardingPath.DueAfterDays), now)];
}

public sealed class AgentHiredConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.AgentHired>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override async Task Handle(Contracts.AgentHired message, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<TrainingPlan>(TrainingPlan.StreamKey(message.AgentId), ct);
        stream.AppendMany(TrainingDecisions.OnHired(stream.Aggregate, message, _clock.GetUtcNow()));
    }
}

public static class TrainingModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<OnboardingPathAssigned>("training.onboarding-path-assigned.v1");
        options.Projections.Snapshot<TrainingPlan>(SnapshotLifecycle.Inline);
    }

    public static void MapTraining(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/quality/agents/{agentId}/training", async Task<IResult> (string agentId, IQuerySession session, CancellationToken ct) =>
            {
                var plan = await session.LoadAsync<TrainingPlan>(TrainingPlan.StreamKey(agentId), ct);
                return plan is null
                    ? Problems.NotFound($"No training plan for agent '{agentId}' yet.")
                    : TypedResults.Ok(new { plan.AgentId, plan.Name, plan.Team, plan.Path, plan.AssignedAt, plan.DueOn, plan.Courses });
            })
            .RequireCaller(Roles.Ops)
            .WithTags("Training").WithName("GetAgentTraining").WithSummary("An agent's training plan (ops).")
            .ProducesProblem(404);
}
