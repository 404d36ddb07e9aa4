namespace Vendor.Quality.Training;

/// <summary>
/// One agent's training at a glance: courses still to start, started (or an exam failed, to retake), done, and overdue — path courses not
/// done after the path's due date (other courses have none).
/// </summary>
public sealed record AgentTrainingProgress(string AgentId, string Name, string Team, int Assigned, int InProgress, int Completed, int Overdue,
    DateOnly? DueOn);

public static class TrainingProgress
{
    public static AgentTrainingProgress Of(TrainingPlan plan, DateOnly today)
    {
        var hasPath = plan.Path.Length > 0;
        return new AgentTrainingProgress(plan.AgentId, plan.Name, plan.Team,
            plan.Courses.Count(c => c.Status == CourseStatus.Assigned),
            plan.Courses.Count(c => c.Status is CourseStatus.InProgress or CourseStatus.Failed),
            plan.Courses.Count(c => CourseStatus.IsDone(c.Status)),
            hasPath && plan.DueOn < today ? plan.Courses.Count(c => c.Source == CourseSources.Path && !CourseStatus.IsDone(c.Status)) : 0,
            hasPath ? plan.DueOn : null);
    }
}
