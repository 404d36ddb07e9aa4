using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;

namespace Vendor.EndToEnd.Tests;

/// <summary>
/// Explainable figures through the gateway: the conversation list and explanations add up to the SLA figures, pages stay stable
/// while conversations are ingested, SLA answers and reports answer If-None-Match with 304, and a store key sees only its store.
/// </summary>
public class ConversationsThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private const string Month = "2026-11";
    private const string Period = "from=2026-11-01&to=2026-11-30";
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    private static string At(int day, int hour, int minute, int second = 0) => $"2026-11-{day:00}T{hour:00}:{minute:00}:{second:00}+08:00";

    /// <summary>A conversation on 2026-11-{day} at 10:00 (service hours 09:00-18:00): answered after <paramref name="reply"/> seconds, or never.</summary>
    private static object Conversation(string id, int day, int? reply, string kind = "aftersales", bool? resolved = true, string? rating = null,
        string? paid = null, int? secondReply = null)
    {
        var messages = new List<object>
        {
            new { at = At(day, 9, 59, 50), from = "bot", text = "您好，欢迎光临" },
            new { at = At(day, 10, 0), from = "customer", text = "在吗？" },
        };
        if (reply is { } r) messages.Add(new { at = At(day, 10, r / 60, r % 60), from = "agent", agentId = "a-1", text = "亲，在的" });
        if (secondReply is { } s)
        {
            messages.Add(new { at = At(day, 11, 0), from = "customer", text = "还有一个问题" });
            messages.Add(new { at = At(day, 11, s / 60, s % 60), from = "agent", agentId = "a-2", text = "您说" });
        }
        return new { conversationId = id, channel = "chat", kind, messages, resolved, rating, orderPaidAt = paid };
    }

    private async Task<(HttpClient Store, HttpClient Ingest)> StoreAsync(string storeId)
    {
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores", new
        {
            storeId, name = storeId, platform = "tmall", serviceHours = new[] { new { start = "09:00", end = "18:00" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 100_000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-10-01", endsOn = "2027-09-30", attributionHours = 24,
            targets = new object[]
            {
                new { metric = "missedRate", target = 0.05, allocationPercent = 30 },
                new { metric = "firstResponseSeconds", target = 60, allocationPercent = 20 },
            },
        })).StatusCode);
        return (platform.Client((await platform.IssueKey(Roles.Store, storeId)).Secret), platform.Client((await platform.IssueKey(Roles.Ingest, storeId)).Secret));
    }

    private static async Task Post(HttpClient ingest, string storeId, IEnumerable<object> conversations)
    {
        var response = await ingest.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new { conversations = conversations.ToArray() });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rejected").GetInt32());
    }

    /// <summary>Every page of the list, following nextCursor.</summary>
    private static async Task<List<JsonElement>> AllPages(HttpClient client, string storeId, string query, int limit)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>(
                $"/api/sla/stores/{storeId}/conversations?{query}&limit={limit}{(cursor is null ? "" : $"&cursor={cursor}")}");
            var pageItems = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(pageItems.Count <= limit);
            items.AddRange(pageItems);
            cursor = page.GetProperty("nextCursor").GetString();
            Assert.True(cursor is null || pageItems.Count == limit, "only the last page is short");
        } while (cursor is not null);
        return items;
    }

    private static JsonElement Metric(JsonElement figures, string name) =>
        figures.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == name);

    [Fact]
    public async Task The_list_and_the_explanations_add_up_to_the_SLA_figures()
    {
        const string storeId = "e2e-explain";
        var (store, ingest) = await StoreAsync(storeId);
        var conversations = new List<object>();
        for (var i = 0; i < 40; i++)
        {
            var day = 2 + i % 20;
            conversations.Add((i % 8) switch
            {
                0 => Conversation($"c{i:00}", day, null, rating: "unsatisfied"), // missed
                1 => Conversation($"c{i:00}", day, 240, resolved: false), // slow first turn, unresolved
                2 => Conversation($"c{i:00}", day, 20, "presales", rating: "satisfied", paid: At(day, 20, 0)), // converted
                3 => Conversation($"c{i:00}", day, 30, "presales", resolved: null, rating: "neutral"), // unconverted, resolved absent
                4 => Conversation($"c{i:00}", day, 45, secondReply: 200, rating: "unsatisfied"), // slow second turn
                5 => Conversation($"c{i:00}", day, 10, "presales", paid: At(day + 1, 10, 0, 1)), // paid a second after the 24 h window
                _ => Conversation($"c{i:00}", day, 15 + i),
            });
        }
        await Post(ingest, storeId, conversations);
        // A conversation in December stays out of November's list.
        await Post(ingest, storeId, [new { conversationId = "december", channel = "chat", kind = "aftersales",
            messages = new object[] { new { at = "2026-12-01T10:00:00+08:00", from = "customer", text = "在吗" } } }]);

        var figures = await store.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/sla?{Period}");
        var all = await AllPages(store, storeId, Period, 7);
        Assert.Equal(figures.GetProperty("conversations").GetInt64(), all.Count);
        Assert.Equal(all.Count, all.Select(i => i.GetProperty("conversationId").GetString()).Distinct().Count());
        Assert.Equal(all.Select(i => i.GetProperty("conversationId").GetString()).Order(StringComparer.Ordinal),
            all.Select(i => i.GetProperty("conversationId").GetString()));
        Assert.DoesNotContain(all, i => i.GetProperty("conversationId").GetString() == "december");

        async Task<int> Count(string filter) => (await AllPages(store, storeId, $"{Period}&filter={filter}", 500)).Count;
        var missedRate = Metric(figures, "missedRate");
        Assert.Equal(missedRate.GetProperty("actual").GetDouble(), Math.Round((double)await Count("missed") / missedRate.GetProperty("sample").GetInt64(), 4));
        var resolution = Metric(figures, "resolutionRate");
        Assert.Equal(resolution.GetProperty("actual").GetDouble(), Math.Round(1 - (double)await Count("unresolved") / all.Count, 4));
        var conversion = Metric(figures, "inquiryConversionRate");
        Assert.Equal(conversion.GetProperty("actual").GetDouble(),
            Math.Round(1 - (double)await Count("unconverted") / conversion.GetProperty("sample").GetInt64(), 4));
        // unsatisfied: rated but not satisfied (neutral too), the ratings that lower satisfactionRate.
        Assert.Equal(all.Count(i => i.GetProperty("rating").GetString() is "unsatisfied" or "neutral"), await Count("unsatisfied"));
        var satisfaction = Metric(figures, "satisfactionRate");
        Assert.Equal(satisfaction.GetProperty("actual").GetDouble(),
            Math.Round(1 - (double)await Count("unsatisfied") / satisfaction.GetProperty("sample").GetInt64(), 4));
        Assert.Equal(all.Count(i => i.GetProperty("slow").GetBoolean()), await Count("slow"));
        Assert.Equal(10, await Count("slow")); // every 2nd and 5th of each eight
        var frts = all.Where(i => i.GetProperty("firstResponseSeconds").ValueKind == JsonValueKind.Number)
            .Select(i => i.GetProperty("firstResponseSeconds").GetDouble()).ToList();
        Assert.Equal(Metric(figures, "firstResponseSeconds").GetProperty("actual").GetDouble(), Math.Round(frts.Average(), 4));
        Assert.All(all.Where(i => i.GetProperty("kind").GetString() == "aftersales"),
            i => Assert.Equal(JsonValueKind.Null, i.GetProperty("converted").ValueKind));

        // Each explanation says what its line says, and the answered turns add up to responseSeconds.
        var turnSeconds = new List<double>();
        foreach (var item in all)
        {
            var id = item.GetProperty("conversationId").GetString();
            var explained = await store.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/conversations/{id}");
            foreach (var field in new[] { "kind", "start", "firstResponseSeconds", "missed", "slow", "resolved", "converted", "rating" })
                Assert.Equal(item.GetProperty(field).ToString(), explained.GetProperty(field).ToString());
            Assert.True(explained.GetProperty("sameAsCounted").GetBoolean());
            Assert.Equal("Asia/Shanghai", explained.GetProperty("calendar").GetProperty("timeZone").GetString());
            Assert.Equal(24, explained.GetProperty("terms").GetProperty("attributionHours").GetDouble());
            turnSeconds.AddRange(explained.GetProperty("turns").EnumerateArray()
                .Where(t => t.GetProperty("responseSeconds").ValueKind == JsonValueKind.Number).Select(t => t.GetProperty("responseSeconds").GetDouble()));
        }
        Assert.Equal(Metric(figures, "responseSeconds").GetProperty("actual").GetDouble(), Math.Round(turnSeconds.Average(), 4));

        var slowTwice = await store.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/conversations/c04");
        var turns = slowTwice.GetProperty("turns").EnumerateArray().ToList();
        Assert.Equal(["a-1", "a-2"], turns.Select(t => t.GetProperty("answeredBy").GetString()));
        Assert.Equal(200, turns[1].GetProperty("responseSeconds").GetDouble());
        var missed = await store.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{storeId}/conversations/c00");
        Assert.Equal(JsonValueKind.Null, missed.GetProperty("turns")[0].GetProperty("answeredAt").ValueKind);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("limit=ten")]
    [InlineData("filter=late")]
    [InlineData("cursor=bm90LW91cnM")]
    [InlineData("cursor=%25%25")]
    public async Task Bad_list_queries_are_400_problems(string query)
    {
        var storeId = $"e2e-explain-bad-{Math.Abs(query.GetHashCode())}";
        var (store, _) = await StoreAsync(storeId);

        var response = await store.GetAsync($"/api/sla/stores/{storeId}/conversations?{Period}&{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        // A cursor not given out by the API has its own documented code; a limit that is no number is refused by the framework
        // (bad-request); the other mistakes are plain validation.
        var code = query.StartsWith("cursor=", StringComparison.Ordinal) ? "invalid-cursor" : query == "limit=ten" ? "bad-request" : "validation-failed";
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal($"/api/store/problems/{code}", problem.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await store.GetAsync($"/api/sla/stores/{storeId}/conversations/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync($"/api/sla/stores/nobody-{storeId}/conversations?{Period}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync($"/api/sla/stores/nobody-{storeId}/conversations/c1")).StatusCode);
    }

    [Fact]
    public async Task Paging_while_conversations_are_ingested_shows_every_earlier_conversation_exactly_once()
    {
        const string storeId = "e2e-explain-paging";
        var (store, ingest) = await StoreAsync(storeId);
        var before = Enumerable.Range(0, 600).Select(i => $"{Guid.NewGuid():N}").ToList();
        await Post(ingest, storeId, before.Select((id, i) => Conversation(id, 2 + i % 28, i % 5 == 0 ? null : 30)));

        // The writer posts one batch after each page the reader takes: new conversations (ids fall before and after the cursor)
        // and re-posts that answer missed ones and add an earlier bot message (their start moves, their id does not).
        using var pageTaken = new SemaphoreSlim(0);
        using var batchWritten = new SemaphoreSlim(0);
        var done = false;
        var batches = 0;
        var writer = Task.Run(async () =>
        {
            var n = 0;
            while (true)
            {
                await pageTaken.WaitAsync();
                if (Volatile.Read(ref done)) return;
                var fresh = Enumerable.Range(0, 20).Select(_ => Conversation($"{Guid.NewGuid():N}", 2 + n++ % 28, 40));
                var first = batches * 25 % before.Count;
                var reposts = before.Skip(first).Take(25).Select((id, i) =>
                {
                    var day = 2 + (first + i) % 28; // the day it was first posted on
                    return (object)new
                    {
                        conversationId = id, channel = "chat", kind = "aftersales",
                        messages = new object[]
                        {
                            // Every other re-post starts the evening before: its store-local date moves a day earlier.
                            new { at = i % 2 == 0 ? At(day - 1, 23, 0) : At(day, 9, 0), from = "bot", text = "您好" },
                            new { at = At(day, 10, 0), from = "customer", text = "在吗？" },
                            new { at = At(day, 10, 2), from = "agent", agentId = "a-9", text = "在的" },
                        },
                    };
                });
                await Post(ingest, storeId, [.. fresh, .. reposts]);
                batches++;
                batchWritten.Release();
            }
        });

        var seen = new List<string>();
        string? cursor = null;
        try
        {
            do
            {
                var page = await store.GetFromJsonAsync<JsonElement>(
                    $"/api/sla/stores/{storeId}/conversations?{Period}&limit=50{(cursor is null ? "" : $"&cursor={cursor}")}");
                seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("conversationId").GetString()!));
                cursor = page.GetProperty("nextCursor").GetString();
                pageTaken.Release();
                if (cursor is not null) await batchWritten.WaitAsync(TimeSpan.FromSeconds(30));
            } while (cursor is not null);
        }
        finally
        {
            Volatile.Write(ref done, true);
            pageTaken.Release();
            await writer;
        }

        Assert.True(batches >= 10, $"the writer posted {batches} batches while the reader paged");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        var missing = before.Except(seen).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} conversations present before the first page were skipped");
    }

    [Fact]
    public async Task SLA_figures_and_reports_answer_if_none_match_with_304_and_change_their_tag_when_the_answer_changes()
    {
        const string storeId = "e2e-explain-etag";
        var (store, ingest) = await StoreAsync(storeId);
        await Post(ingest, storeId, [Conversation("t1", 3, 20)]);

        async Task<HttpResponseMessage> Get(string path, params string[] ifNoneMatch)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            if (ifNoneMatch.Length > 0) request.Headers.TryAddWithoutValidation("If-None-Match", string.Join(", ", ifNoneMatch));
            return await store.SendAsync(request);
        }

        async Task<string> NotModifiedUntilChanged(string path)
        {
            var first = await Get(path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var tag = first.Headers.ETag!.ToString();
            Assert.Contains("no-cache", first.Headers.CacheControl!.ToString());
            foreach (var condition in new[] { new[] { tag }, ["\"other\"", tag], ["*"], [$"W/{tag}"] })
            {
                var again = await Get(path, condition);
                Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
                Assert.Empty(await again.Content.ReadAsByteArrayAsync());
                Assert.Equal(tag, again.Headers.ETag!.ToString());
            }
            Assert.Equal(HttpStatusCode.OK, (await Get(path, "\"other\"")).StatusCode);
            return tag;
        }

        var paths = new[]
        {
            $"/api/sla/stores/{storeId}/sla?{Period}", $"/api/sla/stores/{storeId}/sla/daily?{Period}",
            $"/api/sla/stores/{storeId}/reports/{Month}", $"/api/sla/stores/{storeId}/reports/{Month}.csv",
        };
        var tags = new List<string>();
        foreach (var path in paths) tags.Add(await NotModifiedUntilChanged(path));
        Assert.Equal(tags.Count, tags.Distinct().Count()); // JSON and CSV (and each answer) have their own tags
        Assert.Equal(HttpStatusCode.OK, (await Get(paths[3], tags[2])).StatusCode); // the JSON report's tag does not fit the CSV
        Assert.Equal(HttpStatusCode.OK, (await Get($"/api/sla/stores/{storeId}/sla?from=2026-11-02&to=2026-11-30", tags[0])).StatusCode);

        // A new conversation changes every answer.
        await Post(ingest, storeId, [Conversation("t2", 4, 200)]);
        for (var i = 0; i < paths.Length; i++)
        {
            var response = await Get(paths[i], tags[i]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            tags[i] = response.Headers.ETag!.ToString();
        }
        // A re-post, a contract amendment and a calendar change each do too.
        await Post(ingest, storeId, [Conversation("t2", 4, 200, rating: "satisfied")]);
        Assert.Equal(HttpStatusCode.OK, (await Get(paths[0], tags[0])).StatusCode);
        tags[0] = (await Get(paths[0])).Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 120_000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-10-01", endsOn = "2027-09-30", attributionHours = 24,
            effectiveOn = "2026-11-01", targets = new[] { new { metric = "missedRate", target = 0.05, allocationPercent = 30 } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(paths[2], tags[2])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(paths[0], tags[0])).StatusCode);
        tags[0] = (await Get(paths[0])).Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.OK, (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/calendar",
            new { serviceHours = new[] { new { start = "08:00", end = "20:00" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get(paths[0], tags[0])).StatusCode);
        // Nothing changed since: 304 again.
        var latest = (await Get(paths[0])).Headers.ETag!.ToString();
        Assert.Equal(HttpStatusCode.NotModified, (await Get(paths[0], latest)).StatusCode);
    }

    [Fact]
    public async Task A_store_key_never_sees_another_stores_conversations_and_ops_sees_both()
    {
        var (storeA, ingestA) = await StoreAsync("e2e-explain-a");
        var (storeB, ingestB) = await StoreAsync("e2e-explain-b");
        await Post(ingestA, "e2e-explain-a", [Conversation("a-only", 5, 20)]);
        await Post(ingestB, "e2e-explain-b", [Conversation("b-only", 5, 20)]);

        foreach (var path in new[] { $"/api/sla/stores/e2e-explain-b/conversations?{Period}", "/api/sla/stores/e2e-explain-b/conversations/b-only" })
        {
            var refused = await storeA.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
            Assert.DoesNotContain("b-only", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Forbidden, (await ingestB.GetAsync(path)).StatusCode); // an ingest key only posts
        }
        // Store A's own list never holds B's conversation, even asked by id.
        Assert.Equal(HttpStatusCode.NotFound, (await storeA.GetAsync("/api/sla/stores/e2e-explain-a/conversations/b-only")).StatusCode);
        Assert.Equal(["a-only"], (await AllPages(storeA, "e2e-explain-a", Period, 100)).Select(i => i.GetProperty("conversationId").GetString()));
        Assert.Equal(["b-only"], (await AllPages(storeB, "e2e-explain-b", Period, 100)).Select(i => i.GetProperty("conversationId").GetString()));
        Assert.Equal(["a-only"], (await AllPages(_ops, "e2e-explain-a", Period, 100)).Select(i => i.GetProperty("conversationId").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await _ops.GetAsync("/api/sla/stores/e2e-explain-b/conversations/b-only")).StatusCode);
    }
}
