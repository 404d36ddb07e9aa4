using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Yarp.ReverseProxy;

namespace Vendor.Gateway.Alerts;

/// <summary>
/// Acknowledges the Staffing alert behind a dashboard alert, so Staffing stops escalating it. The gateway calls the staffing cluster
/// (the proxy's own destination) as the acknowledging caller, with the identity headers it alone signs.
/// </summary>
public sealed class StaffingAcknowledger(HttpClient http, IProxyStateLookup proxy, IConfiguration configuration, TimeProvider clock)
{
    private readonly string _secret = configuration.GatewaySecret();

    /// <summary>Null when Staffing acknowledged it (or has nothing left to stop: unknown or resolved there), else why not.</summary>
    public async Task<string?> AcknowledgeAsync(DashboardAlert alert, CallerIdentity caller, CancellationToken ct)
    {
        try
        {
            var staffingAlertId = alert.StaffingAlertId;
            if (staffingAlertId is null && alert is { Source: AlertSources.Feedback, StoreId: { } storeId, FeedbackId: { } feedbackId })
                staffingAlertId = await FindFeedbackAlertAsync(StaffingAlerts.FeedbackScope(storeId, feedbackId), caller, ct);
            if (staffingAlertId is null) return null;

            using var response = await SendAsync(HttpMethod.Post, $"/api/staffing/alerts/{Uri.EscapeDataString(staffingAlertId)}/ack", caller, ct);
            return response.IsSuccessStatusCode || response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict
                ? null
                : $"Staffing answered {(int)response.StatusCode} to acknowledging alert '{staffingAlertId}'.";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or JsonException
                                      && !ct.IsCancellationRequested)
        {
            return $"Staffing could not be reached to acknowledge the alert ({e.GetType().Name}).";
        }
    }

    /// <summary>Staffing's open alert about the feedback item (its alert ids are its own; the scope names the item).</summary>
    private async Task<string?> FindFeedbackAlertAsync(string scope, CallerIdentity caller, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/staffing/alerts", caller, ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Staffing answered {(int)response.StatusCode}.");
        var alerts = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return alerts.ValueKind != JsonValueKind.Array
            ? null
            : alerts.EnumerateArray()
                .Where(a => a.TryGetProperty("scope", out var s) && s.GetString() == scope)
                .Select(a => a.GetProperty("alertId").GetString())
                .FirstOrDefault();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, CallerIdentity caller, CancellationToken ct)
    {
        if (!proxy.TryGetCluster("staffing", out var cluster) || cluster.Destinations.Values.FirstOrDefault() is not { } destination)
            throw new InvalidOperationException("No staffing cluster is configured.");
        var request = new HttpRequestMessage(method, new Uri(new Uri(destination.Model.Config.Address), path));
        var headers = new HeaderDictionary();
        GatewayHeaders.Write(headers, _secret, caller, clock.GetUtcNow(), method.Method, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value.ToString());
        return await http.SendAsync(request, ct);
    }
}
