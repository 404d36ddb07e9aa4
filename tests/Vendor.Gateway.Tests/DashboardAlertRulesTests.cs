using Vendor.Contracts;
using Vendor.Gateway.Alerts;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

/// <summary>The pure rules of dashboard alerts: what each source's message does to its alert.</summary>
public class DashboardAlertRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);

    private static DashboardAlert? After(DashboardAlert? state, IReadOnlyList<object> events) => DashboardAlert.Fold(state, events);

    private static IReadOnlyList<object> Sla(DashboardAlert? current, bool breached, double actual, DateTimeOffset at) =>
        DashboardAlertRules.OnSla(current, "acme-tmall", "2026-12", "missedRate", actual, 0.03, breached, at, Now);

    [Fact]
    public void A_breach_raises_a_critical_alert_with_a_readable_title()
    {
        var raised = Assert.IsType<DashboardAlertRaised>(Assert.Single(Sla(null, true, 0.08, Now)));
        var alert = After(null, [raised])!;
        Assert.Equal("sla.acme-tmall.2026-12.missedRate", alert.AlertId);
        Assert.Equal(("sla", "critical", "open", "acme-tmall"), (alert.Source, alert.Severity, alert.Status, alert.StoreId));
        Assert.Equal("acme-tmall missedRate missed: 8.0 % vs 3 %", alert.Title);
        Assert.Contains("2026-12", alert.Detail);
        Assert.Equal(Now, alert.RaisedAt);
    }

    [Fact]
    public void The_same_metric_crossing_from_at_risk_to_missed_updates_one_alert_and_reopens_it_once_acknowledged()
    {
        var atRisk = After(null, Sla(null, false, 0.029, Now))!;
        Assert.Equal(("warning", "acme-tmall missedRate at risk: 2.9 % vs 3 %"), (atRisk.Severity, atRisk.Title));
        var acknowledged = After(atRisk, [Assert.IsType<Decision.Append>(DashboardAlertRules.Acknowledge(atRisk, "ops-1", Now.AddMinutes(1))).Events[0]])!;
        Assert.Equal(("acknowledged", "ops-1"), (acknowledged.Status, acknowledged.AcknowledgedBy));

        var changed = Assert.IsType<DashboardAlertChanged>(Assert.Single(Sla(acknowledged, true, 0.05, Now.AddMinutes(5))));
        var breached = After(acknowledged, [changed])!;
        Assert.Equal(atRisk.AlertId, breached.AlertId);
        Assert.Equal(("critical", "open", (string?)null), (breached.Severity, breached.Status, breached.AcknowledgedBy));
        Assert.Equal(Now.AddMinutes(5), breached.SourceAt);
    }

    [Fact]
    public void A_milder_severity_keeps_the_acknowledgement_and_an_older_or_repeated_report_changes_nothing()
    {
        var breached = After(null, Sla(null, true, 0.05, Now.AddMinutes(5)))!;
        Assert.Empty(Sla(breached, false, 0.029, Now)); // an at-risk message that the breach overtook
        Assert.Empty(Sla(breached, true, 0.05, Now.AddMinutes(5)));
        var acknowledged = breached.Apply(new DashboardAlertAcknowledged(breached.AlertId, "ops-1", Now.AddMinutes(6)));
        var milder = After(acknowledged, Sla(acknowledged, false, 0.029, Now.AddMinutes(10)))!;
        Assert.Equal(("warning", "acknowledged"), (milder.Severity, milder.Status));
    }

    [Fact]
    public void Acknowledging_is_idempotent_and_refused_for_a_resolved_alert()
    {
        var alert = After(null, Sla(null, true, 0.05, Now))!;
        var acknowledged = After(alert, Assert.IsType<Decision.Append>(DashboardAlertRules.Acknowledge(alert, "user:li", Now)).Events)!;
        Assert.IsType<Decision.Unchanged>(DashboardAlertRules.Acknowledge(acknowledged, "user:wang", Now.AddMinutes(1)));
        var resolved = acknowledged.Apply(new DashboardAlertResolved(alert.AlertId, "x", Now.AddMinutes(2)));
        Assert.IsType<Decision.Conflict>(DashboardAlertRules.Acknowledge(resolved, "user:li", Now.AddMinutes(3)));
        Assert.IsType<Decision.Conflict>(DashboardAlertRules.Acknowledge(null, "user:li", Now));
    }

    [Fact]
    public void Staffing_alerts_follow_raise_severity_acknowledgement_escalation_and_resolution()
    {
        StaffingSignal Signal(string change, string severity, DateTimeOffset at, string? by = null) =>
            new("gap-1", change, at, "coverageGap", severity, "store:acme", "acme", "3 intervals short from 10:00", by);

        var raised = After(null, DashboardAlertRules.OnStaffing(null, Signal("raised", "warning", Now), Now))!;
        Assert.Equal(("staffing.gap-1", "staffing", "coverageGap", "warning", "acme"), (raised.AlertId, raised.Source, raised.Kind, raised.Severity, raised.StoreId));
        Assert.Equal("acme coverage gap: 3 intervals short from 10:00", raised.Title);
        Assert.Equal("gap-1", raised.StaffingAlertId);
        Assert.Empty(DashboardAlertRules.OnStaffing(raised, Signal("raised", "warning", Now), Now)); // the same again

        var critical = After(raised, DashboardAlertRules.OnStaffing(raised, Signal("severityChanged", "critical", Now.AddMinutes(5)), Now))!;
        Assert.Equal("critical", critical.Severity);
        var escalated = After(critical, DashboardAlertRules.OnStaffing(critical, Signal("escalated", "critical", Now.AddMinutes(20)), Now))!;
        Assert.Contains("Escalated", escalated.Detail);
        Assert.Empty(DashboardAlertRules.OnStaffing(escalated, Signal("escalated", "critical", Now.AddMinutes(20)), Now));
        var acknowledged = After(escalated, DashboardAlertRules.OnStaffing(escalated, Signal("acknowledged", "critical", Now.AddMinutes(21), "key_1"), Now))!;
        Assert.Equal(("acknowledged", "key_1"), (acknowledged.Status, acknowledged.AcknowledgedBy));
        var resolved = After(acknowledged, DashboardAlertRules.OnStaffing(acknowledged, Signal("resolved", "critical", Now.AddMinutes(40)), Now))!;
        Assert.Equal("resolved", resolved.Status);
        Assert.Empty(DashboardAlertRules.OnStaffing(resolved, Signal("severityChanged", "warning", Now.AddMinutes(41)), Now));
    }

    [Fact]
    public void A_staffing_change_that_overtook_the_raise_creates_the_alert_from_what_it_carries()
    {
        var events = DashboardAlertRules.OnStaffing(null,
            new StaffingSignal("spike-1", "acknowledged", Now, "absenceSpike", "critical", "team:night", null, "5 agents absent", "key_9"), Now);
        var alert = After(null, events)!;
        Assert.Equal([typeof(DashboardAlertRaised), typeof(DashboardAlertAcknowledged)], events.Select(e => e.GetType()));
        Assert.Equal(("team night absence spike: 5 agents absent", "critical", "acknowledged", (string?)null), (alert.Title, alert.Severity, alert.Status, alert.StoreId));
        // The raise arriving later (older) changes nothing.
        Assert.Empty(DashboardAlertRules.OnStaffing(alert, new StaffingSignal("spike-1", "raised", Now.AddMinutes(-1), "absenceSpike", "warning", "team:night", null, "3 agents absent", null), Now));
        // A resolution that overtook its raise leaves the alert resolved, and the late raise cannot open it.
        var gone = After(null, DashboardAlertRules.OnStaffing(null, new StaffingSignal("spike-2", "resolved", Now, null, null, null, null, null, null), Now))!;
        Assert.Equal("resolved", gone.Status);
        Assert.Empty(DashboardAlertRules.OnStaffing(gone, new StaffingSignal("spike-2", "raised", Now.AddMinutes(-5), "absenceSpike", "critical", "team:night", null, "6 agents absent", null), Now));
    }

    [Fact]
    public void A_settle_that_overtook_its_overdue_notice_leaves_the_alert_resolved_until_a_later_round_runs_late()
    {
        var due = Now.AddHours(-1);
        var settled = After(null, DashboardAlertRules.OnFeedbackSettled(null, new StoreFeedbackSettled("fb-9", "acme", Now), Now))!;
        Assert.Equal(("feedback.fb-9", "resolved", "acme"), (settled.AlertId, settled.Status, settled.StoreId));

        var lateNotice = new StoreFeedbackOverdue("fb-9", "acme", "complaint", "critical", due, "物流太慢", Now.AddMinutes(-1));
        Assert.Empty(DashboardAlertRules.OnFeedbackOverdue(settled, lateNotice, Now));
        var nextRound = After(settled, DashboardAlertRules.OnFeedbackOverdue(settled, lateNotice with { DueAt = Now.AddHours(3) }, Now))!;
        Assert.Equal("open", nextRound.Status);
    }

    [Fact]
    public void Overdue_feedback_raises_once_per_round_reopens_when_late_again_and_resolves_when_settled()
    {
        var due = Now.AddHours(-1);
        var overdue = new StoreFeedbackOverdue("fb-1", "acme", "complaint", "critical", due, "客服态度差", Now);
        var alert = After(null, DashboardAlertRules.OnFeedbackOverdue(null, overdue, Now))!;
        Assert.Equal(("feedback.fb-1", "feedback", "critical", "acme", "fb-1"), (alert.AlertId, alert.Source, alert.Severity, alert.StoreId, alert.FeedbackId));
        Assert.Equal("acme feedback overdue: 客服态度差", alert.Title);
        Assert.Empty(DashboardAlertRules.OnFeedbackOverdue(alert, overdue, Now));

        Assert.Empty(DashboardAlertRules.OnFeedbackSettled(alert, new StoreFeedbackSettled("fb-1", "acme", due.AddHours(-2)), Now)); // an earlier round
        var resolved = After(alert, DashboardAlertRules.OnFeedbackSettled(alert, new StoreFeedbackSettled("fb-1", "acme", Now), Now))!;
        Assert.Equal("resolved", resolved.Status);
        var again = After(resolved, DashboardAlertRules.OnFeedbackOverdue(resolved, overdue with { DueAt = Now.AddHours(5), Severity = "normal" }, Now))!;
        Assert.Equal(("open", "warning", (DateTimeOffset?)null), (again.Status, again.Severity, again.ResolvedAt));
    }

    [Theory]
    [InlineData("missedRate", 0.08, false, "8.0 %")]
    [InlineData("missedRate", 0.03, true, "3 %")]
    [InlineData("firstResponseSeconds", 31.26, false, "31.3 s")]
    [InlineData("qcScore", 78, false, "78.0")]
    [InlineData("qcScore", 80, true, "80")]
    public void Figures_read_as_people_write_them(string metric, double value, bool target, string expected) =>
        Assert.Equal(expected, DashboardAlertRules.Figure(metric, value, target));

    [Fact]
    public void The_feedback_id_of_a_staffing_feedback_alert_comes_from_its_scope()
    {
        Assert.Equal("fb-7", StaffingAlerts.FeedbackIdOf(StaffingAlerts.FeedbackScope("acme", "fb-7")));
        Assert.Null(StaffingAlerts.FeedbackIdOf("store:acme"));
        Assert.Null(StaffingAlerts.FeedbackIdOf(null));
    }

    private static IReadOnlyList<object> Recovered(DashboardAlert? current, DateTimeOffset at, string previous = "missed") =>
        DashboardAlertRules.OnSlaRecovered(current, new SlaRecovered("acme-tmall", "2026-12", "missedRate", previous, 0.02, 0.03, at), Now);

    [Fact]
    public void A_recovery_resolves_the_metric_alert_and_a_later_crossing_reopens_it()
    {
        var breached = After(null, Sla(null, true, 0.05, Now))!;
        var resolved = After(breached, [Assert.IsType<DashboardAlertResolved>(Assert.Single(Recovered(breached, Now.AddMinutes(10))))])!;
        Assert.Equal(("resolved", "critical"), (resolved.Status, resolved.Severity));
        Assert.Equal(Now.AddMinutes(10), resolved.SourceAt);
        Assert.Empty(Recovered(resolved, Now.AddMinutes(11)));

        // A breach message detected before the recovery (late, out of order) leaves it resolved; a new one reopens it.
        Assert.Empty(Sla(resolved, true, 0.05, Now.AddMinutes(5)));
        var reopened = After(resolved, [Assert.IsType<DashboardAlertChanged>(Assert.Single(Sla(resolved, false, 0.029, Now.AddMinutes(20))))])!;
        Assert.Equal(("open", "warning", (DateTimeOffset?)null), (reopened.Status, reopened.Severity, reopened.ResolvedAt));
    }

    [Fact]
    public void A_recovery_older_than_what_the_alert_shows_changes_nothing()
    {
        var breached = After(null, Sla(null, true, 0.05, Now.AddMinutes(30)))!;
        Assert.Empty(Recovered(breached, Now.AddMinutes(10)));
    }

    [Fact]
    public void A_recovery_that_overtook_its_raise_leaves_a_resolved_alert_the_late_raise_cannot_open()
    {
        var tombstone = After(null, Recovered(null, Now.AddMinutes(10), previous: "atRisk"))!;
        Assert.Equal(("resolved", "warning", "slaAtRisk"), (tombstone.Status, tombstone.Severity, tombstone.Kind));
        Assert.Empty(Sla(tombstone, false, 0.029, Now));
    }
}
