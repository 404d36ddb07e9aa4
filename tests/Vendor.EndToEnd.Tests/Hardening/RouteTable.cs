namespace Vendor.EndToEnd.Tests.Hardening;

/// <summary>Who besides ops may call a route. Ops may call every route; a store or ingest key only routes of its own store.</summary>
[Flags]
public enum Also
{
    /// <summary>Ops only.</summary>
    Nobody = 0,

    /// <summary>A store key bound to the route's {storeId}.</summary>
    OwnStore = 1,

    /// <summary>An ingest key bound to the route's {storeId}.</summary>
    OwnIngest = 2,
}

/// <summary>One line of the access table: a documented route and who may call it.</summary>
/// <param name="Planned">A route another change is bringing: ignored while no document lists it, checked like every other once one does.</param>
public sealed record RouteRule(string Method, string Template, Also Also, bool Planned = false)
{
    public string Key => $"{Method} {Template}";

    /// <summary>The route's shape with placeholder names left out, so a renamed placeholder still finds its line.</summary>
    public string Shape => RouteTable.Shape(Method, Template);
}

/// <summary>
/// THE ACCESS TABLE: every /api route of the platform and who may call it, written out by hand and reviewed (never computed from
/// GatewayPolicy). A documented route missing here fails <see cref="AccessMatrixTests"/>; so does a line (not planned) whose route
/// no document lists any more. To add a route: one line.
/// </summary>
public static class RouteTable
{
    private static RouteRule Ops(string route) => Rule(route, Also.Nobody);
    private static RouteRule OpsAndStore(string route) => Rule(route, Also.OwnStore);
    private static RouteRule OpsAndIngest(string route) => Rule(route, Also.OwnIngest);
    private static RouteRule Planned(RouteRule rule) => rule with { Planned = true };

    private static RouteRule Rule(string route, Also also)
    {
        var space = route.IndexOf(' ');
        return new RouteRule(route[..space], route[(space + 1)..], also);
    }

