namespace Vendor.Quality.Training;

public sealed record Course(string Code, string Title, string Category);

/// <summary>
/// The onboarding path a new hire follows (DOMAIN.md, "QC and training"): the four common courses, one course per
/// skill the agent was hired for, then the onboarding exam. Due by the end of the first (probation) month.
/// </summary>
public static class OnboardingPath
{
    public const string Name = "onboarding";
    public const int DueAfterDays = 30;

    private static readonly Course[] Common =
    [
        new("platform-rules", "平台规则 Platform rules (Taobao/Tmall/JD/Douyin)", "platformRules"),
        new("product-knowledge", "商品知识 Product knowledge", "productKnowledge"),
        new("service-scripts", "话术 Service scripts", "scripts"),
        new("soft-skills", "沟通技巧 Soft skills", "softSkills"),
    ];

    private static readonly Dictionary<string, Course> BySkill = new()
    {
        ["presales"] = new("presales-conversion", "售前询单转化 Pre-sales inquiry conversion", "scripts"),
        ["aftersales"] = new("aftersales-refunds", "售后退换货流程 After-sales returns and refunds", "platformRules"),
        ["hotline"] = new("hotline-etiquette", "热线电话礼仪 Hotline call handling", "softSkills"),
    };

    private static readonly Course Exam = new("onboarding-exam", "上岗考试 Onboarding exam", "exam");

    public static IReadOnlyList<Course> For(IEnumerable<string> skills) =>
    [
        .. Common,
        .. skills.Distinct().Order(StringComparer.Ordinal).Where(BySkill.ContainsKey).Select(s => BySkill[s]),
        Exam,
    ];
}
