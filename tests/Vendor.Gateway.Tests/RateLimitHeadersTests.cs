using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vendor.Gateway.Edge;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

/// <summary>The formatting of RateLimit-Policy / RateLimit (draft-ietf-httpapi-ratelimit-headers-11), as pure functions.</summary>
public class RateLimitFieldsTests
{
    [Fact]
    public void The_policy_field_lists_every_policy_as_a_structured_list_of_strings_with_q_and_w()
    {
        var quotas = new[] { new QuotaState("key", 100, 2, 41, 1), new QuotaState("address", 400, 2, 390, 1) };

        Assert.Equal("\"key\";q=100;w=2, \"address\";q=400;w=2", RateLimitFields.Policy(quotas));
    }

    [Fact]
    public void The_ratelimit_field_names_the_policy_nearest_to_exhaustion_with_r_and_t()
    {
        Assert.Equal("\"address\";r=3;t=1",
            RateLimitFields.Current([new QuotaState("key", 100, 2, 41, 1), new QuotaState("address", 400, 2, 3, 1)]));
        // On a tie the longer wait wins: that is the one the client must respect.
        Assert.Equal("\"address\";r=0;t=100",
            RateLimitFields.Current([new QuotaState("key", 5, 500, 0, 1), new QuotaState("address", 3, 300, 0, 100)]));
        // Never negative; t may be 0 (the draft allows any non-negative integer).
        Assert.Equal("\"key\";r=0;t=0", RateLimitFields.Current([new QuotaState("key", 5, 1, -2, -1)]));
    }

    [Fact]
    public void No_quota_means_no_field()
    {
        Assert.Null(RateLimitFields.Policy([]));
        Assert.Null(RateLimitFields.Current([]));
    }

    [Theory]
    [InlineData(50, 100, 100, 2)]
    [InlineData(0.01, 3, 3, 300)]
    [InlineData(200, 400, 400, 2)]
    [InlineData(3, 10, 10, 4)] // 3.33 s rounds up: the advertised rate is never above the real one
    [InlineData(10000, 100, 100, 1)] // the window is at least one second
    [InlineData(10, 0, 1, 1)] // a bucket always holds at least one token
    public void A_token_bucket_reads_as_its_burst_over_the_seconds_it_takes_to_refill(double perSecond, int burst, long quota, long window) =>
        Assert.Equal((quota, window), RateLimitFields.PolicyOf(new RateLimitSettings(perSecond, burst)));

