using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Contracts;
using Vendor.Staffing.Plans;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

public class PlanApiTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private readonly HttpClient _ops = fixture.Host.OpsClient();
    private IBus Bus => fixture.Host.Services.GetRequiredService<IBus>();

    private async Task<string> OnboardedStore(int presales = 2)
    {
        var storeId = $"s-{Guid.NewGuid():N}"[..14];
        await Bus.Publish(new StoreOnboarded(storeId, "旗舰店", "tmall", "Asia/Shanghai", DateTimeOffset.UtcNow,
            new StoreCalendar("Asia/Shanghai", [new ServiceHoursBlock("08:00", "23:00")], [1, 2, 3, 4, 5, 6, 7], [], [])));
        await Bus.Publish(new StoreContractChanged(storeId, "active", presales, 1, 0, 0.9, new DateOnly(2026, 11, 1), DateTimeOffset.UtcNow));
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : default),
            s => s.ValueKind == JsonValueKind.Object && s.GetProperty("headcount").GetProperty("presales").GetInt32() == presales, what: "store");
        return storeId;
    }

    private async Task<string> CertifiedAgent(params string[] storeIds)
    {
        var agentId = $"a-{Guid.NewGuid():N}"[..14];
        (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = "王芳", team = "t", skills = new[] { "presales" }, hiredOn = "2026-11-01" })).EnsureSuccessStatusCode();
        foreach (var s in storeIds) await Bus.Publish(new AgentCertified(agentId, s, DateTimeOffset.UtcNow));
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{agentId}"),
            a => a.GetProperty("certifiedStores").GetArrayLength() == storeIds.Length, what: "certification");
        return agentId;
    }

    [Fact]
    public async Task Propose_get_approve_and_refuse_a_stale_plan()
    {
        var (shortStore, spare) = (await OnboardedStore(), await OnboardedStore());
        var mover = await CertifiedAgent(shortStore, spare);
        var standby = await CertifiedAgent(shortStore);
        (await _ops.PatchAsJsonAsync($"/api/staffing/agents/{standby}", new { standby = true })).EnsureSuccessStatusCode();
        foreach (var (monday, count) in new[] { (new DateOnly(2026, 12, 7), 60), (new DateOnly(2026, 11, 30), 40) })
        {
            var conversations = Enumerable.Range(0, count).Select(i =>
            {
                var start = new DateTimeOffset(monday.ToDateTime(new TimeOnly(10, 0)), Shanghai).AddSeconds(i * 20);
                return new ConversationRecorded(shortStore, $"c-{monday:MMdd}-{i}", 1, "chat", "presales", [mover], start, monday, 6, 30, [30], false,
                    false, true, null, false, start.AddMinutes(5));
            }).ToList();
            await Bus.Publish(new ConversationsRecorded(shortStore, conversations));
        }
        foreach (var day in new[] { "2026-12-14", "2026-12-21" })
            (await _ops.PutAsJsonAsync($"/api/staffing/stores/{spare}/roster/{day}", new[] { new { agentId = mover, start = "09:00", end = "17:00" } })).EnsureSuccessStatusCode();
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{shortStore}/coverage?date=2026-12-14"),
            c => c.GetProperty("intervals")[20].GetProperty("gap").GetInt32() >= 2, what: "demand history");
        var month = DateTimeOffset.UtcNow.ToOffset(Shanghai).ToString("yyyy-MM");
        await Bus.Publish(new SlaBreached(shortStore, month, "threeMinuteResponseRate", 0.7, 0.9, DateTimeOffset.UtcNow));
        await Bus.Publish(new SlaAtRisk(shortStore, month, "threeMinuteResponseRate", 0.85, 0.9, DateTimeOffset.UtcNow));
        var store = fixture.Host.Services.GetRequiredService<IDocumentStore>();
        await Eventually.Until(async () => { await using var q = store.QuerySession(); return await q.LoadAsync<StoreSlaRisk>(StoreSlaRisk.StreamKey(shortStore, month)); },
            r => r is { Risk: SlaRiskLevels.Breached }, what: "sla risk");

        var created = await _ops.PostAsJsonAsync("/api/staffing/emergency-plans", new { date = "2026-12-14", storeIds = new[] { shortStore } });
        var text = await created.Content.ReadAsStringAsync();
        Console.WriteLine(text);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var plan = JsonDocument.Parse(text).RootElement;
        var planId = plan.GetProperty("planId").GetString()!;
        Assert.Equal("proposed", plan.GetProperty("status").GetString());
        Assert.Equal(mover, plan.GetProperty("moves")[0].GetProperty("agentId").GetString());
        Assert.Equal(standby, plan.GetProperty("callIns")[0].GetProperty("agentId").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _ops.GetAsync($"/api/staffing/emergency-plans/{planId}")).StatusCode);

        var approved = await _ops.PostAsync($"/api/staffing/emergency-plans/{planId}/approve", null);
        Console.WriteLine(await approved.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var shortRoster = await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{shortStore}/roster/2026-12-14");
        var spareRoster = await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{spare}/roster/2026-12-14");
        Assert.Equal(new[] { mover, standby }.Order(), shortRoster.GetProperty("shifts").EnumerateArray().Select(s => s.GetProperty("agentId").GetString()).Order());
        Assert.Equal(0, spareRoster.GetProperty("shifts").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/staffing/emergency-plans/{planId}/approve", null)).StatusCode);
        await using (var q = store.QuerySession())
        {
            var events = await q.Events.FetchStreamAsync(EmergencyPlan.StreamKey(planId));
            Assert.Equal(["EmergencyPlanProposed", "EmergencyPlanApproved", "EmergencyPlanRosterAdjusted", "EmergencyPlanRosterAdjusted"], events.Select(e => e.Data.GetType().Name));
        }

        // A second plan whose moved shift is taken off the roster before approval.
        var second = JsonDocument.Parse(await (await _ops.PostAsJsonAsync("/api/staffing/emergency-plans", new { date = "2026-12-21", storeIds = new[] { shortStore } })).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, second.GetProperty("moves").GetArrayLength());
        (await _ops.PutAsJsonAsync($"/api/staffing/stores/{spare}/roster/2026-12-21", Array.Empty<object>())).EnsureSuccessStatusCode();
        var stale = await _ops.PostAsync($"/api/staffing/emergency-plans/{second.GetProperty("planId").GetString()}/approve", null);
        var staleText = await stale.Content.ReadAsStringAsync();
        Console.WriteLine(staleText);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("no longer on the roster", staleText);

        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync("/api/staffing/emergency-plans", new { date = "14.12.2026" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsync("/api/staffing/emergency-plans", new StringContent("{nope", null, "application/json"))).StatusCode);
        var unknown = await _ops.PostAsJsonAsync("/api/staffing/emergency-plans", new { date = "2026-12-14", storeIds = new[] { "nope" } });
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/staffing/emergency-plans/ep-nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsync("/api/staffing/emergency-plans/ep-nope/approve", null)).StatusCode);
        var storeKey = fixture.Host.ClientAs(new Vendor.ServiceDefaults.CallerIdentity("k-store", "store", shortStore));
        Assert.Equal(HttpStatusCode.Forbidden, (await storeKey.GetAsync($"/api/staffing/emergency-plans/{planId}")).StatusCode);
    }
}
