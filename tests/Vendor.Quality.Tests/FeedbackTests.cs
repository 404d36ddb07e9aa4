using Vendor.Quality.Feedback;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Tests;

/// <summary>The feedback rules without a host: due times, triage, reopening, overdue flags and the monthly summary.</summary>
public class FeedbackTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 22, 30, 0, TimeSpan.Zero); // 06:30 on 1 December in Shanghai
    private static readonly FeedbackSettings Defaults = FeedbackSettings.Default("store-a");

    private static FileFeedback Body(string kind = "complaint", string severity = "critical", string? conversationId = "c-1", string text = "客服答错了退货政策") =>
        new(kind, severity, conversationId, "a-1", null, text);

    private static (FeedbackItem Item, IReadOnlyList<object> Events) Receive(FileFeedback? body = null, FeedbackSettings? settings = null,
        DateTimeOffset? at = null, string id = "fb-1")
    {
        var decision = FeedbackDecisions.Receive("store-a", body ?? Body(), settings ?? Defaults, id, "key-1", () => "kbt-1", at ?? Now);
        var events = Assert.IsType<Decision.Append>(decision).Events;
        return (FeedbackItem.Create((FeedbackReceived)events[0]), events);
    }

    private static FeedbackItem Then(FeedbackItem item, Decision decision) =>
        FeedbackDecisions.Applied(item, Assert.IsType<Decision.Append>(decision).Events);

    [Fact]
    public void Critical_feedback_is_due_in_four_hours_and_normal_in_forty_eight_wall_clock()
    {
        Assert.Equal(Now.AddHours(4), Receive(Body(severity: "critical")).Item.DueAt);
        // Received late at night before a weekend: still 48 hours later, nights and weekends count.
        var friday = new DateTimeOffset(2026, 12, 4, 15, 0, 0, TimeSpan.Zero);
        Assert.Equal(friday.AddHours(48), Receive(Body(severity: "normal"), at: friday).Item.DueAt);
    }

    [Fact]
    public void A_store_settings_due_hours_replace_the_defaults_fractions_too()
    {
        var set = Assert.IsType<Decision.Append>(FeedbackDecisions.SetDueHours("store-a", null, new SetFeedbackDueHours(1.5, 24), Now));
        var settings = Defaults.Apply((FeedbackDueHoursSet)set.Events[0]);

        Assert.Equal(Now.AddMinutes(90), Receive(Body(severity: "critical"), settings).Item.DueAt);
        Assert.Equal(Now.AddHours(24), Receive(Body(severity: "normal"), settings).Item.DueAt);
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.SetDueHours("store-a", settings, new SetFeedbackDueHours(1.5, 24), Now));
    }

    [Fact]
    public void Due_hours_out_of_range_or_critical_longer_than_normal_are_refused_per_field()
    {
        var invalid = Assert.IsType<Decision.Invalid>(FeedbackDecisions.SetDueHours("store-a", null, new SetFeedbackDueHours(0, null), Now));
        Assert.Equal(["criticalHours", "normalHours"], invalid.Errors.Keys.Order());
        var inverted = Assert.IsType<Decision.Invalid>(FeedbackDecisions.SetDueHours("store-a", null, new SetFeedbackDueHours(48, 4), Now));
        Assert.Equal(["criticalHours"], inverted.Errors.Keys);
        Assert.IsType<Decision.Invalid>(FeedbackDecisions.SetDueHours("store-a", null, new SetFeedbackDueHours(double.NaN, 4), Now));
    }

    [Fact]
    public void Bad_feedback_is_refused_per_field()
    {
        var decision = FeedbackDecisions.Receive("store-a", new FileFeedback("rant", "urgent", "", "a 1", "x/y", " "), Defaults, "fb-x", "k", () => "t", Now);
        var invalid = Assert.IsType<Decision.Invalid>(decision);
        Assert.Equal(["agentId", "articleId", "conversationId", "kind", "severity", "text"], invalid.Errors.Keys.Order());
    }

    [Fact]
    public void A_wrong_answer_opens_a_knowledge_task_and_a_complaint_does_not()
    {
        var (item, events) = Receive(Body(kind: "wrongAnswer") with { ArticleId = "kb-returns" });
        var task = Assert.IsType<KnowledgeTaskOpened>(events[1]);
        Assert.Equal(("kbt-1", "fb-1", "kb-returns", "c-1"), (task.TaskId, task.FeedbackId, task.ArticleId, task.ConversationId));
        Assert.Equal("kbt-1", item.KnowledgeTaskId);
        Assert.Single(Receive(Body(kind: "complaint")).Events);
        Assert.True(FeedbackKinds.IsRiskPick("wrongAnswer") && FeedbackKinds.IsRiskPick("complaint"));
        Assert.False(FeedbackKinds.IsRiskPick("praise") || FeedbackKinds.IsRiskPick("process"));
    }

    [Fact]
    public void Overdue_is_flagged_once_per_due_time_and_a_reopened_item_can_be_flagged_again()
    {
        var (item, _) = Receive();
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.FlagOverdue(item, Now.AddHours(4).AddSeconds(-1)));

        var flag = Assert.IsType<FeedbackOverdueFlagged>(Assert.Single(Assert.IsType<Decision.Append>(FeedbackDecisions.FlagOverdue(item, Now.AddHours(4))).Events));
        Assert.Equal((Now.AddHours(4), "critical", "complaint"), (flag.DueAt, flag.Severity, flag.Kind));
        Assert.Contains("store-a", flag.Summary);
        item = item.Apply(flag);
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.FlagOverdue(item, Now.AddHours(9)));

        // Resolved late: the flagged item settles in the same step.
        var resolved = Assert.IsType<Decision.Append>(FeedbackDecisions.Resolve(item, new ResolveFeedback("退款并培训客服", "agent coached"), "ops", Now.AddHours(5)));
        Assert.IsType<FeedbackSettled>(resolved.Events[1]);
        item = FeedbackDecisions.Applied(item, resolved.Events);
        Assert.True(item is { IsResolved: true, Unsettled: false, Late: true });
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.FlagOverdue(item, Now.AddHours(9)));

        // Reopened at +6h: due again 4 hours later, and flagged again once it passes.
        item = Then(item, FeedbackDecisions.Reopen(item, new ReopenFeedback("还是没解决"), Defaults, "store-key", Now.AddHours(6)));
        Assert.Equal((Now.AddHours(10), "open", false), (item.DueAt, item.Status, item.Overdue));
        Assert.Null(item.Action);
        Assert.Equal("退款并培训客服", Assert.Single(item.Reopenings).PreviousAction);
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.FlagOverdue(item, Now.AddHours(9)));
        var again = Assert.IsType<FeedbackOverdueFlagged>(Assert.Single(Assert.IsType<Decision.Append>(FeedbackDecisions.FlagOverdue(item, Now.AddHours(10))).Events));
        Assert.Equal(Now.AddHours(10), again.DueAt);
    }

    [Fact]
    public void Resolved_in_time_does_not_settle_and_triage_repeats_change_nothing()
    {
        var (item, _) = Receive();
        item = Then(item, FeedbackDecisions.Assign(item, new AssignFeedback("王经理", "check the chat log"), "ops", Now.AddMinutes(5)));
        Assert.Equal(("assigned", "王经理"), (item.Status, item.Assignee));
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.Assign(item, new AssignFeedback("王经理", null), "ops", Now.AddMinutes(6)));
        item = Then(item, FeedbackDecisions.Respond(item, new RespondToFeedback("正在核查"), "ops", Now.AddMinutes(10)));
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.Respond(item, new RespondToFeedback("正在核查"), "ops", Now.AddMinutes(11)));

        var resolved = Assert.IsType<Decision.Append>(FeedbackDecisions.Resolve(item, new ResolveFeedback("已更正", null), "ops", Now.AddHours(1)));
        Assert.IsType<FeedbackResolved>(Assert.Single(resolved.Events));
        item = FeedbackDecisions.Applied(item, resolved.Events);
        Assert.False(item.Late);
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.Resolve(item, new ResolveFeedback("已更正", null), "ops", Now.AddHours(2)));
        Assert.IsType<Decision.Conflict>(FeedbackDecisions.Resolve(item, new ResolveFeedback("另一个处理", null), "ops", Now.AddHours(2)));
        Assert.IsType<Decision.Conflict>(FeedbackDecisions.Assign(item, new AssignFeedback("李", null), "ops", Now.AddHours(2)));
        Assert.IsType<Decision.Conflict>(FeedbackDecisions.Respond(item, new RespondToFeedback("new"), "ops", Now.AddHours(2)));
        Assert.IsType<Decision.Invalid>(FeedbackDecisions.Resolve(item, new ResolveFeedback(" ", null), "ops", Now.AddHours(2)));
    }

    [Fact]
    public void Only_resolved_feedback_can_be_reopened_and_a_repeat_changes_nothing()
    {
        var (item, _) = Receive();
        Assert.IsType<Decision.Conflict>(FeedbackDecisions.Reopen(item, new ReopenFeedback("why"), Defaults, "k", Now));
        Assert.IsType<Decision.Invalid>(FeedbackDecisions.Reopen(item, new ReopenFeedback(null), Defaults, "k", Now));
        item = Then(item, FeedbackDecisions.Resolve(item, new ResolveFeedback("done", null), "ops", Now.AddHours(1)));
        item = Then(item, FeedbackDecisions.Reopen(item, new ReopenFeedback("not done"), Defaults, "k", Now.AddHours(2)));
        Assert.IsType<Decision.Unchanged>(FeedbackDecisions.Reopen(item, new ReopenFeedback("not done"), Defaults, "k", Now.AddHours(3)));
    }

    [Fact]
    public void The_store_view_hides_the_assignee_internal_notes_and_who_filed()
    {
        var (item, _) = Receive();
        item = Then(item, FeedbackDecisions.Assign(item, new AssignFeedback("Manager Wang", "internal: agent on probation"), "ops", Now));
        item = Then(item, FeedbackDecisions.Respond(item, new RespondToFeedback("we are on it"), "ops", Now));
        var json = System.Text.Json.JsonSerializer.Serialize(StoreFeedbackView.Of(item, Now), System.Text.Json.JsonSerializerOptions.Web);
        Assert.Contains("we are on it", json);
        Assert.DoesNotContain("probation", json);
        Assert.DoesNotContain("Manager Wang", json);
        Assert.DoesNotContain("key-1", json);
    }

    [Fact]
    public void The_monthly_summary_counts_the_month_received_by_kind_with_the_median_time_to_resolve()
    {
        var december = new DateOnly(2026, 12, 1);
        var (from, to) = FeedbackSummaries.Range(december);
        Assert.Equal((new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 31, 16, 0, 0, TimeSpan.Zero)), (from, to));
        FeedbackItem Resolved(string id, string kind, double hours, DateTimeOffset at)
        {
            var (item, _) = Receive(Body(kind: kind), at: at, id: id);
            return Then(item, FeedbackDecisions.Resolve(item, new ResolveFeedback("ok", null), "ops", at.AddHours(hours)));
        }
        var start = from.AddHours(1);
        FeedbackItem[] items =
        [
            Resolved("fb-a", "complaint", 1, start),
            Resolved("fb-b", "complaint", 3, start),
            Resolved("fb-c", "complaint", 6, start), // after its 4-hour due time: resolved, not in time
            Resolved("fb-d", "praise", 2, start),
            Receive(Body(kind: "process"), at: start, id: "fb-e").Item, // unresolved, past due by the summary's time
            Receive(Body(kind: "process"), at: from.AddMinutes(-1), id: "fb-f").Item, // November in Shanghai
        ];
        var summary = FeedbackSummaries.Of("store-a", december, items, start.AddDays(1));

        Assert.Equal("2026-12", summary.Month);
        Assert.Equal(new FeedbackFigures(5, 4, 3, 2, 1, 2.5), summary.Total);
        Assert.Equal(new FeedbackFigures(3, 3, 2, 1, 0, 3), summary.ByKind["complaint"]);
        Assert.Equal(new FeedbackFigures(0, 0, 0, 0, 0, null), summary.ByKind["wrongAnswer"]);
        Assert.Equal(2, summary.ByKind["praise"].MedianHoursToResolve);
        Assert.Equal(1, summary.ByKind["process"].Overdue);
        Assert.Equal("2026-12", FeedbackSummaries.MonthOf(Now));
        Assert.False(Months.TryParse("2026-13", out _));
    }
}
