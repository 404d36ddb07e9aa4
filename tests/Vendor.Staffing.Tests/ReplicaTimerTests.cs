using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vendor.Contracts;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Alerts;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

/// <summary>
/// Two Staffing instances on one database and one broker prefix, both running their alert loops on one moved clock: a no-show
/// sweep and an escalation happen once (one alert per scope, one delivery per change and channel), and when the instance that
/// leads the timer stops, the other fires the next one.
/// </summary>
public sealed class ReplicaTimerTests : IAsyncLifetime
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    // 09:50 in Shanghai on a Monday: the rostered shifts start at 10:00 and 11:00.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 21, 9, 50, 0, Shanghai));
    private readonly List<ServiceHost<StaffingApi>> _hosts = [];
    private WebhookReceiver _receiver = null!;

    private ServiceHost<StaffingApi> Start(Dictionary<string, string?> settings)
    {
        var host = new ServiceHost<StaffingApi>(settings, configure: b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
        host.CreateClient();
        _hosts.Add(host);
        return host;
    }

    public async Task InitializeAsync()
    {
        var settings = await ServiceHost<StaffingApi>.SettingsAsync();
        settings["Staffing:Alerts:EvaluationInterval"] = "00:00:00.5";
        settings["Vendor:Leases:RetryInterval"] = "00:00:00.5";
        Start(settings);
        Start(settings);
        _receiver = await WebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private HttpClient Ops(ServiceHost<StaffingApi> host) =>
        host.CreateDefaultClient(new GatewaySigningHandler(new CallerIdentity("test-ops", Roles.Ops, null), ServiceHost<StaffingApi>.GatewaySecret,
            () => _clock.GetUtcNow()));

    private static bool Leads(ServiceHost<StaffingApi> host) =>
        host.Services.GetRequiredService<LeaderLeases>().Holds(AlertEvaluator.LeaseName);

    /// <summary>A store (from Agreements' events), a webhook channel, and five agents of a new team rostered from <paramref name="start"/>.</summary>
    private async Task<(string StoreId, string Team)> FiveRostered(ServiceHost<StaffingApi> host, string start, string end)
    {
        var ops = Ops(host);
        var bus = host.Services.GetRequiredService<IBus>();
        var storeId = $"s-{Guid.NewGuid():N}"[..14];
        var team = $"team-{Guid.NewGuid():N}"[..13];
        await bus.Publish(new StoreOnboarded(storeId, "旗舰店", "tmall", "Asia/Shanghai", _clock.GetUtcNow(),
            new StoreCalendar("Asia/Shanghai", [new ServiceHoursBlock("08:00", "23:00")], [1, 2, 3, 4, 5, 6, 7], [], [])));
        await Eventually.Until(() => ops.GetAsync($"/api/staffing/stores/{storeId}"), r => r.IsSuccessStatusCode, what: "the store");
        var shifts = new List<object>();
        for (var i = 0; i < 5; i++)
        {
            var agentId = $"{team}-a{i}";
            (await ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = $"客服{i}", team, skills = new[] { "presales" }, hiredOn = "2026-10-01" }))
                .EnsureSuccessStatusCode();
            await bus.Publish(new AgentCertified(agentId, storeId, _clock.GetUtcNow()));
            await Eventually.Until(() => ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{agentId}"),
                a => a.GetProperty("certifiedStores").EnumerateArray().Any(s => s.GetString() == storeId), what: "certification");
            shifts.Add(new { agentId, start, end });
        }
        (await ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-21", shifts)).EnsureSuccessStatusCode();
        return (storeId, team);
    }

    private async Task<List<JsonElement>> AlertsOf(HttpClient ops, string scope) =>
        (await ops.GetFromJsonAsync<JsonElement>("/api/staffing/alerts?status=all")).EnumerateArray()
        .Where(a => a.GetProperty("scope").GetString() == scope).ToList();

    private static bool AllDelivered(JsonElement alert) =>
        alert.GetProperty("deliveries").GetArrayLength() > 0
        && alert.GetProperty("deliveries").EnumerateArray().All(d => d.GetProperty("status").GetString() == "delivered");

    /// <summary>The alert of the scope once it has <paramref name="changes"/> deliveries, all delivered; there must be only one.</summary>
    private async Task<JsonElement> TheAlertOf(HttpClient ops, string scope, int changes, string what)
    {
        var alerts = await Eventually.Until(() => AlertsOf(ops, scope), list => list.Count > 0, TimeSpan.FromSeconds(30), $"an alert for {scope}");
        var alert = Assert.Single(alerts);
        return await Eventually.Until(() => ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{alert.GetProperty("alertId").GetString()}"),
            a => a.GetProperty("deliveries").GetArrayLength() == changes && AllDelivered(a), TimeSpan.FromSeconds(30), what);
    }

    private void EachDeliveryAcceptedOnce(JsonElement alert)
    {
        foreach (var delivery in alert.GetProperty("deliveries").EnumerateArray())
            Assert.Single(_receiver.Calls, c => c.IdempotencyKey == delivery.GetProperty("deliveryId").GetString() && c.Accepted);
    }

    [Fact]
    public async Task With_two_instances_a_no_show_sweep_and_an_escalation_each_happen_once_per_scope_and_channel()
    {
        var (first, second) = (_hosts[0], _hosts[1]);
        var ops = Ops(first);
        await Eventually.Until(() => Task.FromResult(Leads(first) ^ Leads(second)), x => x, TimeSpan.FromSeconds(10), "one leader of the alert timer");
        (await ops.PostAsJsonAsync("/api/staffing/alert-channels", new { kind = "webhook", url = _receiver.WebhookUrl, secret = "hook-secret" }))
            .EnsureSuccessStatusCode();
        var (storeId, team) = await FiveRostered(second, "10:00", "18:00");

        _clock.Advance(TimeSpan.FromMinutes(21)); // 10:11: ten minutes' grace are over, nobody clocked in
        var raised = await TheAlertOf(ops, $"team:{team}", 1, "the critical no-show spike raised and delivered");
        Assert.Equal("critical", raised.GetProperty("severity").GetString());
        var absences = await ops.GetFromJsonAsync<JsonElement>(
            "/api/staffing/absences?from=2026-12-21T00:00:00%2B08:00&to=2026-12-22T00:00:00%2B08:00");
        Assert.Equal(5, absences.EnumerateArray().Count(a => a.GetProperty("team").GetString() == team && a.GetProperty("kind").GetString() == "noShow"));

        _clock.Advance(TimeSpan.FromMinutes(16)); // unacknowledged for longer than the 15 minutes: escalates
        var escalated = await TheAlertOf(ops, $"team:{team}", 2, "the escalation delivered");
        Assert.NotEqual(JsonValueKind.Null, escalated.GetProperty("escalatedAt").ValueKind);
        var served = _receiver.Calls.Count;
        var final = await TheAlertOf(ops, $"team:{team}", 2, "still two changes");
        Assert.Equal(["raised", "escalated"], final.GetProperty("deliveries").EnumerateArray().Select(d => d.GetProperty("change").GetString()));
        EachDeliveryAcceptedOnce(final);
        var store = await TheAlertOf(ops, $"store:{storeId}", 2, "the store's alert raised and escalated once");
        EachDeliveryAcceptedOnce(store);
        Assert.Equal(served, _receiver.Calls.Count);
        Assert.Equal(4, _receiver.Calls.Count(c => c.Accepted));
        Assert.False(Leads(first) && Leads(second));
    }

    [Fact]
    public async Task When_the_leading_instance_stops_the_other_fires_the_next_timer()
    {
        await Eventually.Until(() => Task.FromResult(Leads(_hosts[0]) ^ Leads(_hosts[1])), x => x, TimeSpan.FromSeconds(10), "one leader of the alert timer");
        var leader = Leads(_hosts[0]) ? _hosts[0] : _hosts[1];
        var other = leader == _hosts[0] ? _hosts[1] : _hosts[0];
        var ops = Ops(other);
        (await ops.PostAsJsonAsync("/api/staffing/alert-channels", new { kind = "webhook", url = _receiver.WebhookUrl, secret = "hook-secret" }))
            .EnsureSuccessStatusCode();
        var (_, team) = await FiveRostered(other, "11:00", "19:00");

        _hosts.Remove(leader);
        await leader.DisposeAsync();
        await Eventually.Until(() => Task.FromResult(Leads(other)), x => x, TimeSpan.FromSeconds(5), "the other instance leading");
        Assert.Empty(await AlertsOf(ops, $"team:{team}"));

        _clock.Advance(TimeSpan.FromMinutes(81)); // 11:11
        var raised = await TheAlertOf(ops, $"team:{team}", 1, "the no-show spike raised by the remaining instance");
        EachDeliveryAcceptedOnce(raised);
    }
}
