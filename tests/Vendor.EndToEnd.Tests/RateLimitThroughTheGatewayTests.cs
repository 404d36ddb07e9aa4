using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Vendor.EndToEnd.Tests.Hardening;
using Vendor.Gateway.Edge;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>RateLimit-Policy / RateLimit with the real services behind the gateway: proxied answers and the gateway's own alike.</summary>
public class RateLimitThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private static readonly Regex Current = new("^\"key\";r=(?<r>[0-9]+);t=(?<t>[0-9]+)$");

    [Fact]
    public async Task A_store_sees_its_quota_go_down_on_every_answer_and_the_429_says_when_to_come_back()
    {
        await Seeds.StoreAsync(platform.Client(PlatformFixture.OpsKey), "e2e-rl", conversations: 2);
        var (_, secret) = await platform.IssueKey(Roles.Store, "e2e-rl");
        // One token per 100 s: nothing replenishes inside the test, so exactly the burst passes.
        await using var limited = platform.StartGateway(tokensPerSecond: 0.01, burst: 5);
        var store = limited.CreateClient();
        store.DefaultRequestHeaders.Add("X-Api-Key", secret);

        var answers = new[]
        {
            await store.GetAsync($"/api/sla/stores/e2e-rl/sla?from={Seeds.From}&to={Seeds.To}"), // 200 from Agreements
            await store.GetAsync("/api/sla/stores/e2e-rl/sla?from=2026-13-01&to=2026-11-30"), // 400 from Agreements
            await store.GetAsync("/api/sla/stores/e2e-rl/contract"), // 200 from Agreements
            await store.GetAsync("/api/sla/stores/e2e-someone-else/contract"), // 403 from the gateway
            await store.GetAsync("/api/quality/stores/e2e-rl/quick-replies"), // 200 from Quality
            await store.GetAsync("/api/sla/stores/e2e-rl/contract"), // 429 from the gateway
        };

        Assert.Equal([200, 400, 200, 403, 200, 429], answers.Select(a => (int)a.StatusCode));
        foreach (var answer in answers)
            Assert.Equal("\"key\";q=5;w=500", answer.Headers.GetValues(RateLimitFields.PolicyHeader).Single());
        var current = answers.Select(a => Current.Match(a.Headers.GetValues(RateLimitFields.Header).Single())).ToList();
        Assert.All(current, m => Assert.True(m.Success));
        Assert.Equal([4, 3, 2, 1, 0, 0], current.Select(m => int.Parse(m.Groups["r"].Value)));

        var throttled = answers[^1];
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType!.MediaType);
        var retryAfter = (int)throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 1, 100);
        Assert.Equal(retryAfter, int.Parse(current[^1].Groups["t"].Value));
        Assert.Equal(429, (await throttled.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("status").GetInt32());
    }
}
