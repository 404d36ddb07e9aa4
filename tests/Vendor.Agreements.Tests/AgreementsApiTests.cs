using System.Net;
using System.Net.Http.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>Defence in depth: the service itself refuses a store-bound caller on another store, whatever the gateway did.</summary>
public class AgreementsApiTests(ServiceFixture<AgreementsApi> fixture) : IClassFixture<ServiceFixture<AgreementsApi>>
{
    [Fact]
    public async Task A_store_bound_caller_is_refused_on_another_store_by_the_service_itself()
    {
        var ops = fixture.Host.OpsClient();
        foreach (var id in new[] { "svc-own", "svc-other" })
            Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores", new { storeId = id, name = id, platform = "tmall" })).StatusCode);
        var own = fixture.Host.ClientAs(new CallerIdentity("k-store", Roles.Store, "svc-own"));

        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync("/api/sla/stores/svc-own")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync("/api/sla/stores/svc-other")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync("/api/sla/stores")).StatusCode);
    }

    [Fact]
    public async Task Two_identical_onboardings_at_once_both_succeed_and_record_one_store()
    {
        var ops = fixture.Host.OpsClient();
        var body = new { storeId = "svc-race", name = "Race", platform = "jd" };

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ops.PostAsJsonAsync("/api/sla/stores", body)));

        Assert.All(answers, a => Assert.True(a.IsSuccessStatusCode, a.StatusCode.ToString()));
        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_calendar_change_honours_if_match()
    {
        var ops = fixture.Host.OpsClient();
        var created = await ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "svc-cal", name = "Cal", platform = "jd" });
        var etag = created.Headers.ETag!.Tag;

        var stale = new HttpRequestMessage(HttpMethod.Put, "/api/sla/stores/svc-cal/calendar")
        {
            Content = JsonContent.Create(new { serviceHours = new[] { new { start = "08:00", end = "23:00" } } }),
            Headers = { { "If-Match", "\"7\"" } },
        };
        var fresh = new HttpRequestMessage(HttpMethod.Put, "/api/sla/stores/svc-cal/calendar")
        {
            Content = JsonContent.Create(new { serviceHours = new[] { new { start = "08:00", end = "23:00" } }, holidays = new[] { "2027-01-01" } }),
            Headers = { { "If-Match", etag } },
        };

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await ops.SendAsync(stale)).StatusCode);
        var changed = await ops.SendAsync(fresh);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag!.Tag);
        var view = await changed.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("08:00", view.GetProperty("serviceHours")[0].GetProperty("start").GetString());
        Assert.Equal("2027-01-01", view.GetProperty("holidays")[0].GetString());
    }
}
