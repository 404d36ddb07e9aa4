using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

public class ThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    [Fact]
    public async Task Onboarding_a_store_and_hiring_an_agent_flow_through_all_three_services()
    {
        var store = await _ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId = "e2e-tmall", name = "天猫旗舰店", platform = "tmall", timeZone = "Asia/Shanghai" });
        Assert.Equal(HttpStatusCode.Created, store.StatusCode);

        var staffed = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>("/api/staffing/stores"),
            s => s.EnumerateArray().Any(x => x.GetProperty("storeId").GetString() == "e2e-tmall"), what: "store in staffing");
        Assert.Equal("天猫旗舰店", staffed.EnumerateArray().Single(x => x.GetProperty("storeId").GetString() == "e2e-tmall")
            .GetProperty("name").GetString());

        var agent = await _ops.PostAsJsonAsync("/api/staffing/agents",
            new { agentId = "e2e-a1", name = "王小美", team = "tmall-presales", skills = new[] { "presales" }, hiredOn = "2026-11-01" });
        Assert.Equal(HttpStatusCode.Created, agent.StatusCode);

        var training = await Eventually.Until(() => _ops.GetAsync("/api/quality/agents/e2e-a1/training"),
            r => r.StatusCode == HttpStatusCode.OK, what: "training plan in quality");
        var plan = await training.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("onboarding", plan.GetProperty("path").GetString());
        Assert.Contains(plan.GetProperty("courses").EnumerateArray(), c => c.GetProperty("code").GetString() == "presales-conversion");
    }

    [Fact]
    public async Task A_missing_or_unknown_key_is_401_problem_json()
    {
        var none = await platform.Gateway.CreateClient().GetAsync("/api/sla/stores");
        var unknown = await platform.Client("vnd_not-a-real-key").GetAsync("/api/sla/stores");

        foreach (var response in new[] { none, unknown })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once()
    {
        var (keyId, secret) = await platform.IssueKey(Roles.Ops, null);
        var client = platform.Client(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/sla/stores")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _ops.DeleteAsync($"/api/keys/{keyId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/sla/stores")).StatusCode);
    }

    [Fact]
    public async Task A_store_key_reads_its_own_store_and_never_another()
    {
        foreach (var id in new[] { "e2e-own", "e2e-other" })
            Assert.True((await _ops.PostAsJsonAsync("/api/sla/stores", new { storeId = id, name = id, platform = "jd" })).IsSuccessStatusCode);
        var (_, secret) = await platform.IssueKey(Roles.Store, "e2e-own");
        var store = platform.Client(secret);

        var own = await store.GetAsync("/api/sla/stores/e2e-own/sla?from=2026-11-01&to=2026-11-30");
        var other = await store.GetAsync("/api/sla/stores/e2e-other/sla?from=2026-11-01&to=2026-11-30");
        var list = await store.GetAsync("/api/sla/stores");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal("e2e-own", (await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("storeId").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
    }

    [Fact]
    public async Task A_store_key_gains_nothing_by_sending_identity_headers_of_its_own()
    {
        var (keyId, secret) = await platform.IssueKey(Roles.Store, "e2e-forger");
        var forger = platform.Client(secret);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        forger.DefaultRequestHeaders.Add(GatewayHeaders.KeyId, keyId);
        forger.DefaultRequestHeaders.Add(GatewayHeaders.Role, Roles.Ops);
        forger.DefaultRequestHeaders.Add(GatewayHeaders.StoreId, "");
        forger.DefaultRequestHeaders.Add(GatewayHeaders.IssuedAt, now.ToString());
        forger.DefaultRequestHeaders.Add(GatewayHeaders.Signature,
            GatewayHeaders.Sign("guessed-secret-0123456789", new CallerIdentity(keyId, Roles.Ops, null), now, "GET", "/api/sla/stores"));

        Assert.Equal(HttpStatusCode.Forbidden, (await forger.GetAsync("/api/sla/stores")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await forger.GetAsync("/api/staffing/agents")).StatusCode);
        // Its own store still answers: the gateway replaced the forged headers with the key's real, signed identity.
        Assert.True((await _ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "e2e-forger", name = "f", platform = "jd" })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await forger.GetAsync("/api/sla/stores/e2e-forger/sla?from=2026-11-01&to=2026-11-30")).StatusCode);
    }

    [Theory]
    [InlineData("store", "POST", "/api/sla/stores/e2e-roles/conversations")]
    [InlineData("store", "POST", "/api/keys")]
    [InlineData("ingest", "GET", "/api/staffing/agents")]
    [InlineData("ingest", "GET", "/api/quality/agents/e2e-a1/training")]
    [InlineData("ingest", "POST", "/api/sla/stores/another/conversations")]
    public async Task A_wrong_role_is_403_problem_json(string role, string method, string path)
    {
        var (_, secret) = await platform.IssueKey(role, "e2e-roles");

        var response = await platform.Client(secret).SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = JsonContent.Create(new { name = "x", role = "ops" }),
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Keys_are_issued_once_with_their_secret_and_listed_without_it()
    {
        var (keyId, secret) = await platform.IssueKey(Roles.Ingest, "e2e-keys");

        var listing = await _ops.GetStringAsync("/api/keys");

        Assert.Contains(keyId, listing);
        Assert.DoesNotContain(secret, listing);
        Assert.DoesNotContain("secretHash", listing, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Over_the_rate_limit_a_key_gets_429_with_retry_after()
    {
        // One token per 100 s: no replenishment can land inside the test, so exactly the burst passes.
        await using var limited = platform.StartGateway(tokensPerSecond: 0.01, burst: 3);
        var client = limited.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", PlatformFixture.OpsKey);

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++) statuses.Add(await client.GetAsync("/api/sla/stores"));

        Assert.Equal(3, statuses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var throttled = statuses.Last();
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType!.MediaType);
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 100);
        // Another key has its own bucket.
        var (_, other) = await platform.IssueKey(Roles.Ops, null);
        var otherClient = limited.CreateClient();
        otherClient.DefaultRequestHeaders.Add("X-Api-Key", other);
        Assert.Equal(HttpStatusCode.OK, (await otherClient.GetAsync("/api/sla/stores")).StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_gateway_limit_is_413_problem_json_and_stores_nothing()
    {
        var huge = new string('a', 6 * 1024 * 1024 + 1);

        // Expect: 100-continue lets the client read the 413 instead of writing into a closed connection.
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sla/stores")
        {
            Content = new StringContent($"{{\"storeId\":\"e2e-huge\",\"name\":\"{huge}\",\"platform\":\"jd\"}}", null, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var response = await _ops.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/sla/stores/e2e-huge")).StatusCode);
    }

    [Fact]
    public async Task A_service_called_directly_without_the_gateway_refuses()
    {
        using var direct = new HttpClient { BaseAddress = platform.AgreementsAddress };
        direct.DefaultRequestHeaders.Add("X-Api-Key", PlatformFixture.OpsKey);

        var response = await direct.GetAsync("/api/sla/stores");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync("/health/ready")).StatusCode);
    }
}
