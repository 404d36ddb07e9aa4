using Vendor.Staffing.Alerts;

namespace Vendor.Staffing.Tests;

/// <summary>StaffingAlertChanged carries what the alert is about, so the dashboard can show a change without the raise.</summary>
public class AlertChangeContractTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 7, 0, 0, TimeSpan.Zero);

    private static Alert Raised(string kind, string scope) =>
        Alert.Create(new AlertRaised("al-1", new Finding(kind, scope, Severities.Critical, "5 agents absent", Now, Now.AddHours(4), 5, 1), Now));

    [Fact]
    public void An_appended_change_is_stamped_with_the_alert_it_changes_and_published_whole()
    {
        var alert = Raised(AlertKinds.CoverageGap, "store:acme");
        var stamped = Assert.IsType<AlertAcknowledged>(AlertEngine.Stamp(new AlertAcknowledged("al-1", "ops-1", Now), alert));
        Assert.Equal(new AlertFacts(AlertKinds.CoverageGap, "store:acme", Severities.Critical, "5 agents absent"), stamped.About);

        var message = IntegrationEvents.Changed(stamped.AlertId, "acknowledged", stamped.At, stamped.About, stamped.By);
        Assert.Equal(new Contracts.StaffingAlertChanged("al-1", "acknowledged", Now, "coverageGap", "critical", "store:acme", "acme", null,
            "5 agents absent", "ops-1"), message);
    }

    [Fact]
    public void Team_and_feedback_scopes_name_their_team_or_store_and_older_events_publish_what_they_have()
    {
        var team = AlertEngine.Stamp(new AlertEscalated("al-1", TimeSpan.FromMinutes(15), Now), Raised(AlertKinds.AbsenceSpike, "team:night"));
        var teamMessage = IntegrationEvents.Changed("al-1", "escalated", Now, ((AlertEscalated)team).About, null);
        Assert.Equal(("night", (string?)null), (teamMessage.Team, teamMessage.StoreId));

        var feedback = AlertEngine.Stamp(new AlertResolved("al-1", "settled", Now), Raised(AlertKinds.FeedbackOverdue, "store:acme:feedback:fb-1"));
        var feedbackMessage = IntegrationEvents.Changed("al-1", "resolved", Now, ((AlertResolved)feedback).About, null);
        Assert.Equal(("acme", "store:acme:feedback:fb-1"), (feedbackMessage.StoreId, feedbackMessage.Scope));

        Assert.Equal(new Contracts.StaffingAlertChanged("al-1", "resolved", Now), IntegrationEvents.Changed("al-1", "resolved", Now, null, null));
    }
}
