using System.Text.Json.Serialization;
using JasperFx.Events;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Training;

public sealed record OnboardingPathAssigned(string AgentId, string Name, string Team, IReadOnlyList<Course> Courses,
    DateOnly DueOn, DateTimeOffset AssignedAt);

/// <summary>A course assigned outside the path: by ops (<see cref="CourseSources.Assigned"/>), after a QC review
/// (<see cref="CourseSources.Remedial"/>, with the review) or because the agent took it unasked (<see cref="CourseSources.Taken"/>).</summary>
public sealed record CourseAssigned(string AgentId, Course Course, string Source, string Reason, string? ReviewId, string? StoreId,
    DateTimeOffset At);

public sealed record CourseStarted(string AgentId, string Code, DateTimeOffset At);

public sealed record CourseCompleted(string AgentId, string Code, DateTimeOffset At);

public sealed record ExamTaken(string AgentId, string Code, double Score, int PassMark, bool Passed, DateTimeOffset At);

/// <summary>The figures in force of a QC review of the agent, as the remedial-training hook last saw them.</summary>
public sealed record ReviewOutcomeNoted(string AgentId, string ReviewId, string StoreId, double Score, bool Critical, string Status,
    DateTimeOffset CompletedAt, DateTimeOffset At);

public static class CourseStatus
{
    public const string Assigned = "assigned", InProgress = "inProgress", Completed = "completed", Passed = "passed", Failed = "failed";

    public static bool IsDone(string status) => status is Completed or Passed;
}

public static class CourseSources
{
    public const string Path = "path", Assigned = "assigned", Remedial = "remedial", Taken = "taken";
}

public sealed record ExamAttempt(double Score, int PassMark, bool Passed, DateTimeOffset At);

/// <summary>One course of a plan. <see cref="CompletedAt"/>/<see cref="PassedAt"/> stay set after a re-assignment: they are what
/// certification counts, the status is what the agent has to do now.</summary>
public sealed record AssignedCourse(string Code, string Title, string Category, string Status, string Source = CourseSources.Path,
    string? Reason = null, string? ReviewId = null, string? StoreId = null, DateTimeOffset? StartedAt = null, DateTimeOffset? CompletedAt = null,
    DateTimeOffset? PassedAt = null, IReadOnlyList<ExamAttempt>? Attempts = null)
{
    [JsonIgnore]
    public bool EverDone => CompletedAt is not null || PassedAt is not null;
}

public sealed record NotedReview(string ReviewId, string StoreId, double Score, bool Critical, string Status, DateTimeOffset CompletedAt);

/// <summary>A remedial course assigned because of a review: once per review and course.</summary>
public sealed record RemedialAssignment(string ReviewId, string Code);