    public static readonly IReadOnlyList<RouteRule> Rules =
    [
        // ---- gateway: API keys, audit, users, dashboard alerts (ops only) ----
        Ops("POST /api/keys"),
        Ops("GET /api/keys"),
        Ops("DELETE /api/keys/{keyId}"),
        Planned(Ops("POST /api/keys/{keyId}/rotate")),
        Planned(Ops("GET /api/audit")),
        Planned(Ops("GET /api/users")),
        Planned(Ops("POST /api/users")),
        Planned(Ops("POST /api/users/{username}/password")),
        Planned(Ops("POST /api/users/{username}/disable")),
        Planned(Ops("GET /api/dashboard/alerts")),
        Planned(Ops("POST /api/dashboard/alerts/{alertId}/ack")),

        // ---- Agreements: stores, contracts, ingestion, SLA, reports ----
        Ops("POST /api/sla/stores"),
        Ops("GET /api/sla/stores"),
        Ops("GET /api/sla/stores/{storeId}"),
        Ops("PUT /api/sla/stores/{storeId}/calendar"),
        Ops("PUT /api/sla/stores/{storeId}/contract"),
        Ops("POST /api/sla/stores/{storeId}/contract/renew"),
        Ops("POST /api/sla/stores/{storeId}/contract/suspend"),
        Ops("POST /api/sla/stores/{storeId}/contract/resume"),
        Ops("POST /api/sla/stores/{storeId}/contract/terminate"),
        OpsAndStore("GET /api/sla/stores/{storeId}/contract"),
        OpsAndStore("GET /api/sla/stores/{storeId}/contract/history"),
        OpsAndIngest("POST /api/sla/stores/{storeId}/conversations"),
        OpsAndStore("GET /api/sla/stores/{storeId}/sla"),
        Planned(OpsAndStore("GET /api/sla/stores/{storeId}/sla/daily")),
        OpsAndStore("GET /api/sla/stores/{storeId}/reports/{month}"),
        OpsAndStore("POST /api/sla/stores/{storeId}/webhooks"),
        OpsAndStore("GET /api/sla/stores/{storeId}/webhooks"),
        OpsAndStore("DELETE /api/sla/stores/{storeId}/webhooks/{webhookId}"),
        OpsAndStore("POST /api/sla/stores/{storeId}/webhooks/{webhookId}/test"),
        OpsAndStore("POST /api/sla/stores/{storeId}/webhooks/{webhookId}/deliveries/{deliveryId}/replay"),
        OpsAndStore("GET /api/sla/stores/{storeId}/conversations"),
        OpsAndStore("GET /api/sla/stores/{storeId}/conversations/{conversationId}"),

        // ---- Staffing (ops only) ----
        Ops("POST /api/staffing/agents"),
        Ops("GET /api/staffing/agents"),
        Ops("GET /api/staffing/agents/{agentId}"),
        Ops("PATCH /api/staffing/agents/{agentId}"),
        Ops("POST /api/staffing/agents/{agentId}/leave"),
        Ops("GET /api/staffing/stores"),
        Ops("GET /api/staffing/stores/{storeId}"),
        Ops("PUT /api/staffing/stores/{storeId}/campaigns"),
        Ops("PUT /api/staffing/stores/{storeId}/roster/{date}"),
        Ops("GET /api/staffing/stores/{storeId}/roster/{date}"),
        Ops("GET /api/staffing/stores/{storeId}/coverage"),
        Ops("GET /api/staffing/erlang"),
        Ops("POST /api/staffing/absences"),
        Ops("GET /api/staffing/absences"),
        Ops("GET /api/staffing/absences/{absenceId}"),
        Ops("POST /api/staffing/clock-ins"),
        Ops("POST /api/staffing/alert-channels"),
        Ops("GET /api/staffing/alert-channels"),
        Ops("DELETE /api/staffing/alert-channels/{channelId}"),
        Ops("GET /api/staffing/alerts"),
        Ops("GET /api/staffing/alerts/{alertId}"),
        Ops("POST /api/staffing/alerts/{alertId}/ack"),
        Ops("POST /api/staffing/emergency-plans"),
        Planned(Ops("GET /api/staffing/emergency-plans")),
        Ops("GET /api/staffing/emergency-plans/{planId}"),
        Ops("POST /api/staffing/emergency-plans/{planId}/approve"),

        // ---- Quality: QC sampling, inspectors, rubrics, reviews, disputes, calibration (ops only) ----
        Ops("PUT /api/quality/sampling"),
        Ops("GET /api/quality/sampling"),
        Ops("GET /api/quality/samples"),
        Ops("GET /api/quality/queue"),
        Ops("PUT /api/quality/inspectors/{inspectorId}"),
        Ops("GET /api/quality/inspectors"),
        Ops("PUT /api/quality/rubrics/{rubricId}"),
        Ops("GET /api/quality/rubrics"),
        Ops("POST /api/quality/reviews"),
        Ops("GET /api/quality/reviews"),
        Ops("GET /api/quality/reviews/{reviewId}"),
        Ops("POST /api/quality/reviews/{reviewId}/dispute"),
        Ops("POST /api/quality/reviews/{reviewId}/dispute/decision"),
        Ops("POST /api/quality/reviews/{reviewId}/case"),
        Ops("POST /api/quality/calibrations"),
        Ops("POST /api/quality/calibrations/{calibrationId}/scores"),
        Ops("GET /api/quality/calibrations/{calibrationId}"),

        // ---- Quality: scorecards, the tier ladder, training, certification (ops only) ----
        Ops("GET /api/quality/agents/{agentId}/scorecard"),
        Ops("GET /api/quality/teams/{team}/scorecard"),
        Ops("GET /api/quality/teams/{team}/weights"),
        Ops("PUT /api/quality/teams/{team}/weights"),
        Ops("GET /api/quality/ladder"),
        Ops("PUT /api/quality/ladder"),
        Ops("POST /api/quality/tier-reviews"),
        Ops("GET /api/quality/tier-reviews/{reviewId}"),
        Ops("POST /api/quality/tier-reviews/{reviewId}/agents/{agentId}/approve"),
        Ops("POST /api/quality/tier-reviews/{reviewId}/agents/{agentId}/reject"),
        Ops("GET /api/quality/agents/{agentId}/tier"),
        Planned(Ops("GET /api/quality/tiers")),
        Ops("GET /api/quality/courses"),
        Ops("PUT /api/quality/courses/{code}"),
        Ops("GET /api/quality/paths/onboarding"),
        Ops("PUT /api/quality/paths/onboarding"),
        Ops("GET /api/quality/agents/{agentId}/training"),
        Ops("POST /api/quality/agents/{agentId}/training/courses"),
        Ops("POST /api/quality/agents/{agentId}/training/courses/{code}/start"),
        Ops("POST /api/quality/agents/{agentId}/training/courses/{code}/complete"),
        Ops("POST /api/quality/agents/{agentId}/training/exams/{code}"),
        Planned(Ops("GET /api/quality/training/progress")),
        Ops("GET /api/quality/agents/{agentId}/certifications"),
        Ops("GET /api/quality/certifications"),
        Ops("PUT /api/quality/certifications/{storeId}/{skill}"),

        // ---- Quality: the knowledge base (ops side) ----
        Ops("POST /api/quality/knowledge/articles"),
        Ops("GET /api/quality/knowledge/articles"),
        Ops("GET /api/quality/knowledge/articles/{articleId}"),
        Ops("PUT /api/quality/knowledge/articles/{articleId}"),
        Ops("GET /api/quality/knowledge/articles/{articleId}/history"),
        Ops("POST /api/quality/knowledge/articles/{articleId}/publish"),
        Ops("POST /api/quality/knowledge/articles/{articleId}/retire"),
        Ops("GET /api/quality/knowledge/proposals"),
        Ops("POST /api/quality/knowledge/proposals/{proposalId}/accept"),
        Ops("POST /api/quality/knowledge/proposals/{proposalId}/reject"),
        Ops("GET /api/quality/knowledge/search"),
        Ops("GET /api/quality/knowledge/tasks"),
        Ops("POST /api/quality/knowledge/tasks/{taskId}/done"),
        Ops("GET /api/quality/agents/{agentId}/must-read"),
        Ops("POST /api/quality/agents/{agentId}/must-read/{articleId}/ack"),
        Ops("GET /api/quality/stores/{storeId}/knowledge/compliance"),

        // ---- Quality: what a store's own key reaches (knowledge, quick replies, feedback) ----
        OpsAndStore("GET /api/quality/stores/{storeId}/knowledge"),
        OpsAndStore("GET /api/quality/stores/{storeId}/knowledge/articles"),
        OpsAndStore("GET /api/quality/stores/{storeId}/knowledge/articles/{articleId}"),
        OpsAndStore("POST /api/quality/stores/{storeId}/knowledge/proposals"),
        OpsAndStore("GET /api/quality/stores/{storeId}/knowledge/proposals"),
        OpsAndStore("GET /api/quality/stores/{storeId}/knowledge/proposals/{proposalId}"),
        OpsAndStore("GET /api/quality/stores/{storeId}/quick-replies"),
        OpsAndStore("POST /api/quality/stores/{storeId}/feedback"),
        OpsAndStore("GET /api/quality/stores/{storeId}/feedback"),
        OpsAndStore("GET /api/quality/stores/{storeId}/feedback/summary"),
        OpsAndStore("GET /api/quality/stores/{storeId}/feedback/{feedbackId}"),
        OpsAndStore("POST /api/quality/stores/{storeId}/feedback/{feedbackId}/reopen"),
        Ops("POST /api/quality/stores/{storeId}/feedback/{feedbackId}/assign"),
        Ops("POST /api/quality/stores/{storeId}/feedback/{feedbackId}/respond"),
        Ops("POST /api/quality/stores/{storeId}/feedback/{feedbackId}/resolve"),
        Ops("PUT /api/quality/stores/{storeId}/feedback-settings"),
        Ops("GET /api/quality/stores/{storeId}/feedback-settings"),
    ];

    /// <summary>"GET /api/sla/stores/{}/sla": method and template with placeholder names left out.</summary>
    public static string Shape(string method, string template) =>
        $"{method} {System.Text.RegularExpressions.Regex.Replace(template, @"\{[^}]*\}", "{}")}";

    public static RouteRule? For(string method, string template) =>
        Rules.FirstOrDefault(r => r.Shape == Shape(method, template));
}
