using Vendor.ServiceDefaults;
using Vendor.Staffing.Alerts;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Coverage;

namespace Vendor.Staffing.Tests;

public class AlertRulesTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly DateTimeOffset Now = new(2026, 11, 11, 9, 0, 0, Cst);
    private static readonly DateTimeOffset WindowEnd = Now.AddHours(4);
    private static readonly AlertSettings Settings = new();

    // ---- AbsenceSpike ----

    private static Absence AbsenceOf(string agentId, string kind = AbsenceKinds.Sick, int n = 0) =>
        new($"absence:abs-{agentId}-{n}", $"abs-{agentId}-{n}", agentId, "tmall-presales", kind, Now, WindowEnd, null, AbsenceSources.Reported, Now);

    private static Absence[] Absent(int agents) => [.. Enumerable.Range(1, agents).Select(n => AbsenceOf($"a-{n}"))];

    private static Finding? Spike(IReadOnlyList<Absence> absences, double baseline) =>
        AlertRules.AbsenceSpike("team:tmall-presales", absences, baseline, Now, WindowEnd, Settings);

    [Fact]
    public void Fewer_absences_than_the_minimum_raise_nothing_however_low_the_baseline()
    {
        Assert.Null(Spike([], 0));
        Assert.Null(Spike(Absent(2), 0));
        Assert.Null(Spike(Absent(2), 0.1));
    }

    [Fact]
    public void Three_absences_at_twice_the_baseline_are_a_warning()
    {
        var finding = Spike(Absent(3), 1.5);

        Assert.NotNull(finding);
        Assert.Equal(Severities.Warning, finding.Severity);
        Assert.Equal(AlertKinds.AbsenceSpike, finding.Kind);
        Assert.Equal("team:tmall-presales", finding.Scope);
        Assert.Equal((3, 1.5), (finding.Count, finding.Baseline));
        Assert.Equal((Now, WindowEnd), (finding.WindowFrom, finding.WindowTo));
        Assert.Contains("3 agents absent", finding.Summary);
    }

    [Fact]
    public void Absences_below_twice_the_baseline_raise_nothing()
    {
        Assert.Null(Spike(Absent(3), 1.6));
        Assert.Null(Spike(Absent(4), 2.5));
        Assert.Equal(Severities.Warning, Spike(Absent(4), 2)?.Severity);
    }

    [Fact]
    public void Five_absences_at_three_times_the_baseline_are_critical()
    {
        Assert.Equal(Severities.Critical, Spike(Absent(5), 0)?.Severity);
        Assert.Equal(Severities.Critical, Spike(Absent(5), 1.5)?.Severity);
        Assert.Equal(Severities.Critical, Spike(Absent(6), 2)?.Severity);
    }

    [Fact]
    public void Five_absences_below_three_times_the_baseline_or_four_absences_are_only_a_warning()
    {
        Assert.Equal(Severities.Warning, Spike(Absent(5), 2)?.Severity);
        Assert.Equal(Severities.Warning, Spike(Absent(4), 0)?.Severity);
    }

    [Fact]
    public void Several_absences_of_one_agent_count_once()
    {
        Absence[] absences =
        [
            AbsenceOf("a-1", AbsenceKinds.Sick, 1), AbsenceOf("a-1", AbsenceKinds.Late, 2), AbsenceOf("a-1", AbsenceKinds.NoShow, 3),
            AbsenceOf("a-2"),
        ];

        Assert.Null(Spike(absences, 0));
        var finding = Spike([.. absences, AbsenceOf("a-3", AbsenceKinds.Leave), AbsenceOf("a-3", AbsenceKinds.Leave, 9)], 0);
        Assert.Equal(3, finding?.Count);
        Assert.Equal(Severities.Warning, finding?.Severity);
    }

    // ---- CoverageGap ----

    private static CoverageInterval Interval(DateTimeOffset start, int required, int available) =>
        new(start, true, 10, 240, required, available, available, Math.Max(0, required - available));

    private static Finding? Gap(params CoverageInterval[] intervals) => AlertRules.CoverageGap("s-1", intervals, Now, WindowEnd, Settings);

    [Fact]
    public void No_short_interval_raises_nothing()
    {
        Assert.Null(Gap(Interval(Now, 4, 4), Interval(Now.AddMinutes(30), 4, 6)));
        Assert.Null(Gap());
    }

    [Fact]
    public void A_short_interval_is_a_warning_naming_the_store()
    {
        var finding = Gap(Interval(Now, 10, 10), Interval(Now.AddMinutes(30), 10, 9), Interval(Now.AddMinutes(60), 10, 8));

        Assert.NotNull(finding);
        Assert.Equal(Severities.Warning, finding.Severity);
        Assert.Equal(AlertKinds.CoverageGap, finding.Kind);
        Assert.Equal("store:s-1", finding.Scope);
        Assert.Equal(2, finding.Count); // intervals short
        Assert.Equal(3, finding.Baseline); // agents missing in all
        Assert.Equal((Now.AddMinutes(30), Now.AddMinutes(90)), (finding.WindowFrom, finding.WindowTo));
        Assert.Contains("worst 10:00: 8 of 10 agents", finding.Summary);
    }

    [Fact]
    public void A_gap_of_thirty_percent_of_the_required_agents_is_critical()
    {
        Assert.Equal(Severities.Critical, Gap(Interval(Now, 10, 7))?.Severity);
        Assert.Equal(Severities.Warning, Gap(Interval(Now, 10, 8))?.Severity);
        Assert.Equal(Severities.Critical, Gap(Interval(Now, 20, 14))?.Severity);
        Assert.Equal(Severities.Warning, Gap(Interval(Now, 20, 15))?.Severity);
        Assert.Equal(Severities.Critical, Gap(Interval(Now, 10, 9), Interval(Now.AddMinutes(30), 10, 5))?.Severity);
    }

    [Fact]
    public void One_missing_agent_of_few_required_is_critical()
    {
        Assert.Equal(Severities.Critical, Gap(Interval(Now, 2, 1))?.Severity);
        Assert.Equal(Severities.Critical, Gap(Interval(Now, 1, 0))?.Severity);
    }

    [Fact]
    public void Only_intervals_within_the_window_count()
    {
        Assert.Null(Gap(Interval(Now.AddMinutes(-30), 10, 0), Interval(WindowEnd, 10, 0), Interval(WindowEnd.AddHours(1), 10, 0)));

        // The interval under way at the start of the window counts.
        var finding = Gap(Interval(Now.AddMinutes(-60), 10, 0), Interval(Now.AddMinutes(-20), 10, 9), Interval(WindowEnd.AddMinutes(-30), 10, 9));
        Assert.NotNull(finding);
        Assert.Equal(2, finding.Count);
        Assert.Equal(Severities.Warning, finding.Severity);
    }

    // ---- Reconcile ----

    private static Finding FindingOf(string severity, int count = 4) =>
        new(AlertKinds.CoverageGap, "store:s-1", severity, $"{count} intervals short", Now, WindowEnd, count, count);

    private static Alert Apply(Alert? state, IEnumerable<object> events) => events.Aggregate(state, AlertEngine.Next)!;

    private static Alert Raised(string severity, DateTimeOffset at) => AlertEngine.Next(null, new AlertRaised("gap-1", FindingOf(severity), at));

    private static IReadOnlyList<object> Reconcile(Alert? open, Finding? found, DateTimeOffset now) =>
        AlertRules.Reconcile(open, found, () => "gap-1", now, Settings);

    [Fact]
    public void A_finding_without_an_open_alert_raises_one()
    {
        var raised = Assert.IsType<AlertRaised>(Assert.Single(Reconcile(null, FindingOf(Severities.Warning), Now)));

        Assert.Equal(new AlertRaised("gap-1", FindingOf(Severities.Warning), Now), raised);
        Assert.Empty(Reconcile(null, null, Now));
    }

    [Fact]
    public void The_same_finding_again_changes_nothing()
    {
        var open = Raised(Severities.Warning, Now);

        Assert.Empty(Reconcile(open, FindingOf(Severities.Warning), Now.AddMinutes(1)));
        Assert.Empty(Reconcile(open, FindingOf(Severities.Warning, count: 6), Now.AddMinutes(2)));
        Assert.Empty(Reconcile(open, FindingOf(Severities.Warning), Now.AddHours(2)));
    }

    [Fact]
    public void Another_severity_changes_the_alert()
    {
        var open = Raised(Severities.Warning, Now);

        var changed = Assert.IsType<AlertSeverityChanged>(Assert.Single(Reconcile(open, FindingOf(Severities.Critical), Now.AddMinutes(5))));

        Assert.Equal(new AlertSeverityChanged("gap-1", FindingOf(Severities.Critical), Now.AddMinutes(5)), changed);
        var critical = Apply(open, [changed]);
        Assert.Equal(Severities.Critical, critical.Severity);
        Assert.Equal(Now.AddMinutes(5), critical.CriticalSince);
        Assert.Equal(Severities.Warning,
            Assert.IsType<AlertSeverityChanged>(Assert.Single(Reconcile(critical, FindingOf(Severities.Warning), Now.AddMinutes(6)))).Finding.Severity);
    }

    [Fact]
    public void An_alert_whose_finding_is_gone_resolves()
    {
        var resolved = Assert.IsType<AlertResolved>(Assert.Single(Reconcile(Raised(Severities.Critical, Now), null, Now.AddMinutes(3))));

        Assert.Equal(("gap-1", Now.AddMinutes(3)), (resolved.AlertId, resolved.At));
        Assert.Equal("Coverage is back.", resolved.Reason);
    }

    [Fact]
    public void An_unacknowledged_critical_alert_escalates_after_fifteen_minutes_and_only_once()
    {
        var open = Raised(Severities.Critical, Now);

        Assert.Equal(TimeSpan.FromMinutes(15), Settings.EscalateAfter);
        Assert.Empty(Reconcile(open, FindingOf(Severities.Critical), Now.AddMinutes(14)));
        Assert.Empty(Reconcile(open, FindingOf(Severities.Critical), Now.AddMinutes(15).AddTicks(-1)));

        var escalated = Assert.IsType<AlertEscalated>(Assert.Single(Reconcile(open, FindingOf(Severities.Critical), Now.AddMinutes(15))));
        Assert.Equal(new AlertEscalated("gap-1", TimeSpan.FromMinutes(15), Now.AddMinutes(15)), escalated);

        var after = Apply(open, [escalated]);
        Assert.Equal(Now.AddMinutes(15), after.EscalatedAt);
        Assert.Empty(Reconcile(after, FindingOf(Severities.Critical), Now.AddMinutes(16)));
        Assert.Empty(Reconcile(after, FindingOf(Severities.Critical), Now.AddHours(3)));
    }

    [Fact]
    public void The_escalation_clock_runs_from_when_the_alert_became_critical()
    {
        var open = Raised(Severities.Warning, Now);
        var critical = Apply(open, Reconcile(open, FindingOf(Severities.Critical), Now.AddMinutes(10)));

        Assert.Empty(Reconcile(critical, FindingOf(Severities.Critical), Now.AddMinutes(20)));
        Assert.IsType<AlertEscalated>(Assert.Single(Reconcile(critical, FindingOf(Severities.Critical), Now.AddMinutes(25))));
    }

    [Fact]
    public void A_warning_alert_never_escalates()
    {
        var open = Raised(Severities.Warning, Now);

        Assert.Empty(Reconcile(open, FindingOf(Severities.Warning), Now.AddHours(5)));
    }

    [Fact]
    public void An_acknowledged_critical_alert_never_escalates()
    {
        var open = Raised(Severities.Critical, Now);
        var acknowledged = Apply(open, [Assert.IsType<Decision.Append>(AlertRules.Acknowledge(open, "ops-1", Now.AddMinutes(5))).Events.Single()]);

        Assert.Equal(AlertStatus.Acknowledged, acknowledged.Status);
        Assert.Empty(Reconcile(acknowledged, FindingOf(Severities.Critical), Now.AddMinutes(20)));
        Assert.Empty(Reconcile(acknowledged, FindingOf(Severities.Critical), Now.AddHours(5)));
        Assert.IsType<AlertResolved>(Assert.Single(Reconcile(acknowledged, null, Now.AddHours(5))));
    }

    [Fact]
    public void A_severity_change_to_critical_long_after_raising_does_not_escalate_at_once()
    {
        var open = Raised(Severities.Warning, Now);

        var events = Reconcile(open, FindingOf(Severities.Critical), Now.AddHours(1));

        Assert.IsType<AlertSeverityChanged>(Assert.Single(events));
    }

    // ---- Acknowledge ----

    [Fact]
    public void Acknowledging_is_idempotent_and_refused_for_unknown_or_resolved_alerts()
    {
        var open = Raised(Severities.Critical, Now);

        var acknowledged = Assert.IsType<AlertAcknowledged>(Assert.Single(Assert.IsType<Decision.Append>(AlertRules.Acknowledge(open, "ops-1", Now.AddMinutes(1))).Events));
        Assert.Equal(new AlertAcknowledged("gap-1", "ops-1", Now.AddMinutes(1)), acknowledged);

        var after = Apply(open, [acknowledged]);
        Assert.IsType<Decision.Unchanged>(AlertRules.Acknowledge(after, "ops-1", Now.AddMinutes(2)));
        Assert.IsType<Decision.Unchanged>(AlertRules.Acknowledge(after, "ops-2", Now.AddMinutes(2)));

        var resolved = Apply(open, [new AlertResolved("gap-1", "Coverage is back.", Now.AddMinutes(3))]);
        Assert.IsType<Decision.Conflict>(AlertRules.Acknowledge(resolved, "ops-1", Now.AddMinutes(4)));
        Assert.IsType<Decision.Conflict>(AlertRules.Acknowledge(null, "ops-1", Now));
    }

    // ---- AlertEngine.Next ----

    [Fact]
    public void Next_builds_the_state_after_each_event_with_versions_counting_from_one()
    {
        var raised = AlertEngine.Next(null, new AlertRaised("gap-1", FindingOf(Severities.Warning), Now));
        Assert.Equal(("alert:gap-1", "gap-1", 1L), (raised.Id, raised.AlertId, raised.Revision));
        Assert.Equal((AlertKinds.CoverageGap, "store:s-1", Severities.Warning, AlertStatus.Open), (raised.Kind, raised.Scope, raised.Severity, raised.Status));
        Assert.Equal((Now, Now), (raised.RaisedAt, raised.ChangedAt));
        Assert.Null(raised.CriticalSince);
        Assert.True(raised.IsOpen);

        var critical = AlertEngine.Next(raised, new AlertSeverityChanged("gap-1", FindingOf(Severities.Critical, 9), Now.AddMinutes(5)));
        Assert.Equal(2, critical.Revision);
        Assert.Equal(Severities.Critical, critical.Severity);
        Assert.Equal(9, critical.Finding.Count);
        Assert.Equal(Now.AddMinutes(5), critical.CriticalSince);
        Assert.Equal(Now, critical.RaisedAt);

        var escalated = AlertEngine.Next(critical, new AlertEscalated("gap-1", TimeSpan.FromMinutes(15), Now.AddMinutes(20)));
        Assert.Equal((3L, Now.AddMinutes(20)), (escalated.Revision, escalated.EscalatedAt));

        var acknowledged = AlertEngine.Next(escalated, new AlertAcknowledged("gap-1", "ops-1", Now.AddMinutes(21)));
        Assert.Equal((4L, AlertStatus.Acknowledged, "ops-1"), (acknowledged.Revision, acknowledged.Status, acknowledged.AcknowledgedBy));
        Assert.Equal(Now.AddMinutes(21), acknowledged.AcknowledgedAt);

        var resolved = AlertEngine.Next(acknowledged, new AlertResolved("gap-1", "Coverage is back.", Now.AddMinutes(40)));
        Assert.Equal((5L, AlertStatus.Resolved, Now.AddMinutes(40)), (resolved.Revision, resolved.Status, resolved.ResolvedAt));
        Assert.Equal("Coverage is back.", resolved.ResolvedReason);
        Assert.False(resolved.IsOpen);
        Assert.Equal(Now.AddMinutes(40), resolved.ChangedAt);
    }

    [Fact]
    public void A_critical_raise_is_critical_from_the_start_and_a_downgrade_clears_it()
    {
        var raised = Raised(Severities.Critical, Now);
        Assert.Equal(Now, raised.CriticalSince);

        var stillCritical = AlertEngine.Next(raised, new AlertSeverityChanged("gap-1", FindingOf(Severities.Critical, 7), Now.AddMinutes(3)));
        Assert.Equal(Now, stillCritical.CriticalSince);

        var warning = AlertEngine.Next(stillCritical, new AlertSeverityChanged("gap-1", FindingOf(Severities.Warning), Now.AddMinutes(4)));
        Assert.Null(warning.CriticalSince);
    }

    [Fact]
    public void Next_refuses_what_is_not_an_alert_event()
    {
        Assert.Throws<ArgumentException>(() => AlertEngine.Next(Raised(Severities.Warning, Now), "not an event"));
    }

    [Fact]
    public void Change_names_follow_the_events()
    {
        Assert.Equal("raised", AlertEngine.ChangeName(new AlertRaised("gap-1", FindingOf(Severities.Warning), Now)));
        Assert.Equal("severityChanged", AlertEngine.ChangeName(new AlertSeverityChanged("gap-1", FindingOf(Severities.Warning), Now)));
        Assert.Equal("acknowledged", AlertEngine.ChangeName(new AlertAcknowledged("gap-1", "ops-1", Now)));
        Assert.Equal("escalated", AlertEngine.ChangeName(new AlertEscalated("gap-1", TimeSpan.Zero, Now)));
        Assert.Equal("resolved", AlertEngine.ChangeName(new AlertResolved("gap-1", "", Now)));
    }

    // ---- AlertDelivery ----

    private static AlertChannel Channel(string id, string minSeverity, bool removed = false) =>
        new(AlertChannel.StreamKey(id), id, id, ChannelKinds.Webhook, $"https://hooks.example.com/{id}", minSeverity, null, removed, Now);

    private static readonly AlertChannel[] Channels = [Channel("all", Severities.Warning), Channel("pager", Severities.Critical)];

    private static IReadOnlyList<AlertDelivery> Deliveries(Alert after, object e, IEnumerable<AlertChannel>? channels = null) =>
        [.. AlertDelivery.For(after, AlertEngine.ChangeName(e), channels ?? Channels, after.ChangedAt)];

    [Fact]
    public void A_warning_goes_only_to_channels_that_want_warnings()
    {
        var e = new AlertRaised("gap-1", FindingOf(Severities.Warning), Now);

        var delivery = Assert.Single(Deliveries(AlertEngine.Next(null, e), e));

        Assert.Equal("all", delivery.ChannelId);
        Assert.Equal("gap-1:1:all", delivery.Id);
        Assert.Equal(("gap-1", 1L, "raised"), (delivery.AlertId, delivery.AlertVersion, delivery.Change));
        Assert.Equal((DeliveryStatus.Pending, 0, Now), (delivery.Status, delivery.Attempts, delivery.NextAttemptAt));
        Assert.Null(delivery.DeliveredAt);
    }

    [Fact]
    public void A_critical_raise_goes_to_every_channel_with_ids_of_alert_version_and_channel()
    {
        var e = new AlertRaised("gap-1", FindingOf(Severities.Critical), Now);

        var deliveries = Deliveries(AlertEngine.Next(null, e), e);

        Assert.Equal(["gap-1:1:all", "gap-1:1:pager"], deliveries.Select(d => d.Id));
        Assert.Equal(AlertDelivery.IdOf("gap-1", 1, "pager"), deliveries[1].Id);
    }

    [Fact]
    public void A_resolve_goes_to_the_channels_that_got_the_critical_raise()
    {
        var raised = Raised(Severities.Critical, Now);
        var e = new AlertResolved("gap-1", "Coverage is back.", Now.AddMinutes(30));

        var deliveries = Deliveries(AlertEngine.Next(raised, e), e);

        Assert.Equal(["gap-1:2:all", "gap-1:2:pager"], deliveries.Select(d => d.Id));
        Assert.All(deliveries, d => Assert.Equal("resolved", d.Change));
    }

    [Fact]
    public void A_resolve_of_a_warning_only_alert_goes_only_where_warnings_go()
    {
        var raised = Raised(Severities.Warning, Now);
        var e = new AlertResolved("gap-1", "Coverage is back.", Now.AddMinutes(30));

        Assert.Equal(["gap-1:2:all"], Deliveries(AlertEngine.Next(raised, e), e).Select(d => d.Id));
    }

    [Fact]
    public void A_resolve_reaches_a_critical_only_channel_that_got_the_critical_raise_even_after_a_downgrade_to_warning()
    {
        // DOMAIN.md / AlertDelivery.For: "a resolve goes where the alert went". The pager got the critical raise (v1), not the
        // downgrade (v2, a warning); it must still hear that the alert it was paged for is resolved (v3).
        var raised = Raised(Severities.Critical, Now);
        var downgrade = new AlertSeverityChanged("gap-1", FindingOf(Severities.Warning), Now.AddMinutes(10));
        var warning = AlertEngine.Next(raised, downgrade);
        var resolve = new AlertResolved("gap-1", "Coverage is back.", Now.AddMinutes(30));

        Assert.Equal(["gap-1:1:all", "gap-1:1:pager"], Deliveries(raised, new AlertRaised("gap-1", raised.Finding, Now)).Select(d => d.Id));
        Assert.Equal(["gap-1:2:all"], Deliveries(warning, downgrade).Select(d => d.Id));
        Assert.Equal(["gap-1:3:all", "gap-1:3:pager"], Deliveries(AlertEngine.Next(warning, resolve), resolve).Select(d => d.Id));
    }

    [Fact]
    public void Removed_channels_get_nothing()
    {
        var e = new AlertRaised("gap-1", FindingOf(Severities.Critical), Now);
        var removed = Channel("pager", Severities.Warning).Apply(new AlertChannelRemoved("pager", Now));

        Assert.True(removed.Removed);
        Assert.Empty(Deliveries(AlertEngine.Next(null, e), e, [removed]));
        Assert.Empty(Deliveries(AlertEngine.Next(null, e), e, [Channel("x", Severities.Warning, removed: true)]));
    }

    private static AlertDelivery Pending()
    {
        var e = new AlertRaised("gap-1", FindingOf(Severities.Critical), Now);
        return Deliveries(AlertEngine.Next(null, e), e)[0];
    }

    [Fact]
    public void A_failed_attempt_backs_off_from_one_second_doubling_to_ten_minutes()
    {
        var delivery = Pending();
        var waits = new List<double>();
        for (var attempt = 1; attempt <= 12; attempt++)
        {
            var at = Now.AddHours(attempt);
            delivery = delivery.FailedAttempt("HTTP 500", at);
            Assert.Equal(attempt, delivery.Attempts);
            Assert.Equal(DeliveryStatus.Pending, delivery.Status);
            Assert.Equal("HTTP 500", delivery.LastError);
            waits.Add((delivery.NextAttemptAt - at).TotalSeconds);
        }

        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600], waits);
        Assert.Equal(TimeSpan.FromSeconds(600), AlertDelivery.Backoff(30));
    }

    [Fact]
    public void An_attempt_that_was_begun_and_never_concluded_or_got_no_answer_makes_the_next_send_a_possible_repeat()
    {
        var fresh = Pending().Sending(Now);
        Assert.False(fresh.MayRepeat);
        Assert.Equal(Now, fresh.SendingSince);
        Assert.Null(fresh.Succeeded(Now.AddSeconds(1)).SendingSince);
        // A refusal is an answer: the channel did not take it, the next send is no repeat.
        Assert.False(fresh.FailedAttempt("HTTP 500", Now.AddSeconds(1)).Sending(Now.AddSeconds(2)).MayRepeat);
        // No answer (timeout, connection lost): the channel may have taken it.
        var unanswered = fresh.FailedAttempt("TimeoutRejectedException", Now.AddSeconds(5), answered: false);
        Assert.True(unanswered.MayRepeat);
        Assert.Null(unanswered.SendingSince);
        // The process died after saving "sending" (perhaps after the robot accepted): the next attempt may repeat it.
        var afterCrash = fresh.Sending(Now.AddMinutes(1));
        Assert.True(afterCrash.MayRepeat);
        Assert.StartsWith("【可能重复 possible repeat】", AlertMessages.Title(afterCrash));
        Assert.DoesNotContain("可能重复", AlertMessages.Title(fresh));
        Assert.Contains("\"possibleRepeat\":true", AlertMessages.WebhookBody(afterCrash));
    }

    [Fact]
    public void A_delivery_fails_for_good_after_the_last_attempt()
    {
        var delivery = Pending();
        for (var attempt = 1; attempt < AlertDelivery.MaxAttempts; attempt++) delivery = delivery.FailedAttempt("errcode 130101", Now);

        Assert.Equal((AlertDelivery.MaxAttempts - 1, DeliveryStatus.Pending), (delivery.Attempts, delivery.Status));

        var last = delivery.FailedAttempt("errcode 130101", Now);
        Assert.Equal((AlertDelivery.MaxAttempts, DeliveryStatus.Failed), (last.Attempts, last.Status));
        Assert.Equal(30, AlertDelivery.MaxAttempts);
    }

    [Fact]
    public void A_successful_attempt_is_delivered()
    {
        var delivered = Pending().FailedAttempt("HTTP 502", Now).Succeeded(Now.AddSeconds(2));

        Assert.Equal((DeliveryStatus.Delivered, 2, Now.AddSeconds(2)), (delivered.Status, delivered.Attempts, delivered.DeliveredAt));
        Assert.Null(delivered.LastError);
    }

    [Fact]
    public void A_channel_wants_severities_from_its_minimum_up()
    {
        Assert.True(Channel("a", Severities.Warning).Wants(Severities.Warning));
        Assert.True(Channel("a", Severities.Warning).Wants(Severities.Critical));
        Assert.False(Channel("a", Severities.Critical).Wants(Severities.Warning));
        Assert.True(Channel("a", Severities.Critical).Wants(Severities.Critical));
    }

    [Fact]
    public void Next_matches_the_snapshot_Marten_builds_even_from_events_whose_version_is_unset()
    {
        var e1 = new AlertRaised("gap-1", FindingOf(Severities.Warning), Now);
        var e2 = new AlertAcknowledged("gap-1", "ops-1", Now.AddMinutes(1));
        var marten = Alert.Create(e1).Apply(e2);

        // Marten builds the snapshot with the same Create/Apply and overwrites a property named Version: the alert counts its own revisions.
        Assert.Equal(2, marten.Revision);
        Assert.Equal(marten, AlertEngine.Next(AlertEngine.Next(null, e1), e2));
    }
}
