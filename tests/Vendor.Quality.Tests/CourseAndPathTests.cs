using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Tests;

/// <summary>The course catalogue, the configurable onboarding path and progress through a plan (given events, when a command, then events).</summary>
public class CourseAndPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyDictionary<string, CatalogueCourse> BuiltIn = Catalogue.Merge([]);

    internal static CatalogueCourse Course(string code, string category = CourseCategories.ProductKnowledge, string? storeId = null,
        int? passMark = null) =>
        CatalogueCourse.Of(new CourseDefined(code, $"Course {code}", category, storeId, null, passMark is { } p ? new ExamRule(p) : null, Now), 1);

    internal static IReadOnlyDictionary<string, CatalogueCourse> CatalogueWith(params CatalogueCourse[] courses) => Catalogue.Merge(courses);

    internal static TrainingPlan Hired(string agentId = "a-1", params string[] skills) =>
        TrainingPlan.Fold(null, agentId, TrainingDecisions.OnHired(null,
            new Contracts.AgentHired(agentId, "王小美", "t", skills.Length == 0 ? ["presales"] : skills, new DateOnly(2026, 11, 1), Now), Now));

    private static IReadOnlyList<object> Events(Decision decision) => Assert.IsType<Decision.Append>(decision).Events;

    private static IReadOnlyDictionary<string, string[]> Errors(Decision decision) => Assert.IsType<Decision.Invalid>(decision).Errors;

    [Fact]
    public void The_catalogue_has_the_original_onboarding_courses_and_the_remedial_course_without_seeding()
    {
        Assert.Equal(["aftersales-refunds", "hotline-etiquette", "onboarding-exam", "platform-rules", "presales-conversion", "product-knowledge",
            "remedial-quality", "service-scripts", "soft-skills"], BuiltIn.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new ExamRule(Catalogue.OnboardingExamPassMark), BuiltIn["onboarding-exam"].Exam);
        Assert.All(BuiltIn.Values, c => Assert.Contains(c.Category, CourseCategories.All));
    }

    [Fact]
    public void A_stored_course_replaces_the_built_in_of_the_same_code()
    {
        var merged = CatalogueWith(Course("onboarding-exam", CourseCategories.PlatformRules, passMark: 90));

        Assert.Equal(90, merged["onboarding-exam"].Exam!.PassMark);
        Assert.False(merged["onboarding-exam"].BuiltIn);
    }

    [Fact]
    public void Defining_a_course_checks_every_field_and_a_repeat_changes_nothing()
    {
        var invalid = Errors(Catalogue.Define(null, "bad code!", new DefineCourse(" ", "exam", "bad store!", "chat", new ExamInput(101)), Now));
        Assert.Equal(["category", "code", "exam.passMark", "skill", "storeId", "title"], invalid.Keys.Order(StringComparer.Ordinal));

        var command = new DefineCourse("天猫旗舰店商品知识", CourseCategories.ProductKnowledge, "tmall-1", "presales", new ExamInput(70));
        var defined = Assert.IsType<CourseDefined>(Assert.Single(Events(Catalogue.Define(null, "tmall-1-products", command, Now))));
        Assert.Equal(("tmall-1", "presales", 70), (defined.StoreId, defined.Skill, defined.Exam!.PassMark));

        var stored = CatalogueCourse.Of(defined, 1);
        Assert.IsType<Decision.Unchanged>(Catalogue.Define(stored, "tmall-1-products", command, Now.AddHours(1)));
        Assert.Null(Assert.IsType<CourseDefined>(Assert.Single(Events(Catalogue.Define(stored, "tmall-1-products", command with { Exam = null },
            Now)))).Exam);
    }

    [Fact]
    public void The_default_path_is_the_original_one()
    {
        Assert.Equal(["platform-rules", "product-knowledge", "service-scripts", "soft-skills", "presales-conversion", "onboarding-exam"],
            OnboardingPath.For(OnboardingPath.Default, BuiltIn, ["presales"]).Select(c => c.Code));
    }

    [Fact]
    public void Configuring_the_path_refuses_unknown_courses_and_skills_and_an_exam_without_an_exam()
    {
        var command = new ConfigureOnboardingPath(["platform-rules", "nope"],
            new Dictionary<string, IReadOnlyList<string>> { ["presales"] = ["missing"], ["chat"] = ["soft-skills"] }, "soft-skills", 0);

        var errors = Errors(OnboardingPath.Configure(null, command, BuiltIn, Now));

        Assert.Equal(["bySkill.chat", "bySkill.presales", "common", "dueAfterDays", "exam"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("nope", errors["common"][0]);
        Assert.Contains("missing", errors["bySkill.presales"][0]);
        Assert.Contains("no exam", errors["exam"][0]);
        Assert.Contains("common", Errors(OnboardingPath.Configure(null, command with { Common = null }, BuiltIn, Now)).Keys);
    }

    [Fact]
    public void A_hire_gets_the_path_in_force_and_a_repeat_of_the_same_path_changes_nothing()
    {
        var catalogue = CatalogueWith(Course("douyin-rules", CourseCategories.PlatformRules), Course("live-selling", CourseCategories.Scripts),
            Course("final-exam", CourseCategories.PlatformRules, passMark: 75));
        var command = new ConfigureOnboardingPath(["douyin-rules", "soft-skills"],
            new Dictionary<string, IReadOnlyList<string>> { ["presales"] = ["live-selling", "presales-conversion"], ["hotline"] = ["hotline-etiquette"] },
            "final-exam", 14);
        var configured = Assert.IsType<OnboardingPathConfigured>(Assert.Single(Events(OnboardingPath.Configure(null, command, catalogue, Now))));
        var path = new OnboardingPathConfig(OnboardingPathConfig.Key, configured.Common, configured.BySkill, configured.Exam, configured.DueAfterDays,
            Now, 1);

        Assert.IsType<Decision.Unchanged>(OnboardingPath.Configure(path, command, catalogue, Now));
        var hired = new Contracts.AgentHired("a-9", "李雷", "t", ["presales", "aftersales"], new DateOnly(2026, 11, 10), Now);
        var assigned = Assert.IsType<OnboardingPathAssigned>(Assert.Single(TrainingDecisions.OnHired(null, hired, path, catalogue, Now)));
        Assert.Equal(["douyin-rules", "soft-skills", "live-selling", "presales-conversion", "final-exam"], assigned.Courses.Select(c => c.Code));
        Assert.Equal(new DateOnly(2026, 11, 24), assigned.DueOn);
    }

    [Fact]
    public void A_plan_started_by_a_remedial_course_gets_the_path_when_the_hire_arrives_and_keeps_the_course()
    {
        var remedial = new CourseAssigned("a-2", BuiltIn["remedial-quality"].ToCourse(), CourseSources.Remedial, "QC", "r-1", "s-1", Now);
        var plan = TrainingPlan.Fold(null, "a-2", [remedial]);
        Assert.Equal("", plan.Path);

        var hired = new Contracts.AgentHired("a-2", "韩梅梅", "t", ["hotline"], new DateOnly(2026, 11, 1), Now);
        var after = TrainingPlan.Fold(plan, "a-2", TrainingDecisions.OnHired(plan, hired, Now));

        Assert.Equal(OnboardingPath.Name, after.Path);
        Assert.Equal(["platform-rules", "product-knowledge", "service-scripts", "soft-skills", "hotline-etiquette", "onboarding-exam", "remedial-quality"],
            after.Courses.Select(c => c.Code));
        Assert.Empty(TrainingDecisions.OnHired(after, hired, Now));
    }

    [Fact]
    public void Starting_completing_and_the_view_of_received_current_and_next()
    {
        var plan = Hired();
        plan = TrainingPlan.Fold(plan, "a-1", Events(TrainingDecisions.Complete(plan, BuiltIn["platform-rules"], Now)));
        plan = TrainingPlan.Fold(plan, "a-1", Events(TrainingDecisions.Start(plan, BuiltIn["soft-skills"], Now)));

        Assert.IsType<Decision.Unchanged>(TrainingDecisions.Start(plan, BuiltIn["soft-skills"], Now));
        Assert.IsType<Decision.Unchanged>(TrainingDecisions.Complete(plan, BuiltIn["platform-rules"], Now));
        Assert.IsType<Decision.Conflict>(TrainingDecisions.Start(plan, BuiltIn["platform-rules"], Now));
        var view = TrainingView.Of(plan);
        Assert.Equal(["platform-rules"], view.Received.Select(c => c.Code));
        Assert.Equal(["soft-skills"], view.Current.Select(c => c.Code));
        Assert.Equal(["product-knowledge", "service-scripts", "presales-conversion", "onboarding-exam"], view.Next.Select(c => c.Code));
        Assert.Equal((CourseStatus.Completed, Now), (plan.Find("platform-rules")!.Status, plan.Find("platform-rules")!.CompletedAt));
    }

    [Fact]
    public void An_exam_course_is_passed_by_its_score_retakes_are_kept_and_completing_it_is_a_conflict()
    {
        var plan = Hired();
        var exam = BuiltIn["onboarding-exam"];

        Assert.IsType<Decision.Conflict>(TrainingDecisions.Complete(plan, exam, Now));
        Assert.IsType<Decision.Conflict>(TrainingDecisions.Exam(plan, BuiltIn["soft-skills"], new TakeExam(90), Now));
        Assert.Equal(["score"], Errors(TrainingDecisions.Exam(plan, exam, new TakeExam(120), Now)).Keys);
        Assert.Equal(["score"], Errors(TrainingDecisions.Exam(plan, exam, new TakeExam(null), Now)).Keys);

        var failed = Assert.IsType<ExamTaken>(Assert.Single(Events(TrainingDecisions.Exam(plan, exam, new TakeExam(79.5), Now))));
        Assert.False(failed.Passed);
        plan = TrainingPlan.Fold(plan, "a-1", [failed]);
        Assert.Equal(CourseStatus.Failed, plan.Find("onboarding-exam")!.Status);
        Assert.Equal(["onboarding-exam"], TrainingView.Of(plan).Current.Select(c => c.Code));

        plan = TrainingPlan.Fold(plan, "a-1", Events(TrainingDecisions.Exam(plan, exam, new TakeExam(80), Now.AddDays(1))));
        var course = plan.Find("onboarding-exam")!;
        Assert.Equal(CourseStatus.Passed, course.Status);
        Assert.Equal([(79.5, false), (80, true)], course.Attempts!.Select(a => (a.Score, a.Passed)));
        Assert.Equal(Now.AddDays(1), course.PassedAt);

        // A failed retake after a pass (re-certification) keeps the course passed and the history grows.
        plan = TrainingPlan.Fold(plan, "a-1", Events(TrainingDecisions.Exam(plan, exam, new TakeExam(10), Now.AddDays(2))));
        Assert.Equal((CourseStatus.Passed, 3), (plan.Find("onboarding-exam")!.Status, plan.Find("onboarding-exam")!.Attempts!.Count));
    }

    [Fact]
    public void A_course_outside_the_plan_is_assigned_with_a_reason_once_while_it_is_still_to_do()
    {
        var catalogue = CatalogueWith(Course("jd-products", storeId: "jd-1"));
        var plan = Hired();

        Assert.Equal(["code", "reason"], Errors(TrainingDecisions.Assign(plan, new AssignCourse("nope", ""), catalogue, Now)).Keys.Order());
        var assigned = Assert.IsType<CourseAssigned>(Assert.Single(Events(TrainingDecisions.Assign(plan, new AssignCourse("jd-products", "新店上线"),
            catalogue, Now))));
        Assert.Equal((CourseSources.Assigned, "新店上线"), (assigned.Source, assigned.Reason));
        plan = TrainingPlan.Fold(plan, "a-1", [assigned]);
        Assert.Equal("jd-products", TrainingView.Of(plan).Next[^1].Code);
        Assert.IsType<Decision.Unchanged>(TrainingDecisions.Assign(plan, new AssignCourse("jd-products", "again"), catalogue, Now));

        // Done courses can be assigned again (to redo); what certification counted stays.
        plan = TrainingPlan.Fold(plan, "a-1", Events(TrainingDecisions.Complete(plan, catalogue["jd-products"], Now)));
        plan = TrainingPlan.Fold(plan, "a-1", Events(TrainingDecisions.Assign(plan, new AssignCourse("jd-products", "refresh"), catalogue, Now)));
        Assert.Equal((CourseStatus.Assigned, "refresh", true), (plan.Find("jd-products")!.Status, plan.Find("jd-products")!.Reason,
            plan.Find("jd-products")!.EverDone));
    }

    [Fact]
    public void Taking_a_course_that_is_not_in_the_plan_assigns_it_first()
    {
        var catalogue = CatalogueWith(Course("jd-products", storeId: "jd-1"));
        var events = Events(TrainingDecisions.Start(Hired(), catalogue["jd-products"], Now));

        Assert.Equal((CourseSources.Taken, "jd-products"), (Assert.IsType<CourseAssigned>(events[0]).Source, ((CourseAssigned)events[0]).Course.Code));
        Assert.IsType<CourseStarted>(events[1]);
    }
}
