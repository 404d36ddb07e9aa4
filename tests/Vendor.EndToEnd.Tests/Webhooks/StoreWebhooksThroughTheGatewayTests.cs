using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vendor.Agreements.Webhooks;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests.Webhooks;

/// <summary>Names a test makes resolve where it wants (DNS rebinding, private names); everything else resolves as usual.</summary>
public sealed class TestDns : WebhookDns
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);

    public void Set(string host, params string[] addresses) => _names[host] = addresses.Select(IPAddress.Parse).ToArray();

    public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) =>
        _names.TryGetValue(host, out var addresses) ? Task.FromResult(addresses) : base.ResolveAsync(host, ct);
}

/// <summary>The platform with webhooks allowed to localhost (the receiver), fast retries and a test DNS; plus the store's receiver.</summary>
public sealed class WebhookPlatform : IAsyncLifetime
{
    public TestDns Dns { get; } = new();
    public PlatformFixture Platform { get; }

    /// <summary>Every line Agreements logs (Debug and up).</summary>
    public LogCapture AgreementsLogs { get; } = new();
    public StoreWebhookReceiver Receiver { get; private set; } = null!;

    public WebhookPlatform() => Platform = new PlatformFixture
    {
        ConfigureAgreements = host =>
        {
            host.UseSetting("Webhooks:AllowedHosts:0", "localhost");
            host.UseSetting("Webhooks:PollSeconds", "0.1");
            host.UseSetting("Webhooks:FirstRetrySeconds", "0.3");
            host.UseSetting("Webhooks:MaxRetrySeconds", "1");
            host.ConfigureServices(services => services.AddSingleton<WebhookDns>(Dns));
            host.ConfigureLogging(l =>
            {
                l.AddProvider(AgreementsLogs);
                l.AddFilter<LogCapture>(null, LogLevel.Debug);
            });
        },
    };

    public async Task InitializeAsync()
    {
        await Platform.InitializeAsync();
        Receiver = await StoreWebhookReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Receiver.DisposeAsync();
        await Platform.DisposeAsync();
    }
}

