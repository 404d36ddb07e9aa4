using System.Net;
using System.Net.Http.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
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

        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync("/api/sla/stores/svc-own/sla?from=2026-11-01&to=2026-11-30")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync("/api/sla/stores/svc-other/sla?from=2026-11-01&to=2026-11-30")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await own.GetAsync("/api/sla/stores/svc-own")).StatusCode);
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

    [Theory]
    [InlineData("POST", "/conversations", """{"conversations":[null,{"conversationId":"n1","channel":"chat","kind":"presales","messages":[null]}]}""", 200)]
    [InlineData("POST", "/conversations", """{"conversations":[{"conversationId":"n2","channel":"chat","kind":"presales","messages":[{"at":"9999-12-31T23:59:59+14:00","from":"customer"}]}]}""", 200)]
    [InlineData("POST", "/conversations", """{"conversations":"all of them"}""", 400)]
    [InlineData("POST", "/conversations", """{"conversations":[{"conversationId":"n3","resolved":"yes"}]}""", 400)]
    [InlineData("POST", "/conversations", "\uFEFF{\"conversations\":[{\"conversationId\":\"n5\",\"channel\":\"chat\",\"kind\":\"presales\",\"messages\":[{\"at\":\"2026-11-02T09:00:05+08:00\",\"from\":\"bot\"}]},null]}", 200)]
    [InlineData("POST", "/conversations", "", 400)]
    [InlineData("POST", "/conversations", """{"conversations":[]} {"conversations":[]}""", 400)]
    [InlineData("POST", "/conversations", """{"conversations":[{"conversationId":"n4",""", 400)]
    [InlineData("PUT", "/contract", """{"monthlyFee":100,"atRiskPercent":10,"startsOn":"2026-01-01","endsOn":"2026-12-31","targets":[null]}""", 400)]
    [InlineData("PUT", "/contract", """{"monthlyFee":1e40,"atRiskPercent":10,"startsOn":"2026-01-01","endsOn":"2026-12-31"}""", 400)]
    [InlineData("PUT", "/contract", """{"monthlyFee":100,"atRiskPercent":10,"startsOn":"0001-01-01","endsOn":"9999-12-31"}""", 400)]
    [InlineData("GET", "/reports/9999-12", null, 400)]
    [InlineData("GET", "/reports/2026-13.csv", null, 400)]
    [InlineData("GET", "/sla?from=0001-01-01&to=0001-01-02", null, 400)]
    [InlineData("GET", "/sla?from=2026-11-30&to=2026-11-01", null, 400)]
    [InlineData("PUT", "/calendar", """{"serviceHours":[{"start":"25:00","end":"08:00"}]}""", 400)]
    public async Task Bad_input_is_a_4xx_problem_or_a_per_conversation_rejection_never_a_500(string method, string path, string? body, int status)
    {
        var ops = fixture.Host.OpsClient();
        await ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "svc-bad", name = "Bad", platform = "jd" });

        var response = await ops.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/api/sla/stores/svc-bad" + path)
        {
            Content = body is null ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        });

        Assert.Equal(status, (int)response.StatusCode);
        if (status >= 400) Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        else Assert.Contains("\"rejected\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_store_snapshot_from_before_calendars_is_served_round_the_clock()
    {
        var store = fixture.Host.Services.GetRequiredService<IDocumentStore>();
        await using (var session = store.LightweightSession())
        {
            session.Store(new Stores.Store("store:svc-legacy", "svc-legacy", "Legacy", "taobao", "Asia/Shanghai",
                DateTimeOffset.UtcNow.AddYears(-1), null!, 1));
            await session.SaveChangesAsync();
        }
        var ops = fixture.Host.OpsClient();

        var read = await ops.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/sla/stores/svc-legacy");
        var ingest = await ops.PostAsJsonAsync("/api/sla/stores/svc-legacy/conversations", new
        {
            conversations = new[] { new { conversationId = "l1", channel = "chat", kind = "aftersales",
                messages = new[] { new { at = "2026-11-02T03:00:00+08:00", from = "customer" }, new { at = "2026-11-02T03:01:00+08:00", from = "agent" } } } },
        });

        Assert.Equal("00:00", read.GetProperty("serviceHours")[0].GetProperty("start").GetString());
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
    }
}
