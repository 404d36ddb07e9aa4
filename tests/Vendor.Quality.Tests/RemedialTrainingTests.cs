using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Quality.Reviews;
using Vendor.Quality.Training;
using Vendor.Testing;
using static Vendor.Quality.Tests.CourseAndPathTests;

namespace Vendor.Quality.Tests;

/// <summary>Remedial training after failed or critical reviews, and revocation after repeated critical errors (given events, when a review).</summary>
public class RemedialTrainingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private static readonly RemedialSettings Settings = RemedialSettings.Default;
    private static readonly IReadOnlyDictionary<string, CatalogueCourse> Courses =
        CatalogueWith(Course("tmall-products", storeId: "tmall-1"), Course("jd-products", storeId: "jd-1"),
            Course("tmall-scripts", CourseCategories.Scripts, "tmall-1"));

    private static ReviewFacts Review(string id, double score, bool critical = false, string storeId = "tmall-1", int day = 0,
        string status = ReviewStatus.Completed) => new(id, "a-1", storeId, score, critical, status, Now.AddDays(day));

    private static AgentCertifications Holding(params (string Store, string Skill)[] held) =>
        AgentCertifications.Fold(null, "a-1", held.Select(h => new CertificationGranted("a-1", h.Store, h.Skill, Now.AddDays(-60))));

    /// <summary>Handles reviews one after another as the hook would, folding what each staged.</summary>
    private static (TrainingPlan Plan, AgentCertifications Held, RemedialOutcome Last) Handle(TrainingPlan plan, AgentCertifications held,
        params ReviewFacts[] reviews)
    {
        RemedialOutcome last = new([], []);
        foreach (var review in reviews)
        {
            last = RemedialDecisions.OnReview(plan, held, review, Courses, Settings, Now);
            plan = TrainingPlan.Fold(plan, "a-1", last.Training);
            held = AgentCertifications.Fold(held, "a-1", last.Certifications);
        }
        return (plan, held, last);
    }

    [Fact]
    public void A_review_below_sixty_assigns_the_remedial_course_with_its_reason_and_review_once()
    {
        var (plan, _, first) = Handle(Hired(), Holding(), Review("r-1", 59));

        var assigned = Assert.Single(first.Training.OfType<CourseAssigned>());
        Assert.Equal((Catalogue.RemedialQuality, CourseSources.Remedial, "r-1", "tmall-1"),
            (assigned.Course.Code, assigned.Source, assigned.ReviewId, assigned.StoreId));
        Assert.Contains("59", assigned.Reason);
        var course = Assert.Single(TrainingView.Of(plan).Next, c => c.Code == Catalogue.RemedialQuality);
        Assert.Equal(("r-1", CourseSources.Remedial), (course.ReviewId, course.Source));

        var (_, _, again) = Handle(plan, Holding(), Review("r-1", 59));
        Assert.Empty(again.Training);
        Assert.Empty(again.Certifications);
    }

    [Fact]
    public void A_passing_review_assigns_nothing_but_is_noted()
    {
        var (plan, _, outcome) = Handle(Hired(), Holding(), Review("r-1", Settings.PassScore));

        Assert.IsType<ReviewOutcomeNoted>(Assert.Single(outcome.Training));
        Assert.Single(plan.NotedReviews);
    }

    [Fact]
    public void A_critical_review_also_assigns_the_stores_product_knowledge_courses()
    {
        var (_, _, outcome) = Handle(Hired(), Holding(), Review("r-1", 0, critical: true));

        Assert.Equal([Catalogue.RemedialQuality, "tmall-products"], outcome.Training.OfType<CourseAssigned>().Select(c => c.Course.Code));
        Assert.Contains("critical", outcome.Training.OfType<CourseAssigned>().First().Reason);
    }

    [Fact]
    public void A_remedial_course_already_done_is_assigned_again_by_a_later_review()
    {
        var (plan, _, _) = Handle(Hired(), Holding(), Review("r-1", 40));
        plan = TrainingPlan.Fold(plan, "a-1",
            Assert.IsType<Vendor.ServiceDefaults.Decision.Append>(TrainingDecisions.Complete(plan, Courses[Catalogue.RemedialQuality], Now)).Events);

        (plan, _, _) = Handle(plan, Holding(), Review("r-2", 50, day: 1));

        var course = plan.Find(Catalogue.RemedialQuality)!;
        Assert.Equal((CourseStatus.Assigned, "r-2"), (course.Status, course.ReviewId));
    }

    [Fact]
    public void A_review_overturned_to_critical_adds_the_store_course_the_first_handling_did_not_assign()
    {
        var (plan, _, _) = Handle(Hired(), Holding(), Review("r-1", 50));

        var (_, _, overturned) = Handle(plan, Holding(), Review("r-1", 0, critical: true, status: ReviewStatus.Overturned));

        Assert.Equal(["tmall-products"], overturned.Training.OfType<CourseAssigned>().Select(c => c.Course.Code));
    }

    [Fact]
    public void Two_critical_reviews_on_a_store_within_thirty_days_revoke_every_certification_held_for_that_store()
    {
        var held = Holding(("tmall-1", "presales"), ("tmall-1", "hotline"), ("jd-1", "presales"));

        var (_, after, first) = Handle(Hired(), held, Review("r-1", 0, critical: true));
        Assert.Empty(first.Certifications);
        var (_, revokedState, second) = Handle(TrainingPlan.Fold(Hired(), "a-1", first.Training), after, Review("r-2", 0, critical: true, day: 30));

        var revoked = second.Certifications.Cast<CertificationRevoked>().ToList();
        Assert.Equal([("tmall-1", "hotline"), ("tmall-1", "presales")], revoked.Select(r => (r.StoreId, r.Skill)));
        Assert.All(revoked, r => Assert.Equal(["r-1", "r-2"], r.ReviewIds));
        Assert.Contains("2 critical QC errors", revoked[0].Reason);
        Assert.Equal([("jd-1", "presales")], revokedState.Held.Select(h => (h.StoreId, h.Skill)));
    }

    [Fact]
    public void Critical_reviews_further_apart_on_other_stores_or_a_single_one_revoke_nothing()
    {
        var held = Holding(("tmall-1", "presales"), ("jd-1", "presales"));

        Assert.Empty(Handle(Hired(), held, Review("r-1", 0, critical: true), Review("r-2", 0, critical: true, day: 31)).Last.Certifications);
        Assert.Empty(Handle(Hired(), held, Review("r-1", 0, critical: true), Review("r-2", 0, critical: true, storeId: "jd-1", day: 1)).Last.Certifications);
        Assert.Empty(Handle(Hired(), held, Review("r-1", 0, critical: true), Review("r-2", 30, day: 1)).Last.Certifications);
    }

    [Fact]
    public void A_dispute_of_an_already_counted_critical_review_does_not_revoke_a_certification_earned_again()
    {
        var (plan, held, _) = Handle(Hired(), Holding(("tmall-1", "presales")), Review("r-1", 0, critical: true), Review("r-2", 0, critical: true, day: 2));
        Assert.Empty(held.Held);
        held = AgentCertifications.Fold(held, "a-1", [new CertificationGranted("a-1", "tmall-1", "presales", Now.AddDays(5))]);

        var (_, after, disputed) = Handle(plan, held, Review("r-2", 0, critical: true, day: 2, status: ReviewStatus.Disputed));

        Assert.IsType<ReviewOutcomeNoted>(Assert.Single(disputed.Training));
        Assert.Empty(disputed.Certifications);
        Assert.Single(after.Held);
    }

    [Fact]
    public void An_overturn_that_leaves_too_few_critical_reviews_reinstates_what_the_revocation_took()
    {
        var (plan, held, _) = Handle(Hired(), Holding(("tmall-1", "presales"), ("tmall-1", "aftersales")),
            Review("r-1", 0, critical: true), Review("r-2", 0, critical: true, day: 2));

        var (_, after, overturned) = Handle(plan, held, Review("r-2", 85, day: 2, status: ReviewStatus.Overturned));

        var reinstated = overturned.Certifications.Cast<CertificationGranted>().ToList();
        Assert.Equal(["aftersales", "presales"], reinstated.Select(g => g.Skill));
        Assert.All(reinstated, g => Assert.Contains("Reinstated", g.Reason));
        Assert.Equal(2, after.Held.Count);
        Assert.Equal(Catalogue.RemedialQuality, plan.Find(Catalogue.RemedialQuality)!.Code); // remedial courses stay
    }

    [Fact]
    public void An_overturn_reinstates_nothing_while_enough_critical_reviews_remain_or_after_a_new_certification()
    {
        var (plan, held, _) = Handle(Hired(), Holding(("tmall-1", "presales")),
            Review("r-1", 0, critical: true), Review("r-2", 0, critical: true, day: 1), Review("r-3", 0, critical: true, day: 2));
        var revocation = held.Changes.Single(c => c.Change == CertificationChanges.Revoked);
        Assert.Equal(["r-1", "r-2"], revocation.ReviewIds);
        // r-3 was critical when nothing was held any more: the revocation counted r-1 and r-2.
        Assert.Empty(Handle(plan, held, Review("r-3", 90, day: 2, status: ReviewStatus.Overturned)).Last.Certifications);

        var recertified = AgentCertifications.Fold(held, "a-1", [new CertificationGranted("a-1", "tmall-1", "presales", Now.AddDays(4))]);
        Assert.Empty(Handle(plan, recertified, Review("r-2", 90, day: 1, status: ReviewStatus.Overturned)).Last.Certifications);
    }
}