    [Fact]
    public void Policy_names_are_escaped_structured_strings_and_non_ascii_is_refused()
    {
        Assert.Equal("\"a\\\"b\\\\c\"", RateLimitFields.SfString("a\"b\\c"));
        Assert.Throws<ArgumentException>(() => RateLimitFields.SfString("键"));
        Assert.Throws<ArgumentException>(() => RateLimitFields.SfString("a\nb"));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.2, 1)]
    [InlineData(1, 1)]
    [InlineData(1.01, 2)]
    [InlineData(100, 100)]
    public void Retry_after_is_whole_seconds_rounded_up_and_at_least_one(double seconds, long expected) =>
        Assert.Equal(expected, RateLimitFields.RetryAfterSeconds(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Large_numbers_stay_within_the_structured_field_integer_range() =>
        Assert.Equal("999999999999999", RateLimitFields.SfInteger(long.MaxValue));
}

/// <summary>
/// Through the gateway in front of a stand-in Agreements service (answers 200, and 304 to If-None-Match): the fields are on every
/// /api answer, proxied or the gateway's own, r goes down request by request, and a 429 carries Retry-After and r=0.
/// </summary>
public class RateLimitHeadersTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string Origin = "https://shop.example.com";
    private static readonly Regex Current = new("^\"(?<policy>[a-z]+)\";r=(?<r>[0-9]+);t=(?<t>[0-9]+)$");

    private static async Task<WebApplication> StandInAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/api/sla/stores/{storeId}/sla", (HttpRequest request, HttpResponse response) =>
        {
            response.Headers.ETag = "\"v1\"";
            return request.Headers.IfNoneMatch == "\"v1\"" ? Results.StatusCode(304) : Results.Json(new { storeId = "rl-own", conversations = 3 });
        });
        await app.StartAsync();
        return app;
    }

    private static (string Policy, long R, long T) Parse(HttpResponseMessage response)
    {
        var value = response.Headers.GetValues(RateLimitFields.Header).Single();
        var match = Current.Match(value);
        Assert.True(match.Success, $"RateLimit: {value}");
        return (match.Groups["policy"].Value, long.Parse(match.Groups["r"].Value), long.Parse(match.Groups["t"].Value));
    }

    [Fact]
    public async Task Every_api_answer_carries_the_policies_and_what_is_left_and_the_429_says_when_to_come_back()
    {
        await using var backend = await StandInAsync();
        var (_, secret) = await gateway.IssueKey(Roles.Store, "rl-own");
        // One token per 100 s: nothing replenishes inside the test. Key burst 5, address burst 9 (every test client is one address).
        await using var host = gateway.StartHost(new Dictionary<string, string?>
        {
            ["Gateway:RateLimit:TokensPerSecond"] = "0.01",
            ["Gateway:RateLimit:Burst"] = "5",
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0.01",
            ["Gateway:RateLimit:PerSource:Burst"] = "9",
            ["Gateway:Cors:AllowedOrigins:0"] = Origin,
            ["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = backend.Urls.First(),
        });
        var store = host.CreateClient();
        store.DefaultRequestHeaders.Add("X-Api-Key", secret);
        store.DefaultRequestHeaders.Add("Origin", Origin);

        var anonymous = await host.CreateClient().GetAsync("/api/sla/stores/rl-own/sla"); // address 8 left
        var ok = await store.GetAsync("/api/sla/stores/rl-own/sla"); // address 7, key 4
        var notModified = await store.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/sla/stores/rl-own/sla")
        {
            Headers = { { "If-None-Match", "\"v1\"" } },
        }); // key 3
        var forbidden = await store.GetAsync("/api/sla/stores/rl-other/sla"); // key 2
        var more = new[] { await store.GetAsync("/api/sla/stores/rl-own/sla"), await store.GetAsync("/api/sla/stores/rl-own/sla") }; // 1, 0
        var throttled = await store.GetAsync("/api/sla/stores/rl-own/sla");
        var notApi = await store.GetAsync("/health/live");

        Assert.Equal([401, 200, 304, 403, 200, 200, 429],
            new[] { anonymous, ok, notModified, forbidden, more[0], more[1], throttled }.Select(r => (int)r.StatusCode));
        // Without a key only the address's policy applies; with one, both.
        Assert.Equal("\"address\";q=9;w=900", anonymous.Headers.GetValues(RateLimitFields.PolicyHeader).Single());
        Assert.Equal(("address", 8L, 100L), Parse(anonymous));
        foreach (var answer in new[] { ok, notModified, forbidden, more[0], more[1], throttled })
            Assert.Equal("\"address\";q=9;w=900, \"key\";q=5;w=500", answer.Headers.GetValues(RateLimitFields.PolicyHeader).Single());
        Assert.Equal([4L, 3L, 2L, 1L, 0L, 0L], new[] { ok, notModified, forbidden, more[0], more[1], throttled }.Select(r => Parse(r).R));
        Assert.All(new[] { ok, notModified, forbidden, more[0], more[1] }, r => Assert.Equal("key", Parse(r).Policy));

        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType!.MediaType);
        var retryAfter = (long)throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 1, 100);
        Assert.Equal(("key", 0L, retryAfter), Parse(throttled));
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType!.MediaType);
        Assert.Equal("\"v1\"", notModified.Headers.ETag!.Tag);

        // A browser page may read them (CORS applies to /api only); nothing of the kind outside /api.
        var exposed = ok.Headers.GetValues("Access-Control-Expose-Headers").Single();
        Assert.Contains("RateLimit-Policy", exposed, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(exposed.Split(',').Select(h => h.Trim()), h => h.Equals("RateLimit", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Retry-After", throttled.Headers.GetValues("Access-Control-Expose-Headers").Single());
        Assert.False(notApi.Headers.Contains(RateLimitFields.Header));
        Assert.False(notApi.Headers.Contains(RateLimitFields.PolicyHeader));
    }

    [Fact]
    public async Task Over_the_per_address_limit_the_429_names_the_address_policy_with_nothing_left()
    {
        await using var host = gateway.StartHost(new Dictionary<string, string?>
        {
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0.01",
            ["Gateway:RateLimit:PerSource:Burst"] = "2",
        });
        var ops = host.CreateClient();
        ops.DefaultRequestHeaders.Add("X-Api-Key", GatewayFixture.OpsKey);

        var answers = new[] { await ops.GetAsync("/api/keys"), await ops.GetAsync("/api/keys"), await ops.GetAsync("/api/keys") };

        Assert.Equal([200, 200, 429], answers.Select(a => (int)a.StatusCode));
        Assert.Equal([1L, 0L], answers[..2].Select(a => Parse(a).R));
        Assert.Equal("address", Parse(answers[1]).Policy);
        var throttled = answers[2];
        Assert.Equal("\"address\";q=2;w=200", throttled.Headers.GetValues(RateLimitFields.PolicyHeader).Single());
        Assert.Equal(("address", 0L, (long)throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds), Parse(throttled));
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Guessing_keys_ends_in_a_429_that_names_the_guesses_policy()
    {
        await using var host = gateway.StartHost();
        var guesser = host.CreateClient();

        HttpResponseMessage last = null!;
        for (var i = 0; i < 31; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/keys") { Headers = { { "X-Api-Key", $"vnd_guess-{i}" } } };
            last = await guesser.SendAsync(request);
            if (last.StatusCode == HttpStatusCode.TooManyRequests) break;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Equal("\"guesses\";q=30;w=6", last.Headers.GetValues(RateLimitFields.PolicyHeader).Single());
        Assert.Equal(("guesses", 0L, 1L), Parse(last));
        Assert.Equal(1, (int)last.Headers.RetryAfter!.Delta!.Value.TotalSeconds);
    }
}
