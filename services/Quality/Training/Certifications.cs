using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Training;

public sealed record CertificationRequirementDefined(string StoreId, string Skill, IReadOnlyList<string> Courses, string Exam, DateTimeOffset At);

/// <summary>What certifies an agent for a store and skill, stream <c>requirement:{storeId}:{skill}</c>, kept as an inline snapshot.</summary>
public sealed record CertificationRequirement(string Id, string StoreId, string Skill, IReadOnlyList<string> Courses, string Exam,
    DateTimeOffset DefinedAt, long Version)
{
    public static string StreamKey(string storeId, string skill) => $"requirement:{storeId}:{skill}";

    public static CertificationRequirement Create(IEvent<CertificationRequirementDefined> e) => Of(e.Data, e.Version);

    public CertificationRequirement Apply(IEvent<CertificationRequirementDefined> e) => Of(e.Data, e.Version);

    public static CertificationRequirement Of(CertificationRequirementDefined e, long version) =>
        new(StreamKey(e.StoreId, e.Skill), e.StoreId, e.Skill, e.Courses, e.Exam, e.At, version);
}

/// <summary>The body of PUT /api/quality/certifications/{storeId}/{skill}.</summary>
public sealed record DefineRequirement(IReadOnlyList<string>? Courses, string? Exam);

public static class CertificationDecisions
{
    public static Decision Define(CertificationRequirement? existing, string storeId, string skill, DefineRequirement command,
        IReadOnlyDictionary<string, CatalogueCourse> catalogue, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(storeId), "storeId", $"Required: {Ids.Rule}.")
            .Check(TrainingSkills.All.Contains(skill), "skill", $"One of: {string.Join(", ", TrainingSkills.All)}.");
        if (command.Courses is null) errors.Add("courses", "Required: the course codes to pass (may be empty).");
        else if (command.Courses.Where(c => c is null || !catalogue.ContainsKey(c)).ToList() is { Count: > 0 } unknown)
            errors.Add("courses", $"Unknown course codes: {string.Join(", ", unknown.Select(c => c ?? "null"))}.");
        if (command.Exam is null || !catalogue.TryGetValue(command.Exam, out var exam)) errors.Add("exam", "Required: the code of a known course.");
        else if (exam.Exam is null) errors.Add("exam", $"Course '{exam.Code}' has no exam (define it with exam.passMark).");
        if (errors.Any) return errors.ToDecision();

        var defined = new CertificationRequirementDefined(storeId, skill, [.. command.Courses!.Where(c => c != command.Exam).Distinct()],
            command.Exam!, now);
        return existing is not null && existing.Exam == defined.Exam && existing.Courses.SequenceEqual(defined.Courses)
            ? new Decision.Unchanged()
            : Decision.Of(defined);
    }

    /// <summary>
    /// The certifications the agent now qualifies for and does not hold: every required course done (completed, or passed by its exam)
    /// and the exam passed — after the store's last revocation, if any, so a revoked agent re-certifies only by passing again.
    /// </summary>
    public static IReadOnlyList<object> Evaluate(TrainingPlan plan, AgentCertifications? held, IEnumerable<CertificationRequirement> requirements,
        DateTimeOffset now)
    {
        var certifications = held ?? AgentCertifications.Empty(plan.AgentId);
        return
        [
            .. requirements
                .Where(r => !certifications.Holds(r.StoreId, r.Skill) && Qualifies(plan, r, certifications.LastRevokedAt(r.StoreId)))
                .OrderBy(r => r.StoreId, StringComparer.Ordinal).ThenBy(r => r.Skill, StringComparer.Ordinal)
                .Select(r => new CertificationGranted(plan.AgentId, r.StoreId, r.Skill, now)),
        ];
    }

    private static bool Qualifies(TrainingPlan plan, CertificationRequirement requirement, DateTimeOffset? revokedAt) =>
        requirement.Courses.All(code => plan.Find(code)?.EverDone == true)
        && (plan.Find(requirement.Exam)?.Attempts ?? []).Any(a => a.Passed && (revokedAt is null || a.At > revokedAt));
}
