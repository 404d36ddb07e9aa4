using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests.Hardening;

/// <summary>Data the access and fuzz tests put in first, through the gateway as ops: a store with its calendar, contract and conversations.</summary>
public static class Seeds
{
    public const string Month = "2026-11";
    public const string From = "2026-11-01";
    public const string To = "2026-11-30";

    public static object Conversation(string id, string agentId, string customerText, string? rating, string day = "2026-11-16") => new
    {
        conversationId = id, channel = "chat", kind = "aftersales", rating, resolved = true,
        messages = new object[]
        {
            new { at = $"{day}T10:00:00+08:00", from = "customer", text = customerText },
            new { at = $"{day}T10:00:40+08:00", from = "agent", agentId, text = "亲，马上为您处理" },
        },
    };

    /// <summary>Onboards a store (business hours, a holiday), activates its contract for November 2026 and ingests its conversations.</summary>
    public static async Task StoreAsync(HttpClient ops, string storeId, int conversations, string agentId = "seed-agent")
    {
        await Expect(HttpStatusCode.Created, ops.PostAsJsonAsync("/api/sla/stores", new
        {
            storeId, name = $"{storeId} 旗舰店", platform = "tmall", timeZone = "Asia/Shanghai",
            serviceHours = new[] { new { start = "08:00", end = "23:00" } }, openDays = new[] { 1, 2, 3, 4, 5, 6, 7 },
            holidays = new[] { "2027-02-17" }, slowThresholdSeconds = 180,
        }), "onboard " + storeId);
        await Expect(HttpStatusCode.Created, ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 100000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-10-01", endsOn = "2027-09-30",
            headcount = new { presales = 2, aftersales = 1, hotline = 0 },
            targets = new object[]
            {
                new { metric = "threeMinuteResponseRate", target = 0.9, allocationPercent = 40 },
                new { metric = "missedRate", target = 0.03, allocationPercent = 30 },
                new { metric = "qcScore", target = 90, allocationPercent = 30 },
            },
        }), "contract " + storeId);
        if (conversations == 0) return;
        var posted = await ops.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new
        {
            conversations = Enumerable.Range(1, conversations)
                .Select(i => Conversation($"{storeId}-c{i}", agentId, i % 2 == 0 ? "在吗？有赠品吗" : "三天了还不发货，我要投诉！", i % 2 == 0 ? "satisfied" : "unsatisfied"))
                .ToArray(),
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(conversations, (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    /// <summary>Drafts and publishes a store's article; returns its id.</summary>
    public static async Task<string> ArticleAsync(HttpClient ops, string? storeId, string title, string kind = "policy", string? shortcut = null)
    {
        var created = await ops.PostAsJsonAsync("/api/quality/knowledge/articles",
            new { storeId, kind, title, body = $"{title}：七天无理由退货，运费险赔付", tags = new[] { "退货" }, shortcut });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("articleId").GetString()!;
        await Succeeds(ops.PostAsync($"/api/quality/knowledge/articles/{id}/publish", null), "publish " + id);
        return id;
    }

    /// <summary>The store's conversation count over November 2026, as its SLA figures give it.</summary>
    public static async Task<long> ConversationsAsync(HttpClient ops, string storeId) =>
        (await ops.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/sla?from={From}&to={To}")).GetProperty("conversations").GetInt64();

    public static async Task Expect(HttpStatusCode status, Task<HttpResponseMessage> call, string what)
    {
        var response = await call;
        if (response.StatusCode != status)
            Assert.Fail($"{what}: expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task Succeeds(Task<HttpResponseMessage> call, string what)
    {
        var response = await call;
        if (!response.IsSuccessStatusCode)
            Assert.Fail($"{what}: expected success, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Sends a request, waiting out 429s (Retry-After) a bounded number of times: the gateway limits unknown keys per address.</summary>
    public static async Task<HttpResponseMessage> SendPacedAsync(HttpClient client, Func<HttpRequestMessage> request, int tries = 30,
        CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var message = request();
            var response = await client.SendAsync(message, ct);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt >= tries) return response;
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            // Waiting out the rate limit the gateway asked for (Retry-After), not waiting for an effect.
            await Task.Delay(wait, ct);
        }
    }

    /// <summary>A generated request exactly as written (the path and query sent as they are), with the key, headers and raw body.</summary>
    public static HttpRequestMessage Raw(Uri gateway, string method, string pathAndQuery, string key,
        IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, string? contentType)
    {
        var message = new HttpRequestMessage(new HttpMethod(method), ExactUris.Of(gateway, pathAndQuery));
        message.Headers.TryAddWithoutValidation("X-Api-Key", key);
        foreach (var (name, value) in headers) message.Headers.TryAddWithoutValidation(name, value);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            if (contentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        return message;
    }
}
