using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>Agreements' store calendar, contract and ingested conversations become Staffing's store, headcount and demand forecast.</summary>
public class StaffingThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    [Fact]
    public async Task A_store_onboarded_contracted_and_served_in_Agreements_is_forecast_and_covered_in_Staffing()
    {
        const string storeId = "e2e-staffed";
        (await _ops.PostAsJsonAsync("/api/sla/stores", new
        {
            storeId, name = "京东自营", platform = "jd", timeZone = "Asia/Shanghai",
            serviceHours = new[] { new { start = "08:00", end = "23:00" } },
        })).EnsureSuccessStatusCode();
        (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 80000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-11-01", endsOn = "2027-10-31",
            headcount = new { presales = 3, aftersales = 2, hotline = 0 },
            targets = new[] { new { metric = "threeMinuteResponseRate", target = 0.85, allocationPercent = 50 } },
        })).EnsureSuccessStatusCode();
        // Monday 2026-11-30, 10:00-10:30: 40 chats of about four minutes each.
        var conversations = Enumerable.Range(0, 40).Select(i =>
        {
            var start = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8)).AddSeconds(i * 30);
            return new
            {
                conversationId = $"e2e-c{i:D3}", channel = "chat", kind = "presales",
                messages = new object[]
                {
                    new { at = start, from = "customer", text = "在吗" },
                    new { at = start.AddSeconds(20), from = "agent", agentId = "e2e-a9", text = "在的亲" },
                    new { at = start.AddMinutes(4), from = "customer", text = "好的" },
                },
            };
        }).ToList();
        var ingested = await _ops.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new { conversations });
        Assert.Equal(40, (await ingested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());

        var store = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : default),
            s => s.ValueKind == JsonValueKind.Object && s.GetProperty("headcount").GetProperty("presales").GetInt32() == 3, what: "store and contract in Staffing");
        var coverage = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}/coverage?date=2026-12-07"),
            c => c.GetProperty("intervals")[20].GetProperty("forecastContacts").GetDouble() > 0, what: "demand from the recorded conversations");

        Assert.Equal("08:00", store.GetProperty("calendar").GetProperty("serviceHours")[0].GetProperty("start").GetString());
        Assert.Equal(0.85, store.GetProperty("threeMinuteResponseTarget").GetDouble());
        var ten = coverage.GetProperty("intervals")[20];
        Assert.Equal(40, ten.GetProperty("forecastContacts").GetDouble());
        Assert.Equal(240, ten.GetProperty("ahtSeconds").GetDouble());
        Assert.True(ten.GetProperty("requiredAgents").GetInt32() > 0);
        Assert.Equal(ten.GetProperty("requiredAgents").GetInt32(), ten.GetProperty("gap").GetInt32()); // nobody rostered yet
        Assert.False(coverage.GetProperty("intervals")[4].GetProperty("open").GetBoolean());

        // Staffing is ops-only: a store key never reaches it.
        var (_, secret) = await platform.IssueKey(Roles.Store, storeId);
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.Client(secret).GetAsync($"/api/staffing/stores/{storeId}/coverage?date=2026-12-07")).StatusCode);
    }
}