/// <summary>
/// An agent's training plan, stream <c>training:{agentId}</c>; kept as an inline snapshot. Path courses come first in path order, then
/// the others in the order they were assigned. It normally starts with the onboarding path; a remedial course for an agent Quality has
/// not seen hired yet starts it without one (<see cref="Path"/> empty) and the path joins when the hire arrives.
/// </summary>
public sealed record TrainingPlan(string Id, string AgentId, string Name, string Team, string Path,
    IReadOnlyList<AssignedCourse> Courses, DateOnly DueOn, DateTimeOffset AssignedAt, IReadOnlyList<NotedReview>? Reviews = null,
    IReadOnlyList<RemedialAssignment>? Remedials = null)
{
    public static string StreamKey(string agentId) => $"training:{agentId}";

    public static TrainingPlan Empty(string agentId) => new(StreamKey(agentId), agentId, "", "", "", [], default, default);

    public static TrainingPlan Create(IEvent<OnboardingPathAssigned> e) => Empty(e.Data.AgentId).Step(e.Data);

    public static TrainingPlan Create(IEvent<CourseAssigned> e) => Empty(e.Data.AgentId).Step(e.Data);

    public static TrainingPlan Create(IEvent<ReviewOutcomeNoted> e) => Empty(e.Data.AgentId).Step(e.Data);

    public TrainingPlan Apply(OnboardingPathAssigned e) => Step(e);
    public TrainingPlan Apply(CourseAssigned e) => Step(e);
    public TrainingPlan Apply(CourseStarted e) => Step(e);
    public TrainingPlan Apply(CourseCompleted e) => Step(e);
    public TrainingPlan Apply(ExamTaken e) => Step(e);
    public TrainingPlan Apply(ReviewOutcomeNoted e) => Step(e);

    [JsonIgnore]
    public IReadOnlyList<NotedReview> NotedReviews => Reviews ?? [];

    [JsonIgnore]
    public IReadOnlyList<RemedialAssignment> RemedialAssignments => Remedials ?? [];

    public AssignedCourse? Find(string code) => Courses.FirstOrDefault(c => c.Code == code);

    /// <summary>Folds events into a plan (the same as Marten's Apply methods; the decisions use it to see the state after their events).
    /// Not named Evolve: JasperFx's source generator would take that for the whole projection.</summary>
    public static TrainingPlan Fold(TrainingPlan? plan, string agentId, IEnumerable<object> events) =>
        events.Aggregate(plan ?? Empty(agentId), (state, e) => state.Step(e));

    public TrainingPlan Step(object @event) => @event switch
    {
        OnboardingPathAssigned e => this with
        {
            Name = e.Name, Team = e.Team, Path = OnboardingPath.Name, DueOn = e.DueOn, AssignedAt = e.AssignedAt,
            Courses =
            [
                .. e.Courses.Select(c => Find(c.Code) ?? new AssignedCourse(c.Code, c.Title, c.Category, CourseStatus.Assigned)),
                .. Courses.Where(c => e.Courses.All(p => p.Code != c.Code)),
            ],
        },
        CourseAssigned e => this with
        {
            Courses = Find(e.Course.Code) is { } existing
                ? Replace(existing with
                {
                    Status = CourseStatus.IsDone(existing.Status) ? CourseStatus.Assigned : existing.Status,
                    Source = e.Source, Reason = e.Reason, ReviewId = e.ReviewId, StoreId = e.StoreId,
                })
                : [.. Courses, new AssignedCourse(e.Course.Code, e.Course.Title, e.Course.Category, CourseStatus.Assigned, e.Source, e.Reason,
                    e.ReviewId, e.StoreId)],
            Remedials = e.ReviewId is null ? Remedials : [.. RemedialAssignments, new RemedialAssignment(e.ReviewId, e.Course.Code)],
        },
        CourseStarted e => Update(e.Code, c => c with { Status = CourseStatus.InProgress, StartedAt = c.StartedAt ?? e.At }),
        CourseCompleted e => Update(e.Code, c => c with { Status = CourseStatus.Completed, StartedAt = c.StartedAt ?? e.At, CompletedAt = e.At }),
        ExamTaken e => Update(e.Code, c => c with
        {
            // A failed retake after a pass leaves the course passed: the retake was for re-certification, not a new requirement.
            Status = e.Passed || c.Status == CourseStatus.Passed ? CourseStatus.Passed : CourseStatus.Failed,
            StartedAt = c.StartedAt ?? e.At,
            PassedAt = e.Passed ? e.At : c.PassedAt,
            Attempts = [.. c.Attempts ?? [], new ExamAttempt(e.Score, e.PassMark, e.Passed, e.At)],
        }),
        ReviewOutcomeNoted e => this with
        {
            Reviews =
            [
                .. NotedReviews.Where(r => r.ReviewId != e.ReviewId),
                new NotedReview(e.ReviewId, e.StoreId, e.Score, e.Critical, e.Status, e.CompletedAt),
            ],
        },
        _ => this,
    };

    private TrainingPlan Update(string code, Func<AssignedCourse, AssignedCourse> change) =>
        Find(code) is { } course ? this with { Courses = Replace(change(course)) } : this;

    private IReadOnlyList<AssignedCourse> Replace(AssignedCourse course) => [.. Courses.Select(c => c.Code == course.Code ? course : c)];
}

/// <summary>The body of POST /api/quality/agents/{agentId}/training/courses.</summary>
public sealed record AssignCourse(string? Code, string? Reason);

/// <summary>The body of POST /api/quality/agents/{agentId}/training/exams/{code}.</summary>
public sealed record TakeExam(double? Score);

public static class TrainingDecisions
{
    public const int MaxReasonLength = 500;

    /// <summary>A new hire gets the onboarding path in force once; a repeat of the hire changes nothing.</summary>
    public static IReadOnlyList<object> OnHired(TrainingPlan? existing, Contracts.AgentHired hired, DateTimeOffset now) =>
        OnHired(existing, hired, OnboardingPath.Default, Catalogue.Merge([]), now);

    public static IReadOnlyList<object> OnHired(TrainingPlan? existing, Contracts.AgentHired hired, OnboardingPathConfig path,
        IReadOnlyDictionary<string, CatalogueCourse> catalogue, DateTimeOffset now) =>
        existing is { Path.Length: > 0 }
            ? []
            : [new OnboardingPathAssigned(hired.AgentId, hired.Name, hired.Team, OnboardingPath.For(path, catalogue, hired.Skills),
                hired.HiredOn.AddDays(path.DueAfterDays), now)];

