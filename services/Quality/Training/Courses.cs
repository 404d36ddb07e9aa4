using JasperFx.Events;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Training;

/// <summary>A course as a plan lists it (kept small: it travels inside plan events).</summary>
public sealed record Course(string Code, string Title, string Category);

/// <summary>A course with an exam is passed by a score of at least <see cref="PassMark"/> (0-100).</summary>
public sealed record ExamRule(int PassMark);

public static class CourseCategories
{
    public const string PlatformRules = "platformRules", ProductKnowledge = "productKnowledge", Scripts = "scripts", SoftSkills = "softSkills";

    public static readonly IReadOnlyList<string> All = [PlatformRules, ProductKnowledge, Scripts, SoftSkills];
}

/// <summary>The skills Staffing hires for (Staffing's Skills.All); Quality certifies and trains per skill.</summary>
public static class TrainingSkills
{
    public static readonly IReadOnlyList<string> All = ["presales", "aftersales", "hotline"];
}

public sealed record CourseDefined(string Code, string Title, string Category, string? StoreId, string? Skill, ExamRule? Exam,
    DateTimeOffset At);

/// <summary>A course of the catalogue, stream <c>course:{code}</c>, kept as an inline snapshot.</summary>
public sealed record CatalogueCourse(string Id, string Code, string Title, string Category, string? StoreId, string? Skill, ExamRule? Exam,
    DateTimeOffset? DefinedAt, long Version, bool BuiltIn = false)
{
    public static string StreamKey(string code) => $"course:{code}";

    public static CatalogueCourse Create(IEvent<CourseDefined> e) => Of(e.Data, e.Version);

    public CatalogueCourse Apply(IEvent<CourseDefined> e) => Of(e.Data, e.Version);

    public static CatalogueCourse Of(CourseDefined e, long version, bool builtIn = false) =>
        new(StreamKey(e.Code), e.Code, e.Title, e.Category, e.StoreId, e.Skill, e.Exam, builtIn ? null : e.At, version, builtIn);

    public Course ToCourse() => new(Code, Title, Category);
}

/// <summary>The body of PUT /api/quality/courses/{code}.</summary>
public sealed record DefineCourse(string? Title, string? Category, string? StoreId, string? Skill, ExamInput? Exam);

public sealed record ExamInput(int? PassMark);

/// <summary>
/// The catalogue: stored courses over the built-in ones. The built-ins are the original onboarding courses and the remedial
/// course; they need no seeding (a fresh database has them), and a PUT of the same code replaces one.
/// </summary>
public static class Catalogue
{
    public const string RemedialQuality = "remedial-quality";
    public const int OnboardingExamPassMark = 80;

    public static readonly IReadOnlyList<CatalogueCourse> BuiltIn =
    [
        Default("platform-rules", "平台规则 Platform rules (Taobao/Tmall/JD/Douyin)", CourseCategories.PlatformRules),
        Default("product-knowledge", "商品知识 Product knowledge", CourseCategories.ProductKnowledge),
        Default("service-scripts", "话术 Service scripts", CourseCategories.Scripts),
        Default("soft-skills", "沟通技巧 Soft skills", CourseCategories.SoftSkills),
        Default("presales-conversion", "售前询单转化 Pre-sales inquiry conversion", CourseCategories.Scripts, skill: "presales"),
        Default("aftersales-refunds", "售后退换货流程 After-sales returns and refunds", CourseCategories.PlatformRules, skill: "aftersales"),
        Default("hotline-etiquette", "热线电话礼仪 Hotline call handling", CourseCategories.SoftSkills, skill: "hotline"),
        Default("onboarding-exam", "上岗考试 Onboarding exam", CourseCategories.PlatformRules, exam: new ExamRule(OnboardingExamPassMark)),
        Default(RemedialQuality, "质检整改 Remedial: QC findings and service standards", CourseCategories.Scripts),
    ];

    private static CatalogueCourse Default(string code, string title, string category, string? skill = null, ExamRule? exam = null) =>
        CatalogueCourse.Of(new CourseDefined(code, title, category, null, skill, exam, default), 0, builtIn: true);

    public static IReadOnlyDictionary<string, CatalogueCourse> Merge(IEnumerable<CatalogueCourse> stored)
    {
        var all = BuiltIn.ToDictionary(c => c.Code, StringComparer.Ordinal);
        foreach (var course in stored) all[course.Code] = course;
        return all;
    }

    public static async Task<IReadOnlyDictionary<string, CatalogueCourse>> LoadAsync(IQuerySession session, CancellationToken ct) =>
        Merge(await session.Query<CatalogueCourse>().ToListAsync(ct));

    /// <summary>Define or redefine a course; the same definition again changes nothing.</summary>
    public static Decision Define(CatalogueCourse? existing, string code, DefineCourse command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(code), "code", $"Required: {Ids.Rule}.")
            .Check(!string.IsNullOrWhiteSpace(command.Title) && command.Title.Trim().Length <= 200, "title", "Required, at most 200 characters.")
            .Check(command.Category is not null && CourseCategories.All.Contains(command.Category), "category",
                $"Required, one of: {string.Join(", ", CourseCategories.All)}.")
            .Check(command.StoreId is null || Ids.IsValid(command.StoreId), "storeId", $"Optional: {Ids.Rule}.")
            .Check(command.Skill is null || TrainingSkills.All.Contains(command.Skill), "skill",
                $"Optional, one of: {string.Join(", ", TrainingSkills.All)}.")
            .Check(command.Exam is null || command.Exam.PassMark is >= 0 and <= 100, "exam.passMark", "Required with an exam: 0 to 100.");
        if (errors.Any) return errors.ToDecision();
        var defined = new CourseDefined(code, command.Title!.Trim(), command.Category!, command.StoreId, command.Skill,
            command.Exam is null ? null : new ExamRule(command.Exam.PassMark!.Value), now);
        return existing is not null && existing.Title == defined.Title && existing.Category == defined.Category
               && existing.StoreId == defined.StoreId && existing.Skill == defined.Skill && existing.Exam == defined.Exam
            ? new Decision.Unchanged()
            : Decision.Of(defined);
    }
}
