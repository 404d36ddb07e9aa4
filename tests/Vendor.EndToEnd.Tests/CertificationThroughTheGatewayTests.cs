using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>An agent hired in Staffing is trained and certified in Quality; the certification is what lets Staffing roster the agent.</summary>
public class CertificationThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    [Fact]
    public async Task An_agent_certified_through_the_Quality_API_can_be_rostered_in_Staffing_and_not_before()
    {
        const string storeId = "e2e-certified";
        const string agentId = "e2e-cert-a1";
        (await _ops.PostAsJsonAsync("/api/sla/stores", new
        {
            storeId, name = "天猫旗舰店", platform = "tmall", timeZone = "Asia/Shanghai",
            serviceHours = new[] { new { start = "08:00", end = "23:00" } },
        })).EnsureSuccessStatusCode();
        (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 60000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-11-01", endsOn = "2027-10-31",
            headcount = new { presales = 2, aftersales = 1, hotline = 0 },
            targets = new[] { new { metric = "threeMinuteResponseRate", target = 0.85, allocationPercent = 50 } },
        })).EnsureSuccessStatusCode();
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : default),
            s => s.ValueKind == JsonValueKind.Object && s.GetProperty("headcount").GetProperty("presales").GetInt32() == 2, what: "store and contract in Staffing");
        (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = "陈静", team = "tmall-presales", skills = new[] { "presales" }, hiredOn = "2026-11-01" }))
            .EnsureSuccessStatusCode();
        // Staffing's AgentHired gives the agent an onboarding plan in Quality.
        await Eventually.Until(() => _ops.GetAsync($"/api/quality/agents/{agentId}/training"), r => r.StatusCode == HttpStatusCode.OK,
            what: "training plan in Quality");
        var shift = new[] { new { agentId, start = "09:00", end = "17:00" } };

        var before = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-14", shift);
        Assert.Equal(HttpStatusCode.BadRequest, before.StatusCode);
        Assert.Contains("not certified", await before.Content.ReadAsStringAsync());

        (await _ops.PutAsJsonAsync($"/api/quality/certifications/{storeId}/presales",
            new { courses = new[] { "platform-rules", "presales-conversion" }, exam = "onboarding-exam" })).EnsureSuccessStatusCode();
        (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/platform-rules/complete", null)).EnsureSuccessStatusCode();
        (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/presales-conversion/complete", null)).EnsureSuccessStatusCode();
        (await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/training/exams/onboarding-exam", new { score = 91 })).EnsureSuccessStatusCode();
        var held = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/agents/{agentId}/certifications");
        Assert.Equal(storeId, Assert.Single(held.GetProperty("held").EnumerateArray()).GetProperty("storeId").GetString());

        var agent = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{agentId}"),
            a => a.GetProperty("certifiedStores").EnumerateArray().Any(s => s.GetString() == storeId), what: "the certification in Staffing");
        Assert.Equal(["presales"], agent.GetProperty("certifiedSkills").GetProperty(storeId).EnumerateArray().Select(s => s.GetString()));
        var after = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-14", shift);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