/// <summary>The hook as the reviews code calls it: staged in the caller's session, committed by the caller.</summary>
public class TrainingOnReviewsHookTests(ServiceFixture<QualityApi> fixture) : IClassFixture<ServiceFixture<QualityApi>>
{
    private static QcReview Review(string reviewId, string agentId, double score, bool critical, DateTimeOffset completedAt) =>
        new(QcReview.StreamKey(reviewId), reviewId, "tmall-hook", $"c-{reviewId}", agentId, DateOnly.FromDateTime(completedAt.UtcDateTime),
            "inspector-1", "rubric-1", 1, [], critical ? ["promised-refund"] : [], score, critical, ReviewStatus.Completed, 1, null, completedAt, null);

    [Fact]
    public async Task Two_critical_reviews_handled_in_one_session_assign_remedial_training_and_revoke_the_stores_certification()
    {
        var store = fixture.Host.Services.GetRequiredService<IDocumentStore>();
        var agentId = $"a-{Guid.NewGuid():N}"[..14];
        var revocations = new System.Collections.Concurrent.ConcurrentQueue<Contracts.AgentCertificationRevoked>();
        var listener = fixture.Host.Services.GetRequiredService<IBus>().ConnectReceiveEndpoint($"quality-test-revoked-{Guid.NewGuid():N}", e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.AutoDelete = true;
            e.Handler<Contracts.AgentCertificationRevoked>(c =>
            {
                revocations.Enqueue(c.Message);
                return Task.CompletedTask;
            });
        });
        await listener.Ready;
        var now = DateTimeOffset.UtcNow;
        await using (var seed = store.LightweightSession())
        {
            seed.Events.Append(TrainingPlan.StreamKey(agentId), [.. TrainingDecisions.OnHired(null,
                new Contracts.AgentHired(agentId, "赵雷", "t", ["presales"], new DateOnly(2026, 10, 1), now), now)]);
            seed.Events.Append(AgentCertifications.StreamKey(agentId), new CertificationGranted(agentId, "tmall-hook", "presales", now.AddDays(-40)));
            await seed.SaveChangesAsync();
        }

