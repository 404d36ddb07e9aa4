using Vendor.Quality.Conversations;
using Vendor.Quality.Inspectors;
using Vendor.Quality.Reviews;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Tests;

public class ReviewTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static readonly RubricVersion Rubric = new("default", 1, "r", [],
    [
        new("greeting", "g", 20, false),
        new("accuracy", "a", 50, false),
        new("attitude", "t", 30, false),
        new("rude", "rude", 0, true),
    ], Now);

    private static readonly QueueItem Sample = new("s-1", "c-1", "a-1", new DateOnly(2026, 11, 2), Now.AddDays(-18), SampleReasons.Random, 0, [], "i-1",
        Now.AddDays(-18), "chat", "presales", null, false, false, 20, false);

    private static Inspector Inspector(string id, bool senior = false, params string[] stores) => new($"inspector:{id}", id, id, senior, stores, true, 1);

    private static ItemScore[] Full => [new("greeting", 20), new("accuracy", 50), new("attitude", 30)];

    private static SubmitReview Submit(ItemScore[] scores, params string[] critical) => new("s-1", "c-1", "a-1", "i-1", scores, critical, "ok");

    private static ReviewCompleted Completed(Decision decision) =>
        Assert.IsType<ReviewCompleted>(Assert.Single(Assert.IsType<Decision.Append>(decision).Events));

    [Fact]
    public void The_score_is_points_over_the_rubric_maximum()
    {
        var review = Completed(ReviewDecisions.Review(Submit([new("greeting", 15), new("accuracy", 40), new("attitude", 30)]), Sample, null,
            Inspector("i-1"), Rubric, "qc-1", Now));

        Assert.Equal(85, review.Score);
        Assert.False(review.Critical);
        Assert.Equal(("default", 1, new DateOnly(2026, 11, 2)), (review.RubricId, review.RubricVersion, review.LocalDate));
    }

    [Fact]
    public void A_critical_error_zeroes_the_review_whatever_the_points()
    {
        var review = Completed(ReviewDecisions.Review(Submit(Full, "rude"), Sample, null, Inspector("i-1"), Rubric, "qc-1", Now));

        Assert.Equal(0, review.Score);
        Assert.True(review.Critical);
        Assert.Equal(["rude"], review.CriticalErrors);
    }

    [Fact]
    public void Every_scored_item_once_within_its_weight_and_only_critical_items_as_errors()
    {
        var invalid = Assert.IsType<Decision.Invalid>(ReviewDecisions.Review(
            Submit([new("greeting", 25), new("accuracy", 10), new("accuracy", 10), new("bonus", 5)], "greeting"), Sample, null, Inspector("i-1"),
            Rubric, "qc-1", Now));

        Assert.Equal(["criticalErrors", "scores", "scores.accuracy", "scores.attitude", "scores.greeting"], invalid.Errors.Keys.Order());
    }

    [Fact]
    public void Only_an_active_inspector_covering_the_store_reviews_and_only_once()
    {
        Assert.Contains("inspectorId", Assert.IsType<Decision.Invalid>(
            ReviewDecisions.Review(Submit(Full), Sample, null, null, Rubric, "qc-1", Now)).Errors.Keys);
        Assert.Contains("inspectorId", Assert.IsType<Decision.Invalid>(
            ReviewDecisions.Review(Submit(Full), Sample, null, Inspector("i-1", false, "other"), Rubric, "qc-1", Now)).Errors.Keys);
        Assert.Contains("inspectorId", Assert.IsType<Decision.Invalid>(
            ReviewDecisions.Review(Submit(Full), Sample, null, Inspector("i-1") with { Active = false }, Rubric, "qc-1", Now)).Errors.Keys);
        Assert.IsType<Decision.Conflict>(ReviewDecisions.Review(Submit(Full), Sample, "qc-0", Inspector("i-1"), Rubric, "qc-1", Now));
    }

    private static QcReview Reviewed(params string[] critical) =>
        QcReview.Of(Completed(ReviewDecisions.Review(Submit([new("greeting", 10), new("accuracy", 30), new("attitude", 20)], critical), Sample, null,
            Inspector("i-1"), Rubric, "qc-1", Now)));

    [Fact]
    public void The_reviewed_agent_disputes_within_seven_days_once()
    {
        var review = Reviewed();
        Assert.Contains("agentId", Assert.IsType<Decision.Invalid>(ReviewDecisions.Dispute(review, new("a-2", "not me"), Now)).Errors.Keys);
        Assert.IsType<Decision.Conflict>(ReviewDecisions.Dispute(review, new("a-1", "late"), Now.AddDays(7).AddSeconds(1)));

        var disputed = Assert.IsType<ReviewDisputed>(Assert.Single(Assert.IsType<Decision.Append>(ReviewDecisions.Dispute(review, new("a-1", "客户先骂人"), Now.AddDays(1))).Events));
        var after = review.Apply(disputed);
        Assert.Equal(ReviewStatus.Disputed, after.Status);
        Assert.IsType<Decision.Unchanged>(ReviewDecisions.Dispute(after, new("a-1", "客户先骂人"), Now.AddDays(1)));
        Assert.IsType<Decision.Conflict>(ReviewDecisions.Dispute(after, new("a-1", "another reason"), Now.AddDays(1)));
    }

    [Fact]
    public void Only_a_senior_inspector_who_did_not_review_decides_and_upholding_keeps_the_score()
    {
        var disputed = Reviewed().Apply(new ReviewDisputed("qc-1", "a-1", "why", Now));
        var uphold = new DecideDispute("i-9", "upheld", "score stands", null, null);

        Assert.Contains("inspectorId", Assert.IsType<Decision.Invalid>(ReviewDecisions.Decide(disputed, uphold, Inspector("i-9"), Rubric, Now)).Errors.Keys);
        Assert.Contains("inspectorId", Assert.IsType<Decision.Invalid>(
            ReviewDecisions.Decide(disputed, uphold with { InspectorId = "i-1" }, Inspector("i-1", true), Rubric, Now)).Errors.Keys);
        Assert.Contains("outcome", Assert.IsType<Decision.Invalid>(
            ReviewDecisions.Decide(disputed, uphold with { Outcome = "maybe" }, Inspector("i-9", true), Rubric, Now)).Errors.Keys);

        var upheld = ReviewDecisions.Applied(disputed, Assert.IsType<Decision.Append>(ReviewDecisions.Decide(disputed, uphold, Inspector("i-9", true), Rubric, Now)).Events);
        Assert.Equal((ReviewStatus.Upheld, 60.0, 1), (upheld.Status, upheld.Score, upheld.Revision));
        Assert.IsType<Decision.Unchanged>(ReviewDecisions.Decide(upheld, uphold, Inspector("i-9", true), Rubric, Now));
        Assert.IsType<Decision.Conflict>(ReviewDecisions.Decide(Reviewed(), uphold, Inspector("i-9", true), Rubric, Now));
    }

    [Fact]
    public void Overturning_re_scores_against_the_same_rubric_and_raises_the_revision()
    {
        var disputed = Reviewed("rude").Apply(new ReviewDisputed("qc-1", "a-1", "the customer insulted me first; I stayed polite", Now));
        Assert.Equal(0, disputed.Score);
        var overturn = new DecideDispute("i-9", "overturned", "no rudeness in the transcript", [new("greeting", 20), new("accuracy", 45), new("attitude", 30)], []);

        var events = Assert.IsType<Decision.Append>(ReviewDecisions.Decide(disputed, overturn, Inspector("i-9", true), Rubric, Now)).Events;
        var overturned = Assert.IsType<ReviewOverturned>(Assert.Single(events));
        Assert.Equal((95.0, false, 2), (overturned.Score, overturned.Critical, overturned.Revision));
        var after = ReviewDecisions.Applied(disputed, events);
        Assert.Equal((ReviewStatus.Overturned, 95.0, 0.0, 2), (after.Status, after.Score, after.OriginalScore, after.Revision));
        Assert.Equal("i-9", after.Dispute!.DecidedBy);

        var published = Assert.IsType<Contracts.QcReviewCompleted>(IntegrationEvents.Map(new JasperFx.Events.Event<ReviewOverturned>(overturned)));
        Assert.Equal(("qc-1", "s-1", "c-1", "a-1", 95.0, false, 2), (published.ReviewId, published.StoreId, published.ConversationId, published.AgentId,
            published.Score, published.Critical, published.Revision));
        Assert.Contains("scores.accuracy", Assert.IsType<Decision.Invalid>(
            ReviewDecisions.Decide(disputed, overturn with { Scores = [new("greeting", 20)] }, Inspector("i-9", true), Rubric, Now)).Errors.Keys);
    }

    [Fact]
    public void A_completed_review_publishes_revision_one_with_its_critical_flag()
    {
        var completed = Completed(ReviewDecisions.Review(Submit(Full, "rude"), Sample, null, Inspector("i-1"), Rubric, "qc-1", Now));
        var published = Assert.IsType<Contracts.QcReviewCompleted>(IntegrationEvents.Map(new JasperFx.Events.Event<ReviewCompleted>(completed)));
        Assert.Equal((0.0, true, 1), (published.Score, published.Critical, published.Revision));
    }

    [Fact]
    public void Rubrics_are_versioned_and_a_store_is_scored_against_one()
    {
        PublishRubric Cmd(params string[] stores) => new("JD 质检表", stores, [new("a", "A", 60, false), new("b", "B", 40, false), new("x", "X", 0, true)]);
        var v1 = Assert.IsType<RubricPublished>(Assert.Single(Assert.IsType<Decision.Append>(Rubrics.Publish(null, "jd", Cmd("s-1"), [], Now)).Events));
        Assert.Equal(1, v1.Version);
        var jd = new Rubric("rubric:jd", "jd", [new("jd", 1, v1.Name, v1.StoreIds, v1.Items, Now)], 1);

        Assert.IsType<Decision.Unchanged>(Rubrics.Publish(jd, "jd", Cmd("s-1"), [jd], Now));
        var v2 = Assert.IsType<RubricPublished>(Assert.Single(Assert.IsType<Decision.Append>(Rubrics.Publish(jd, "jd", Cmd("s-1", "s-2"), [jd], Now)).Events));
        Assert.Equal(2, v2.Version);
        Assert.IsType<Decision.Conflict>(Rubrics.Publish(null, "tmall", Cmd("s-1"), [jd], Now));

        Assert.Equal("jd", Rubrics.InForce([jd], "s-1").RubricId);
        Assert.Same(Rubrics.BuiltIn, Rubrics.InForce([jd], "s-9"));
        Assert.Same(Rubrics.BuiltIn, Rubrics.Version(null, "default", 0));
        Assert.Equal(100, Rubrics.BuiltIn.MaxPoints);

        var invalid = Assert.IsType<Decision.Invalid>(Rubrics.Publish(null, "bad", new PublishRubric("", [], [new("a", "A", 0, false), new("a", "", 5, true)]), [], Now));
        Assert.Equal(["items", "items[0].weight", "items[1].title", "items[1].weight", "name", "storeIds"], invalid.Errors.Keys.Order());
    }
}

