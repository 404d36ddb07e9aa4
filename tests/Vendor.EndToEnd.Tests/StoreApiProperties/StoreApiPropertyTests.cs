using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Vendor.EndToEnd.Tests.Hardening;
using Vendor.ServiceDefaults;
using Vendor.Testing;
using Xunit.Abstractions;

namespace Vendor.EndToEnd.Tests.StoreApiProperties;

/// <summary>
/// The published store API document, driven with generated requests (CsCheck, seeded): for every operation, valid requests on real
/// seeded data and requests with one input broken, sent through the gateway with the store's own key (its ingest key where only that
/// may call). No answer may be a 5xx or break the document: its status is one documented for the operation, its Content-Type one
/// documented for that status, and a JSON body (2xx or problem) validates against the documented schema. Every answer carries the
/// rate-limit fields. VENDOR_PROPERTY_SEED and VENDOR_PROPERTY_REQUESTS (per operation) replay a run.
/// </summary>
public class StoreApiPropertyTests(PlatformFixture platform, ITestOutputHelper output) : IClassFixture<PlatformFixture>
{
    private const ulong DefaultSeed = 20261201;
    private const int DefaultRequests = 200;
    private const string Own = "prop-store", Other = "prop-other";

    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    [Fact]
    public async Task Generated_requests_for_every_operation_get_no_5xx_and_only_answers_the_document_describes()
    {
        var seed = ulong.TryParse(Environment.GetEnvironmentVariable("VENDOR_PROPERTY_SEED"), out var s) ? s : DefaultSeed;
        var perOperation = int.TryParse(Environment.GetEnvironmentVariable("VENDOR_PROPERTY_REQUESTS"), out var n) ? n : DefaultRequests;
        output.WriteLine($"seed {seed} (VENDOR_PROPERTY_SEED), {perOperation} requests per operation (VENDOR_PROPERTY_REQUESTS)");

        var (hints, keys) = await SeedAsync();
        var document = await StoreApiDocument.LoadAsync(platform);
        var model = new OpenApiModel(document);
        var operations = model.Operations();
        Assert.True(operations.Count >= 5, $"Only {operations.Count} operations in the store API document.");

        var generator = new RequestGen(model, hints);
        var validator = new SchemaValidator(model);
        var calls = new List<(int Operation, int Number, ApiCall Call)>();
        for (var i = 0; i < operations.Count; i++)
        {
            // One PCG stream per operation: a run is the same for a seed, and one operation's requests do not move another's.
            var pcg = new PCG((uint)i, seed);
            var gen = generator.For(operations[i]);
            for (var k = 0; k < perOperation; k++) calls.Add((i, k, gen.Generate(pcg, null!, out _)));
        }

        var gateway = platform.Gateway.RealAddress();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
        var failures = new ConcurrentBag<(int Operation, int Number, string Text)>();
        var statuses = new ConcurrentDictionary<(int Operation, int Status), int>();
        var validAnswers = new ConcurrentDictionary<(int Operation, int Status), int>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (c, ct) =>
        {
            var key = keys[RouteTable.For(c.Call.Operation.Method, Vendor.Testing.ApiRoutes.Normalize(c.Call.Operation.Path))?.Also == Also.OwnIngest
                ? Roles.Ingest : Roles.Store];
            var (status, problems) = await CheckAsync(http, gateway, c.Call, key, validator, ct);
            statuses.AddOrUpdate((c.Operation, status), 1, (_, x) => x + 1);
            if (c.Call.Mutation == "valid") validAnswers.AddOrUpdate((c.Operation, status), 1, (_, x) => x + 1);
            if (problems.Count > 0)
                failures.Add((c.Operation, c.Number, $"{string.Join("\n  ", problems)}\n  ← {c.Call}\n  (seed {seed}, operation stream {c.Operation}, request {c.Number})"));
        });
        clock.Stop();

