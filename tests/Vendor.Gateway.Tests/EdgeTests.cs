using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Vendor.Gateway.Edge;

namespace Vendor.Gateway.Tests;

/// <summary>Security headers on every answer, CORS only where configured, the per-source limit, body limits.</summary>
public class EdgeTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string Allowed = "https://ops.example.com";

    private static void AssertSecurityHeaders(HttpResponseMessage response, bool https = false)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy);
        Assert.Equal(https, response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers_and_hsts_only_over_https()
    {
        var ops = gateway.Client();
        var answers = new[]
        {
            await ops.GetAsync("/health/live"),
            await ops.GetAsync("/api/keys"),
            await ops.PostAsJsonAsync("/api/keys", new { name = "h", role = "ops" }),
            await ops.PostAsJsonAsync("/api/keys", new { name = "", role = "nobody" }),
            await gateway.Client(null).GetAsync("/api/keys"),
            await ops.GetAsync("/no-such-page"),
            await ops.DeleteAsync("/api/keys/nope"),
        };
        Assert.Equal([200, 200, 201, 400, 401, 404, 404], answers.Select(a => (int)a.StatusCode));
        foreach (var answer in answers) AssertSecurityHeaders(answer);

        var https = gateway.Host.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });
        AssertSecurityHeaders(await https.GetAsync("/health/live"), https: true);
        Assert.StartsWith("max-age=", (await https.GetAsync("/api/keys")).Headers.GetValues("Strict-Transport-Security").Single());
    }

    private static HttpRequestMessage Preflight(string path, string origin) => new(HttpMethod.Options, path)
    {
        Headers =
        {
            { "Origin", origin },
            { "Access-Control-Request-Method", "POST" },
            { "Access-Control-Request-Headers", "x-api-key, content-type" },
        },
    };

    [Fact]
    public async Task Without_configured_origins_there_is_no_cors_at_all()
    {
        var client = gateway.Client(null);

        var preflight = await client.SendAsync(Preflight("/api/keys", Allowed));
        var simple = await gateway.Client().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/keys") { Headers = { { "Origin", Allowed } } });

        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        Assert.False(simple.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task With_configured_origins_only_those_and_only_on_the_api()
    {
        await using var host = gateway.StartHost(new Dictionary<string, string?> { ["Gateway:Cors:AllowedOrigins:0"] = Allowed + "/" });
        var anonymous = host.CreateClient();
        var ops = host.CreateClient();
        ops.DefaultRequestHeaders.Add("X-Api-Key", GatewayFixture.OpsKey);

        var allowed = await anonymous.SendAsync(Preflight("/api/keys", Allowed));
        var other = await anonymous.SendAsync(Preflight("/api/keys", "https://evil.example.com"));
        var notApi = await anonymous.SendAsync(Preflight("/health/live", Allowed));
        var simple = await ops.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/keys") { Headers = { { "Origin", Allowed } } });
        var simpleOther = await ops.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/keys") { Headers = { { "Origin", "https://evil.example.com" } } });

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal(Allowed, allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("x-api-key", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(allowed.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(notApi.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.OK, simple.StatusCode);
        Assert.Equal(Allowed, simple.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(simpleOther.Headers.Contains("Access-Control-Allow-Origin"));
        AssertSecurityHeaders(allowed);
    }

    [Fact]
    public async Task Over_the_per_source_limit_any_key_gets_429_problem_json_with_retry_after_and_health_stays_open()
    {
        // One token per 100 s: nothing replenishes inside the test. Every test client is one source.
        await using var host = gateway.StartHost(new Dictionary<string, string?>
        {
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0.01",
            ["Gateway:RateLimit:PerSource:Burst"] = "3",
        });
        var ops = host.CreateClient();
        ops.DefaultRequestHeaders.Add("X-Api-Key", GatewayFixture.OpsKey);
        var unknown = host.CreateClient();
        unknown.DefaultRequestHeaders.Add("X-Api-Key", "vnd_unknown-key-from-the-same-source");

        var answers = new[] { await ops.GetAsync("/api/keys"), await unknown.GetAsync("/api/keys"), await ops.GetAsync("/api/keys"), await ops.GetAsync("/api/keys"), await unknown.GetAsync("/api/keys") };

        Assert.Equal([200, 401, 200, 429, 429], answers.Select(a => (int)a.StatusCode));
        var throttled = answers[3];
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType!.MediaType);
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 100);
        AssertSecurityHeaders(throttled);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task A_declared_body_over_the_limit_is_413_problem_json_before_anything_reads_it()
    {
        var response = await gateway.Client().PostAsync("/api/keys",
            new StringContent($"{{\"name\":\"{new string('n', 1024 * 1024)}\",\"role\":\"ops\"}}", null, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("1048576", await response.Content.ReadAsStringAsync());
    }
}