/// <summary>Webhooks to stores through the gateway, with a store's key, to a receiver that verifies signatures with the StandardWebhooks package.</summary>
public class StoreWebhooksThroughTheGatewayTests(WebhookPlatform fixture) : IClassFixture<WebhookPlatform>
{
    private readonly PlatformFixture _platform = fixture.Platform;
    private readonly StoreWebhookReceiver _receiver = fixture.Receiver;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    private async Task<HttpClient> StoreWithKey(string storeId, bool contract = false)
    {
        var ops = _platform.Client(PlatformFixture.OpsKey);
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId, name = storeId, platform = "tmall", serviceHours = new[] { new { start = "00:00", end = "00:00" } } })).StatusCode);
        if (contract)
            Assert.Equal(HttpStatusCode.Created, (await ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
            {
                monthlyFee = 50_000, currency = "CNY", atRiskPercent = 12, startsOn = "2026-01-01", endsOn = "2027-12-31",
                targets = new[] { new { metric = "firstResponseSeconds", target = 30.0, allocationPercent = 50m } },
            })).StatusCode);
        return _platform.Client((await _platform.IssueKey(Roles.Store, storeId)).Secret);
    }

    private async Task<(string WebhookId, string Secret)> Register(HttpClient client, string storeId, string endpoint, EndpointMode mode,
        params string[] events)
    {
        var response = await client.PostAsJsonAsync($"/api/sla/stores/{storeId}/webhooks", new { url = _receiver.Url(endpoint), events });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var (id, secret) = (created.GetProperty("webhookId").GetString()!, created.GetProperty("secret").GetString()!);
        _receiver.Expect(endpoint, secret, mode);
        return (id, secret);
    }

    private static async Task<string> SendTest(HttpClient client, string storeId, string webhookId)
    {
        var response = await client.PostAsync($"/api/sla/stores/{storeId}/webhooks/{webhookId}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryId").GetString()!;
    }

    private static async Task<JsonElement> Delivery(HttpClient client, string storeId, string webhookId, string deliveryId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/webhooks")).EnumerateArray()
        .Single(w => w.GetProperty("webhookId").GetString() == webhookId).GetProperty("deliveries").EnumerateArray()
        .Single(d => d.GetProperty("deliveryId").GetString() == deliveryId);

    private Task<IReadOnlyList<StoreCall>> Calls(string endpoint, int atLeast) =>
        Eventually.Until(() => Task.FromResult(_receiver.CallsTo(endpoint)), c => c.Count >= atLeast, Within, $"{atLeast} calls to {endpoint}");

    [Fact]
    public async Task A_store_registers_a_webhook_and_its_test_event_arrives_signed_and_the_list_never_shows_the_secret()
    {
        var store = await StoreWithKey("wh-test");
        var (webhookId, secret) = await Register(store, "wh-test", "wh-test", EndpointMode.Ok, "sla.breached", "test");

        Assert.Matches("^whsec_[A-Za-z0-9+/]+=*$", secret);
        Assert.True(Convert.FromBase64String(secret[6..]).Length >= 24);
        var deliveryId = await SendTest(store, "wh-test", webhookId);

        var call = Assert.Single(await Calls("wh-test", 1));
        Assert.True(call.Verified, "the StandardWebhooks package verifies the signature");
        Assert.Equal(deliveryId, call.WebhookId);
        var body = JsonDocument.Parse(call.Body).RootElement;
        Assert.Equal("test", body.GetProperty("type").GetString());
        Assert.Equal("wh-test", body.GetProperty("data").GetProperty("storeId").GetString());
        Assert.True(body.TryGetProperty("timestamp", out _));

        var delivered = await Eventually.Until(() => Delivery(store, "wh-test", webhookId, deliveryId),
            d => d.GetProperty("status").GetString() == "delivered", Within, "delivered in the list");
        Assert.Equal(1, delivered.GetProperty("attempts").GetInt32());
        Assert.Equal(200, delivered.GetProperty("lastStatusCode").GetInt32());
        var list = await store.GetStringAsync("/api/sla/stores/wh-test/webhooks");
        Assert.DoesNotContain(secret, list);
        Assert.DoesNotContain("\"secret\"", list);
        Assert.Contains(_receiver.Url("wh-test"), list);
        Assert.NotEmpty(fixture.AgreementsLogs.Lines);
        Assert.DoesNotContain(fixture.AgreementsLogs.Lines, line => line.Contains(secret[6..]));
    }

    [Fact]
    public async Task A_breach_caused_by_ingested_conversations_and_its_recovery_reach_the_store()
    {
        var store = await StoreWithKey("wh-sla", contract: true);
        var ingest = _platform.Client((await _platform.IssueKey(Roles.Ingest, "wh-sla")).Secret);
        await Register(store, "wh-sla", "wh-sla", EndpointMode.Ok, "sla.breached", "sla.recovered");

        // First response after 100 s against a 30 s target: missed.
        Assert.Equal(HttpStatusCode.OK, (await ingest.PostAsJsonAsync("/api/sla/stores/wh-sla/conversations",
            new { conversations = new[] { Conversation("slow-1", 100) } })).StatusCode);
        var breached = Assert.Single(await Calls("wh-sla", 1));
        var body = JsonDocument.Parse(breached.Body).RootElement;
        Assert.True(breached.Verified);
        Assert.Equal("sla.breached", body.GetProperty("type").GetString());
        var data = body.GetProperty("data");
        Assert.Equal(("wh-sla", "firstResponseSeconds", "missed"),
            (data.GetProperty("storeId").GetString(), data.GetProperty("metric").GetString(), data.GetProperty("status").GetString()));
        Assert.Equal(100, data.GetProperty("actual").GetDouble());

        // Nine quick answers bring the mean to 14.5 s: met again.
        Assert.Equal(HttpStatusCode.OK, (await ingest.PostAsJsonAsync("/api/sla/stores/wh-sla/conversations",
            new { conversations = Enumerable.Range(1, 9).Select(i => Conversation($"quick-{i}", 5)).ToArray() })).StatusCode);
        var calls = await Calls("wh-sla", 2);
        var recovered = JsonDocument.Parse(calls[1].Body).RootElement;
        Assert.Equal("sla.recovered", recovered.GetProperty("type").GetString());
        Assert.Equal(("met", "missed"), (recovered.GetProperty("data").GetProperty("status").GetString(),
            recovered.GetProperty("data").GetProperty("previousStatus").GetString()));
        Assert.NotEqual(calls[0].WebhookId, calls[1].WebhookId);
    }

    private static object Conversation(string id, int replySeconds)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        var at = now.AddMinutes(-10).Month == now.Month ? now.AddMinutes(-10) : new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, now.Offset);
        return new
        {
            conversationId = id, channel = "chat", kind = "presales",
            messages = new object[]
            {
                new { at = at.ToString("o"), from = "customer", text = "在吗？" },
                new { at = at.AddSeconds(replySeconds).ToString("o"), from = "agent", agentId = "a-1", text = "亲，在的" },
            },
        };
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_the_event_once_it_is_up_with_the_same_webhook_id_on_every_attempt()
    {
        var store = await StoreWithKey("wh-down");
        var (webhookId, secret) = await Register(store, "wh-down", "wh-down", EndpointMode.Down, "test");
        var deliveryId = await SendTest(store, "wh-down", webhookId);

        await Calls("wh-down", 3);
        var retrying = await Delivery(store, "wh-down", webhookId, deliveryId);
        Assert.Equal("pending", retrying.GetProperty("status").GetString());
        Assert.Equal(503, retrying.GetProperty("lastStatusCode").GetInt32());
        Assert.StartsWith("HTTP 503", retrying.GetProperty("lastError").GetString());
        Assert.True(retrying.GetProperty("lastError").GetString()!.Length < 4096, "the error body is read only so far");
        Assert.Equal(JsonValueKind.String, retrying.GetProperty("nextAttemptAt").ValueKind);

        _receiver.Switch("wh-down", EndpointMode.Ok);
        var delivered = await Eventually.Until(() => Delivery(store, "wh-down", webhookId, deliveryId),
            d => d.GetProperty("status").GetString() == "delivered", Within, "delivered after the receiver came back");

        var calls = _receiver.CallsTo("wh-down");
        Assert.All(calls, c => Assert.Equal(deliveryId, c.WebhookId));
        Assert.All(calls, c => Assert.True(c.Verified));
        Assert.Single(calls, c => c.Answer == 200);
        Assert.Equal(calls.Count, delivered.GetProperty("attempts").GetInt32());
        Assert.Single(calls.Select(c => c.Body).Distinct());
        Assert.Contains(fixture.AgreementsLogs.Lines, line => line.Contains(deliveryId) && line.Contains("503"));
        Assert.DoesNotContain(fixture.AgreementsLogs.Lines, line => line.Contains(secret[6..]));
    }

    [Fact]
    public async Task An_endpoint_that_is_not_listening_gets_the_event_once_it_listens_with_the_same_webhook_id()
    {
        var store = await StoreWithKey("wh-closed");
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        var response = await store.PostAsJsonAsync("/api/sla/stores/wh-closed/webhooks",
            new { url = $"http://localhost:{port}/hooks/wh-closed", events = new[] { "test" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var (webhookId, secret) = (created.GetProperty("webhookId").GetString()!, created.GetProperty("secret").GetString()!);
        var deliveryId = await SendTest(store, "wh-closed", webhookId);

        var refused = await Eventually.Until(() => Delivery(store, "wh-closed", webhookId, deliveryId),
            d => d.GetProperty("attempts").GetInt32() >= 2, Within, "attempts against a closed port");
        Assert.Equal("pending", refused.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, refused.GetProperty("lastStatusCode").ValueKind);
        Assert.False(string.IsNullOrEmpty(refused.GetProperty("lastError").GetString()));

        await using var late = await StoreWebhookReceiver.StartAsync(port);
        late.Expect("wh-closed", secret);
        var delivered = await Eventually.Until(() => Delivery(store, "wh-closed", webhookId, deliveryId),
            d => d.GetProperty("status").GetString() == "delivered", Within, "delivered once the endpoint listens");
        var call = Assert.Single(late.CallsTo("wh-closed"));
        Assert.Equal(deliveryId, call.WebhookId);
        Assert.True(call.Verified);
        Assert.True(delivered.GetProperty("attempts").GetInt32() >= 3);
    }

    [Fact]
    public async Task A_slow_store_endpoint_does_not_hold_up_another_stores_delivery()
    {
        var slowStore = await StoreWithKey("wh-slow");
        var quickStore = await StoreWithKey("wh-quick");
        var (slowHook, _) = await Register(slowStore, "wh-slow", "wh-slow", EndpointMode.Slow, "test");
        var (quickHook, _) = await Register(quickStore, "wh-quick", "wh-quick", EndpointMode.Ok, "test");

        await SendTest(slowStore, "wh-slow", slowHook);
        // The slow endpoint has the request and sits on it; now the other store's event.
        await Eventually.Until(() => Task.FromResult(_receiver.Started("wh-slow")), n => n >= 1, Within, "the slow endpoint's request");
        await SendTest(quickStore, "wh-quick", quickHook);

        var quick = Assert.Single(await Calls("wh-quick", 1));
        var slow = Assert.Single(await Calls("wh-slow", 1));
        Assert.True(quick.AnsweredAt < slow.AnsweredAt, $"the quick store got its event at {quick.AnsweredAt:O}, the slow one answered at {slow.AnsweredAt:O}");
        Assert.True(quick.ReceivedAt < slow.ReceivedAt + _receiver.SlowFor, "the quick delivery did not wait for the slow endpoint");
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook", "loopback")]
    [InlineData("http://example.com/hook", "https")]
    [InlineData("https://10.0.0.1/hook", "private")]
    [InlineData("https://[::1]/hook", "loopback")]
    [InlineData("https://[::ffff:127.0.0.1]/hook", "loopback")]
    [InlineData("https://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("https://100.64.0.7/hook", "carrier-grade")]
    [InlineData("https://internal.example.com/hook", "not a public internet address")] // the resolved address is not told
    [InlineData("not a url", "absolute https")]
    public async Task Forgery_targets_are_refused_at_registration_with_a_reason(string url, string reason)
    {
        fixture.Dns.Set("internal.example.com", "192.168.10.20");
        var store = await StoreWithKeyOnce("wh-ssrf");

        var response = await store.PostAsJsonAsync("/api/sla/stores/wh-ssrf/webhooks", new { url, events = new[] { "test" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("url")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("webhook-url-refused", problem.GetProperty("code").GetString());
        Assert.Equal("/api/store/problems/webhook-url-refused", problem.GetProperty("type").GetString());
    }

    private static readonly SemaphoreSlim Once = new(1);
    private static readonly Dictionary<string, HttpClient> Stores = [];

    /// <summary>One store for all cases of a theory.</summary>
    private async Task<HttpClient> StoreWithKeyOnce(string storeId)
    {
        await Once.WaitAsync();
        try
        {
            if (!Stores.TryGetValue(storeId, out var client)) Stores[storeId] = client = await StoreWithKey(storeId);
            return client;
        }
        finally
        {
            Once.Release();
        }
    }

    [Fact]
    public async Task Unknown_or_no_events_are_400_problems()
    {
        var store = await StoreWithKey("wh-events");

        var unknown = await store.PostAsJsonAsync("/api/sla/stores/wh-events/webhooks", new { url = _receiver.Url("x"), events = new[] { "sla.exploded" } });
        var none = await store.PostAsJsonAsync("/api/sla/stores/wh-events/webhooks", new { url = _receiver.Url("x"), events = Array.Empty<string>() });
        var missing = await store.PostAsJsonAsync("/api/sla/stores/wh-events/webhooks", new { url = _receiver.Url("x") });

        foreach (var response in new[] { unknown, none, missing })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        Assert.True((await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("events[0]", out _));
        // Wrong events with an acceptable URL are plain validation, not a refused URL.
        foreach (var response in new[] { none, missing })
            Assert.Equal("validation-failed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_name_that_rebinds_to_loopback_after_registration_is_refused_when_sending_and_redirects_are_not_followed()
    {
        var store = await StoreWithKey("wh-rebind");
        // Public when registered; loopback (where the receiver listens) when the event is sent.
        fixture.Dns.Set("rebind.example.com", "93.184.216.34");
        var registered = await store.PostAsJsonAsync("/api/sla/stores/wh-rebind/webhooks",
            new { url = $"https://rebind.example.com:{_receiver.Port}/hooks/wh-rebind", events = new[] { "test" } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var webhookId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("webhookId").GetString()!;
        fixture.Dns.Set("rebind.example.com", "127.0.0.1");

        var deliveryId = await SendTest(store, "wh-rebind", webhookId);
        var refused = await Eventually.Until(() => Delivery(store, "wh-rebind", webhookId, deliveryId),
            d => d.GetProperty("attempts").GetInt32() >= 1, Within, "a refused attempt");
        Assert.Equal("pending", refused.GetProperty("status").GetString());
        Assert.Contains("not a public internet address", refused.GetProperty("lastError").GetString());
        Assert.DoesNotContain("127.0.0.1", refused.GetProperty("lastError").GetString());
        Assert.Empty(_receiver.CallsTo("wh-rebind"));

        // A redirect (here to the cloud metadata address) is a failed attempt, never followed.
        var (redirectHook, _) = await Register(store, "wh-rebind", "wh-redirect", EndpointMode.Redirect, "test");
        var redirected = await SendTest(store, "wh-rebind", redirectHook);
        var failed = await Eventually.Until(() => Delivery(store, "wh-rebind", redirectHook, redirected),
            d => d.GetProperty("attempts").GetInt32() >= 1, Within, "the redirect answered");
        Assert.Equal("pending", failed.GetProperty("status").GetString());
        Assert.Equal(302, failed.GetProperty("lastStatusCode").GetInt32());
        Assert.Contains("redirects are not followed", failed.GetProperty("lastError").GetString());

        // 410 Gone disables the webhook.
        var (goneHook, _) = await Register(store, "wh-rebind", "wh-gone", EndpointMode.Gone, "test");
        await SendTest(store, "wh-rebind", goneHook);
        var gone = await Eventually.Until(async () => (await store.GetFromJsonAsync<JsonElement>("/api/sla/stores/wh-rebind/webhooks")).EnumerateArray()
            .Single(w => w.GetProperty("webhookId").GetString() == goneHook), w => w.GetProperty("status").GetString() == "disabled", Within, "disabled");
        Assert.Equal("failed", gone.GetProperty("deliveries")[0].GetProperty("status").GetString());
        Assert.Single(_receiver.CallsTo("wh-gone"));
        Assert.Equal(HttpStatusCode.Conflict, (await store.PostAsync($"/api/sla/stores/wh-rebind/webhooks/{goneHook}/test", null)).StatusCode);
    }

    [Fact]
    public async Task A_store_never_sees_or_touches_another_stores_webhooks_or_deliveries()
    {
        var mine = await StoreWithKey("wh-mine");
        var theirs = await StoreWithKey("wh-theirs");
        var (myHook, _) = await Register(mine, "wh-mine", "wh-mine", EndpointMode.Ok, "test");
        var (theirHook, theirSecret) = await Register(theirs, "wh-theirs", "wh-theirs", EndpointMode.Ok, "test");
        var theirDelivery = await SendTest(theirs, "wh-theirs", theirHook);
        await Calls("wh-theirs", 1);

        // Their routes: refused at the gateway.
        Assert.Equal(HttpStatusCode.Forbidden, (await mine.GetAsync("/api/sla/stores/wh-theirs/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mine.DeleteAsync($"/api/sla/stores/wh-theirs/webhooks/{theirHook}")).StatusCode);
        // Their ids on my routes: not found.
        Assert.Equal(HttpStatusCode.NotFound, (await mine.DeleteAsync($"/api/sla/stores/wh-mine/webhooks/{theirHook}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mine.PostAsync($"/api/sla/stores/wh-mine/webhooks/{theirHook}/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await mine.PostAsync($"/api/sla/stores/wh-mine/webhooks/{theirHook}/deliveries/{theirDelivery}/replay", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await mine.PostAsync($"/api/sla/stores/wh-mine/webhooks/{myHook}/deliveries/{theirDelivery}/replay", null)).StatusCode);
        var myList = await mine.GetStringAsync("/api/sla/stores/wh-mine/webhooks");
        Assert.DoesNotContain(theirHook, myList);
        Assert.DoesNotContain(theirDelivery, myList);
        Assert.DoesNotContain(theirSecret, myList);

        // Theirs is untouched: still listed, still delivering.
        Assert.Contains(theirHook, await theirs.GetStringAsync("/api/sla/stores/wh-theirs/webhooks"));
        Assert.Single(_receiver.CallsTo("wh-theirs"));
    }

    [Fact]
    public async Task A_delivery_is_replayed_with_the_same_body_under_a_new_webhook_id_and_a_removed_webhook_is_gone()
    {
        var store = await StoreWithKey("wh-replay");
        var (webhookId, _) = await Register(store, "wh-replay", "wh-replay", EndpointMode.Ok, "test");
        var original = await SendTest(store, "wh-replay", webhookId);
        await Calls("wh-replay", 1);

        var response = await store.PostAsync($"/api/sla/stores/wh-replay/webhooks/{webhookId}/deliveries/{original}/replay", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var replay = await response.Content.ReadFromJsonAsync<JsonElement>();
        var replayId = replay.GetProperty("deliveryId").GetString()!;
        Assert.Equal(original, replay.GetProperty("replayOf").GetString());

        var calls = await Calls("wh-replay", 2);
        Assert.Equal((original, replayId), (calls[0].WebhookId, calls[1].WebhookId));
        Assert.NotEqual(original, replayId);
        Assert.Equal(calls[0].Body, calls[1].Body);
        Assert.All(calls, c => Assert.True(c.Verified));
        var listed = await Eventually.Until(() => Delivery(store, "wh-replay", webhookId, replayId),
            d => d.GetProperty("status").GetString() == "delivered", Within, "the replay delivered");
        Assert.Equal(original, listed.GetProperty("replayOf").GetString());
        Assert.Equal(HttpStatusCode.NotFound,
            (await store.PostAsync($"/api/sla/stores/wh-replay/webhooks/{webhookId}/deliveries/msg_nope/replay", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await store.DeleteAsync($"/api/sla/stores/wh-replay/webhooks/{webhookId}")).StatusCode);
        Assert.DoesNotContain(webhookId, await store.GetStringAsync("/api/sla/stores/wh-replay/webhooks"));
        Assert.Equal(HttpStatusCode.NotFound, (await store.PostAsync($"/api/sla/stores/wh-replay/webhooks/{webhookId}/test", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await store.DeleteAsync($"/api/sla/stores/wh-replay/webhooks/{webhookId}")).StatusCode);
    }
}