    /// <summary>Ops assign a course outside the path; assigning one the agent has still to do again changes nothing.</summary>
    public static Decision Assign(TrainingPlan plan, AssignCourse command, IReadOnlyDictionary<string, CatalogueCourse> catalogue,
        DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(command.Code is not null && catalogue.ContainsKey(command.Code), "code", "Required: the code of a known course.")
            .Check(!string.IsNullOrWhiteSpace(command.Reason) && command.Reason.Trim().Length <= MaxReasonLength, "reason",
                $"Required, at most {MaxReasonLength} characters.");
        if (errors.Any) return errors.ToDecision();
        var existing = plan.Find(command.Code!);
        if (existing is not null && !CourseStatus.IsDone(existing.Status)) return new Decision.Unchanged();
        return Decision.Of(new CourseAssigned(plan.AgentId, catalogue[command.Code!].ToCourse(), CourseSources.Assigned, command.Reason!.Trim(),
            null, null, now));
    }

    public static Decision Start(TrainingPlan plan, CatalogueCourse course, DateTimeOffset now)
    {
        var existing = plan.Find(course.Code);
        return existing?.Status switch
        {
            CourseStatus.InProgress => new Decision.Unchanged(),
            CourseStatus.Completed or CourseStatus.Passed => new Decision.Conflict($"Course '{course.Code}' is already {existing.Status}."),
            _ => new Decision.Append([.. AssignIfAbsent(plan, course, now), new CourseStarted(plan.AgentId, course.Code, now)]),
        };
    }

    /// <summary>A course without an exam is passed by completing it; one with an exam only by its exam.</summary>
    public static Decision Complete(TrainingPlan plan, CatalogueCourse course, DateTimeOffset now)
    {
        if (course.Exam is not null)
            return new Decision.Conflict($"Course '{course.Code}' is passed by its exam: POST the score to .../training/exams/{course.Code}.");
        return plan.Find(course.Code)?.Status == CourseStatus.Completed
            ? new Decision.Unchanged()
            : new Decision.Append([.. AssignIfAbsent(plan, course, now), new CourseCompleted(plan.AgentId, course.Code, now)]);
    }

    /// <summary>Every attempt is kept (retakes are allowed, also after a pass: re-certification after a revocation needs a new one).</summary>
    public static Decision Exam(TrainingPlan plan, CatalogueCourse course, TakeExam command, DateTimeOffset now)
    {
        var errors = new Errors().Check(command.Score is >= 0 and <= 100, "score", "Required: 0 to 100.");
        if (errors.Any) return errors.ToDecision();
        if (course.Exam is not { } exam) return new Decision.Conflict($"Course '{course.Code}' has no exam: POST .../complete instead.");
        var score = command.Score!.Value;
        return new Decision.Append([.. AssignIfAbsent(plan, course, now),
            new ExamTaken(plan.AgentId, course.Code, score, exam.PassMark, score >= exam.PassMark, now)]);
    }

    private static IEnumerable<object> AssignIfAbsent(TrainingPlan plan, CatalogueCourse course, DateTimeOffset now) =>
        plan.Find(course.Code) is null
            ? [new CourseAssigned(plan.AgentId, course.ToCourse(), CourseSources.Taken, "Taken outside the plan.", null, null, now)]
            : [];
}

/// <summary>What GET .../training answers: the plan, plus what the agent received, is doing and has next.</summary>
public sealed record TrainingView(string AgentId, string Name, string Team, string Path, DateTimeOffset AssignedAt, DateOnly DueOn,
    IReadOnlyList<AssignedCourse> Courses, IReadOnlyList<AssignedCourse> Received, IReadOnlyList<AssignedCourse> Current,
    IReadOnlyList<AssignedCourse> Next)
{
    /// <summary>Failed exams count as current: the agent is still on them (retake).</summary>
    public static TrainingView Of(TrainingPlan p) => new(p.AgentId, p.Name, p.Team, p.Path, p.AssignedAt, p.DueOn, p.Courses,
        [.. p.Courses.Where(c => CourseStatus.IsDone(c.Status))],
        [.. p.Courses.Where(c => c.Status is CourseStatus.InProgress or CourseStatus.Failed)],
        [.. p.Courses.Where(c => c.Status == CourseStatus.Assigned)]);
}

public sealed class AgentHiredConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.AgentHired>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override async Task Handle(Contracts.AgentHired message, IDocumentSession session, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<TrainingPlan>(TrainingPlan.StreamKey(message.AgentId), ct);
        if (stream.Aggregate is { Path.Length: > 0 }) return;
        var path = await session.LoadAsync<OnboardingPathConfig>(OnboardingPathConfig.Key, ct) ?? OnboardingPath.Default;
        var catalogue = await Catalogue.LoadAsync(session, ct);
        stream.AppendMany(TrainingDecisions.OnHired(stream.Aggregate, message, path, catalogue, _clock.GetUtcNow()));
    }
}
