using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Training;

public sealed record OnboardingPathConfigured(IReadOnlyList<string> Common, IReadOnlyDictionary<string, IReadOnlyList<string>> BySkill,
    string Exam, int DueAfterDays, DateTimeOffset At);

/// <summary>The onboarding path in force, stream <c>path:onboarding</c>, kept as an inline snapshot; absent until first configured.</summary>
public sealed record OnboardingPathConfig(string Id, IReadOnlyList<string> Common, IReadOnlyDictionary<string, IReadOnlyList<string>> BySkill,
    string Exam, int DueAfterDays, DateTimeOffset? ConfiguredAt, long Version)
{
    public const string Key = "path:onboarding";

    public static OnboardingPathConfig Create(IEvent<OnboardingPathConfigured> e) => Of(e.Data, e.Version);

    public OnboardingPathConfig Apply(IEvent<OnboardingPathConfigured> e) => Of(e.Data, e.Version);

    private static OnboardingPathConfig Of(OnboardingPathConfigured e, long version) =>
        new(Key, e.Common, e.BySkill, e.Exam, e.DueAfterDays, e.At, version);
}

/// <summary>The body of PUT /api/quality/paths/onboarding.</summary>
public sealed record ConfigureOnboardingPath(IReadOnlyList<string>? Common, IReadOnlyDictionary<string, IReadOnlyList<string>>? BySkill,
    string? Exam, int? DueAfterDays);

/// <summary>
/// The onboarding path a new hire follows (DOMAIN.md, "QC and training"): the common courses, the courses of each skill the agent
/// was hired for, then the onboarding exam, due some days after hiring. Until ops configure it, the original path applies.
/// </summary>
public static class OnboardingPath
{
    public const string Name = "onboarding";
    public const int DueAfterDays = 30;
    public const int MaxDueAfterDays = 365;

    public static readonly OnboardingPathConfig Default = new(OnboardingPathConfig.Key,
        ["platform-rules", "product-knowledge", "service-scripts", "soft-skills"],
        new Dictionary<string, IReadOnlyList<string>>
        {
            ["presales"] = ["presales-conversion"], ["aftersales"] = ["aftersales-refunds"], ["hotline"] = ["hotline-etiquette"],
        },
        "onboarding-exam", DueAfterDays, null, 0);

    /// <summary>The default path for these skills, over the built-in catalogue.</summary>
    public static IReadOnlyList<Course> For(IEnumerable<string> skills) => For(Default, Catalogue.Merge([]), skills);

    /// <summary>Common courses, then each skill's (skills in ordinal order, each course once), the exam last.</summary>
    public static IReadOnlyList<Course> For(OnboardingPathConfig path, IReadOnlyDictionary<string, CatalogueCourse> catalogue,
        IEnumerable<string> skills)
    {
        var codes = path.Common
            .Concat(skills.Distinct().Order(StringComparer.Ordinal).SelectMany(s => path.BySkill.TryGetValue(s, out var c) ? c : []))
            .Where(c => c != path.Exam)
            .Distinct()
            .Append(path.Exam);
        // A code always names a catalogue course (checked when the path is configured; courses are never removed).
        return [.. codes.Where(catalogue.ContainsKey).Select(c => catalogue[c].ToCourse())];
    }

    public static Decision Configure(OnboardingPathConfig? existing, ConfigureOnboardingPath command,
        IReadOnlyDictionary<string, CatalogueCourse> catalogue, DateTimeOffset now)
    {
        var errors = new Errors();
        if (command.Common is null) errors.Add("common", "Required: the course codes every hire takes (may be empty).");
        else CheckCodes(command.Common, "common", catalogue, errors);
        foreach (var (skill, codes) in command.BySkill ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            if (!TrainingSkills.All.Contains(skill)) errors.Add($"bySkill.{skill}", $"Unknown skill; one of: {string.Join(", ", TrainingSkills.All)}.");
            else if (codes is null) errors.Add($"bySkill.{skill}", "A list of course codes.");
            else CheckCodes(codes, $"bySkill.{skill}", catalogue, errors);
        }
        if (command.Exam is null || !catalogue.TryGetValue(command.Exam, out var exam)) errors.Add("exam", "Required: the code of a known course.");
        else if (exam.Exam is null) errors.Add("exam", $"Course '{exam.Code}' has no exam (define it with exam.passMark).");
        errors.Check(command.DueAfterDays is >= 1 and <= MaxDueAfterDays, "dueAfterDays", $"Required: 1 to {MaxDueAfterDays}.");
        if (errors.Any) return errors.ToDecision();

        var configured = new OnboardingPathConfigured([.. command.Common!.Distinct()],
            (command.BySkill ?? new Dictionary<string, IReadOnlyList<string>>()).ToDictionary(
                p => p.Key, p => (IReadOnlyList<string>)[.. p.Value.Distinct()]),
            command.Exam!, command.DueAfterDays!.Value, now);
        return existing is not null && existing.Exam == configured.Exam && existing.DueAfterDays == configured.DueAfterDays
               && existing.Common.SequenceEqual(configured.Common) && SameBySkill(existing.BySkill, configured.BySkill)
            ? new Decision.Unchanged()
            : Decision.Of(configured);
    }

    private static void CheckCodes(IReadOnlyList<string> codes, string field, IReadOnlyDictionary<string, CatalogueCourse> catalogue, Errors errors)
    {
        var unknown = codes.Where(c => c is null || !catalogue.ContainsKey(c)).ToList();
        if (unknown.Count > 0) errors.Add(field, $"Unknown course codes: {string.Join(", ", unknown.Select(c => c ?? "null"))}.");
    }

    private static bool SameBySkill(IReadOnlyDictionary<string, IReadOnlyList<string>> a, IReadOnlyDictionary<string, IReadOnlyList<string>> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var other) && other.SequenceEqual(p.Value));
}