        await using (var session = store.LightweightSession())
        {
            await TrainingOnReviews.OnReviewAsync(session, Review("rh-1", agentId, 0, true, now.AddDays(-3)), now, default);
            await TrainingOnReviews.OnReviewAsync(session, Review("rh-2", agentId, 0, true, now.AddDays(-1)), now, default);
            await using (var other = store.QuerySession())
                Assert.Empty((await other.LoadAsync<TrainingPlan>(TrainingPlan.StreamKey(agentId)))!.NotedReviews); // only staged: the caller commits
            await session.SaveChangesAsync();
        }

        var ops = fixture.Host.OpsClient();
        var training = await ops.GetFromJsonAsync<JsonElement>($"/api/quality/agents/{agentId}/training");
        Assert.Equal(7, training.GetProperty("next").GetArrayLength()); // the onboarding path, then the remedial course
        var remedial = training.GetProperty("next")[6];
        Assert.Equal(("remedial-quality", "remedial", "rh-2"), (remedial.GetProperty("code").GetString(), remedial.GetProperty("source").GetString(),
            remedial.GetProperty("reviewId").GetString()));
        var certifications = await ops.GetFromJsonAsync<JsonElement>($"/api/quality/agents/{agentId}/certifications");
        Assert.Empty(certifications.GetProperty("held").EnumerateArray());
        Assert.Equal("revoked", certifications.GetProperty("history")[1].GetProperty("change").GetString());
        var published = await Eventually.Until(() => Task.FromResult(revocations.FirstOrDefault(m => m.AgentId == agentId)), m => m is not null,
            what: "AgentCertificationRevoked on the bus");
        Assert.Equal(("tmall-hook", "presales"), (published!.StoreId, published.Skill));
        Assert.Contains("rh-1, rh-2", published.Reason);
        await listener.StopAsync();
    }
}