        output.WriteLine($"{calls.Count} requests over {operations.Count} operations in {clock.Elapsed.TotalSeconds:0.0} s");
        for (var i = 0; i < operations.Count; i++)
            output.WriteLine($"{operations[i]}: {Counts(statuses, i)}; valid requests: {Counts(validAnswers, i)}");
        if (!failures.IsEmpty)
        {
            foreach (var group in failures.GroupBy(f => $"{operations[f.Operation].OperationId} | {f.Text.Split('\n')[0]}").OrderByDescending(g => g.Count()).Take(40))
                output.WriteLine($"{group.Count(),5} × {group.Key}");
            foreach (var failure in failures.OrderBy(f => f.Operation).ThenBy(f => f.Number).Take(20)) output.WriteLine(failure.Text);
        }
        Assert.True(failures.IsEmpty, $"{failures.Count} answers broke the document (seed {seed}); the first:\n" +
            string.Join('\n', failures.OrderBy(f => f.Operation).ThenBy(f => f.Number).Take(5).Select(f => f.Text)));
        // The valid requests reach the data: every reading operation answered at least one of them with a 2xx.
        var unreached = operations.Select((o, i) => (o, i))
            .Where(x => x.o.Method == "GET" && !validAnswers.Keys.Any(k => k.Operation == x.i && k.Status is >= 200 and < 300))
            .Select(x => x.o.ToString()).ToList();
        Assert.True(unreached.Count == 0, "No valid request got a 2xx from: " + string.Join(", ", unreached));
    }

    private static string Counts(ConcurrentDictionary<(int Operation, int Status), int> counts, int operation) =>
        string.Join(", ", counts.Where(x => x.Key.Operation == operation).OrderBy(x => x.Key.Status).Select(x => $"{x.Key.Status} × {x.Value}"));

    /// <summary>Sends the call (waiting out 429s the gateway asks to wait for) and lists how its answer breaks the document.</summary>
    private static async Task<(int Status, List<string> Problems)> CheckAsync(HttpClient http, Uri gateway, ApiCall call, string key,
        SchemaValidator validator, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await Seeds.SendPacedAsync(http, () => Seeds.Raw(gateway, call.Operation.Method, call.PathAndQuery, key,
                call.Headers.Select(h => KeyValuePair.Create(h.Name, h.Value)),
                call.Body is null ? null : Encoding.UTF8.GetBytes(call.Body), call.ContentType), tries: 20, ct);
        }
        catch (HttpRequestException e)
        {
            return (0, [$"NO ANSWER: {e.Message}"]);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(ct);
            if (ServerLevel.Refused(call.PathAndQuery, response, body)) return (status, []);
            return (status, Breaks(call.Operation, response, body, validator));
        }
    }

    /// <summary>How an answer breaks the document (empty: it does not).</summary>
    public static List<string> Breaks(Operation operation, HttpResponseMessage response, string body, SchemaValidator validator)
    {
        var status = (int)response.StatusCode;
        var problems = new List<string>();
        if (status >= 500) problems.Add($"{status}: a 5xx: {Short(body)}");
        if (!response.Headers.Contains("RateLimit") || !response.Headers.Contains("RateLimit-Policy"))
            problems.Add($"{status} without the RateLimit / RateLimit-Policy fields");
        var documented = operation.ResponseFor(status);
        if (documented is null)
        {
            problems.Add($"{status} is not documented (documented: {string.Join(", ", operation.Responses.Select(r => r.Status))}): {Short(body)}");
            return problems;
        }
        var contentType = response.Content.Headers.ContentType?.ToString();
        if (status is 204 or 304 || body.Length == 0 && contentType is null)
        {
            if (body.Length > 0) problems.Add($"{status} with a body: {Short(body)}");
            return problems;
        }
        if (documented.Content.Count == 0)
        {
            problems.Add($"{status} with content {contentType} where the document describes none: {Short(body)}");
            return problems;
        }
        if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            problems.Add($"{status} is {contentType ?? "(no content type)"}, not application/problem+json");
        var media = OpenApiModel.MatchMedia(documented, contentType);
        if (media is null)
        {
            problems.Add($"{status} is {contentType ?? "(no content type)"}; the document says {string.Join(" or ", documented.Content.Keys)}");
            return problems;
        }
        if (!OpenApiModel.IsJson(contentType!)) return problems;
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            problems.Add($"{status} {contentType} that is not JSON ({e.Message}): {Short(body)}");
            return problems;
        }
        if (documented.Content[media] is { } schema)
            foreach (var error in validator.Validate(json, schema).Take(5)) problems.Add($"{status} body breaks the schema at {error}");
        if (status >= 400 && json is JsonObject problem && problem["status"]?.GetValueKind() == JsonValueKind.Number && (int)problem["status"]! != status)
            problems.Add($"{status} problem says status {problem["status"]}");
        return problems;
    }

    private static string Short(string s) => s.Length <= 300 ? s : s[..300] + "…";

    /// <summary>Two stores (own and other) with contracts and conversations; the own store's article, feedback and proposal.</summary>
    private async Task<(Dictionary<string, string[]> Hints, Dictionary<string, string> Keys)> SeedAsync()
    {
        await Seeds.StoreAsync(_ops, Own, conversations: 6, agentId: "prop-agent");
        await Seeds.StoreAsync(_ops, Other, conversations: 2, agentId: "prop-agent-2");
        var article = await Seeds.ArticleAsync(_ops, Own, "prop 退换货规则");
        var keys = new Dictionary<string, string>
        {
            [Roles.Store] = (await platform.IssueKey(Roles.Store, Own)).Secret,
            [Roles.Ingest] = (await platform.IssueKey(Roles.Ingest, Own)).Secret,
        };
        var store = platform.Client(keys[Roles.Store]);
        var feedback = await store.PostAsJsonAsync($"/api/quality/stores/{Own}/feedback",
            new { kind = "complaint", severity = "normal", text = "客服答应的赠品没有发", conversationId = $"{Own}-c1" });
        Assert.Equal(HttpStatusCode.Created, feedback.StatusCode);
        var proposal = await store.PostAsJsonAsync($"/api/quality/stores/{Own}/knowledge/proposals",
            new { kind = "policy", title = "赠品什么时候发", body = "付款后 48 小时内随单发出", tags = new[] { "赠品" } });
        Assert.True(proposal.IsSuccessStatusCode, $"proposal: {(int)proposal.StatusCode} {await proposal.Content.ReadAsStringAsync()}");

        var hints = new Dictionary<string, string[]>
        {
            ["storeId"] = [Own],
            ["otherStoreId"] = [Other, "no-such-store", "PROP-STORE", $"{Own}%2F..", "*"],
            ["month"] = [Seeds.Month, "2026-10", "2026-12", $"{Seeds.Month}.csv"],
            ["from"] = ["2026-11-01", "2026-11-10", "2026-10-25"],
            ["to"] = ["2026-11-30", "2026-11-20", "2026-12-05"],
            ["articleId"] = [article],
            ["feedbackId"] = [(await feedback.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedbackId").GetString()!],
            ["proposalId"] = [(await proposal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("proposalId").GetString()!],
            ["conversationId"] = [$"{Own}-c1", $"{Own}-c2", $"{Own}-c5"],
            ["agentId"] = ["prop-agent"],
            // Closed sets the services' documents give as plain strings (an enum in the document makes these hints unneeded).
            ["kind"] = ["policy", "product", "script", "complaint", "wrongAnswer", "praise"],
            ["severity"] = ["normal", "critical"],
        };
        return (hints, keys);
    }
}