public class CalibrationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly RubricVersion Rubric = new("default", 1, "r", [], [new("all", "all", 100, false), new("rude", "rude", 0, true)], Now);
    private static readonly CalibrationItem C1 = new("s-1", "c-1", "a-1"), C2 = new("s-1", "c-2", "a-2");

    private static Calibration Opened() =>
        Calibration.Create(new JasperFx.Events.Event<CalibrationOpened>(new CalibrationOpened("cal-1", "11月校准", [C1, C2], ["i-1", "i-2", "i-3"], Now))
        {
            StreamKey = Calibration.StreamKey("cal-1"),
        });

    private static Calibration Scored(Calibration c, string inspector, CalibrationItem item, double points, bool critical = false) =>
        c.Apply(Assert.IsType<CalibrationScored>(Assert.Single(Assert.IsType<Decision.Append>(Calibrations.Score(c,
            new ScoreCalibration(inspector, item.StoreId, item.ConversationId, item.AgentId, [new("all", points)], critical ? ["rude"] : []), Rubric, Now)).Events)));

    [Fact]
    public void Each_inspector_deviation_from_the_consensus_shows_who_is_lenient()
    {
        var c = Opened();
        c = Scored(c, "i-1", C1, 90);
        c = Scored(c, "i-2", C1, 80);
        c = Scored(c, "i-3", C1, 70);
        c = Scored(c, "i-1", C2, 60, critical: true); // 0, the majority too
        c = Scored(c, "i-2", C2, 70, critical: true);
        c = Scored(c, "i-3", C2, 75);

        var report = Calibrations.Report(c);

        Assert.Equal(1.0, report.Completion);
        var c1 = report.ByConversation[0];
        Assert.Equal((80.0, 20.0), (c1.Mean!.Value, c1.Spread!.Value));
        var i1 = report.ByInspector.Single(i => i.InspectorId == "i-1");
        var i3 = report.ByInspector.Single(i => i.InspectorId == "i-3");
        // C1: +10 / -10; C2 scores 0, 0, 75 (mean 25): -25 / +50.
        Assert.Equal((-7.5, 17.5, 0), (i1.MeanDeviation!.Value, i1.MeanAbsoluteDeviation!.Value, i1.CriticalDisagreements));
        Assert.Equal((20.0, 30.0, 1), (i3.MeanDeviation!.Value, i3.MeanAbsoluteDeviation!.Value, i3.CriticalDisagreements));
    }

    [Fact]
    public void Scoring_again_replaces_and_only_session_inspectors_and_conversations_count()
    {
        var c = Scored(Scored(Opened(), "i-1", C1, 50), "i-1", C1, 70);
        Assert.Equal(70, Assert.Single(c.Scores).Score);
        Assert.Equal(1.0 / 6, Calibrations.Report(c).Completion, 4);
        Assert.Null(Calibrations.Report(c).ByInspector[0].MeanDeviation); // nobody else scored C1 yet

        var refused = Assert.IsType<Decision.Invalid>(Calibrations.Score(c, new ScoreCalibration("i-9", "s-1", "c-9", "a-1", [new("all", 1)], []), Rubric, Now));
        Assert.Equal(["conversationId", "inspectorId"], refused.Errors.Keys.Order());
    }

    [Fact]
    public void A_session_needs_two_known_inspectors_and_a_repeat_changes_nothing()
    {
        var command = new OpenCalibration("cal-1", "11月校准", [C1, C2], ["i-1", "i-2", "i-3"]);
        Assert.IsType<Decision.Append>(Calibrations.Open(null, command, ["i-1", "i-2", "i-3"], Now));
        Assert.IsType<Decision.Unchanged>(Calibrations.Open(Opened(), command, ["i-1", "i-2", "i-3"], Now));
        Assert.IsType<Decision.Conflict>(Calibrations.Open(Opened(), command with { Name = "other" }, ["i-1", "i-2", "i-3"], Now));
        var invalid = Assert.IsType<Decision.Invalid>(Calibrations.Open(null, new OpenCalibration("cal-2", "x", [], ["i-1", "i-x"]), ["i-1"], Now));
        Assert.Equal(["conversations", "inspectorIds"], invalid.Errors.Keys.Order());
    }
}
