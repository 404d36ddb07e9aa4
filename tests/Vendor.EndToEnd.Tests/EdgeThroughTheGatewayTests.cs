using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vendor.Gateway.ApiKeys;
using Vendor.Gateway.Edge;
using Vendor.ServiceDefaults;

namespace Vendor.EndToEnd.Tests;

/// <summary>Body limits, security headers, the per-source limit and the audit trail with the real services behind the gateway.</summary>
public class EdgeThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    /// <summary>A body sent in chunks, without a Content-Length: only the server's running count can stop it.</summary>
    private sealed class ChunkedContent(int bytes, string prefix) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var head = Encoding.UTF8.GetBytes(prefix);
            await stream.WriteAsync(head);
            var block = Encoding.UTF8.GetBytes(new string('x', 64 * 1024));
            for (var sent = head.Length; sent < bytes; sent += block.Length) await stream.WriteAsync(block);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static async Task<HttpResponseMessage> SendChunked(HttpClient client, string path, int bytes)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ChunkedContent(bytes, "{\"padding\":\"") };
        request.Content.Headers.ContentType = new("application/json");
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task A_chunked_body_over_1_MB_is_413_problem_json_on_ordinary_routes_and_stores_nothing()
    {
        var response = await SendChunked(_ops, "/api/sla/stores", 1536 * 1024);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Conversation_ingest_keeps_its_5_MB_and_no_more()
    {
        Assert.Equal(HttpStatusCode.Created,
            (await _ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "e2e-edge-big", name = "big", platform = "jd" })).StatusCode);
        var (_, ingestKey) = await platform.IssueKey(Roles.Ingest, "e2e-edge-big");
        var ingest = platform.Client(ingestKey);

        // 2 MB passes the gateway: what answers is Agreements (its own rules on the body), not the gateway's 1 MB limit.
        var twoMb = await ingest.PostAsync("/api/sla/stores/e2e-edge-big/conversations",
            new StringContent($"{{\"conversations\":[],\"padding\":\"{new string('x', 2 * 1024 * 1024)}\"}}", null, "application/json"));
        // Over 5 MiB (the issue's limit) the gateway refuses before reading (Expect: 100-continue lets the client read the answer instead of writing on).
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/sla/stores/e2e-edge-big/conversations")
        {
            Content = new StringContent(new string('x', 5 * 1024 * 1024 + 1), null, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        var overFive = await ingest.SendAsync(request);

        Assert.NotEqual(HttpStatusCode.RequestEntityTooLarge, twoMb.StatusCode);
        Assert.True((int)twoMb.StatusCode < 500);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overFive.StatusCode);
        Assert.Equal("application/problem+json", overFive.Content.Headers.ContentType!.MediaType);
        Assert.Contains("5242880", await overFive.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Proxied_answers_carry_the_security_headers_too()
    {
        foreach (var response in new[]
                 {
                     await _ops.GetAsync("/api/sla/stores"), await _ops.GetAsync("/api/sla/stores/e2e-no-such-store"),
                     await platform.Client("vnd_unknown").GetAsync("/api/staffing/agents"),
                 })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        }
    }

    [Fact]
    public async Task Over_the_per_source_limit_a_replica_answers_429_before_anything_is_written_not_even_an_audit_record()
    {
        await using var limited = platform.StartGateway(tokensPerSecond: 1000, burst: 1000, new Dictionary<string, string?>
        {
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0.01",
            ["Gateway:RateLimit:PerSource:Burst"] = "2",
        });
        var (keyId, secret) = await platform.IssueKey(Roles.Ops, null);
        var client = limited.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) statuses.Add((await client.PostAsJsonAsync("/api/sla/stores/e2e-edge-throttled/contract", new { })).StatusCode);

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[2]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[3]);
        // The replicas share the audit trail: read it through the other one.
        // Each answer was sent after its record committed: no waiting.
        var records = (await _ops.GetFromJsonAsync<JsonElement>("/api/audit?storeId=e2e-edge-throttled")).GetProperty("items").EnumerateArray().ToList();
        // Refused before anything reaches PostgreSQL: a flood from one address costs no inserts. The writes let through are audited.
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.NotEqual(429, r.GetProperty("status").GetInt32()));
        Assert.All(records, r => Assert.Equal(keyId, r.GetProperty("actor").GetString()));
        Assert.All(records, r => Assert.Equal("127.0.0.1", r.GetProperty("remoteAddress").GetString()));
    }

    [Fact]
    public async Task Writes_answered_by_the_services_are_audited_with_the_services_status()
    {
        var (ingestId, ingestKey) = await platform.IssueKey(Roles.Ingest, "e2e-edge-audit");

        var created = await _ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "e2e-edge-audit", name = "audit", platform = "jd" });
        var invalid = await platform.Client(ingestKey).PostAsJsonAsync("/api/sla/stores/e2e-edge-audit/conversations", new { conversations = "none" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var mine = (await _ops.GetFromJsonAsync<JsonElement>($"/api/audit?actor={ingestId}")).GetProperty("items").EnumerateArray().ToList();
        var record = Assert.Single(mine);
        Assert.Equal(("POST", "/api/sla/stores/e2e-edge-audit/conversations", 400, "e2e-edge-audit", "ingest"),
            (record.GetProperty("method").GetString(), record.GetProperty("path").GetString(), record.GetProperty("status").GetInt32(),
                record.GetProperty("storeId").GetString(), record.GetProperty("role").GetString()));
        var ops = (await _ops.GetFromJsonAsync<JsonElement>($"/api/audit?actor={ApiKey.BootstrapKeyId}&limit=500")).GetProperty("items").EnumerateArray();
        Assert.Contains(ops, r => r.GetProperty("path").GetString() == "/api/sla/stores" && r.GetProperty("status").GetInt32() == 201);
    }
}
