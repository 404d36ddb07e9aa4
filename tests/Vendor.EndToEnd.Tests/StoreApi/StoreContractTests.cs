using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vendor.EndToEnd.Tests.Hardening;
using Vendor.Testing;
using Xunit.Abstractions;

namespace Vendor.EndToEnd.Tests.StoreApi;

/// <summary>
/// The published store contract through the gateway: served without a key, lint-clean (Redocly, recommended rules), exactly the
/// routes a store or ingest key may call, fully described in Chinese and English with examples, the same Agreements paths as the
/// build-time document the client is generated from; problem types served; the reference page served.
/// </summary>
public class StoreContractTests(PlatformFixture platform, ITestOutputHelper output) : IClassFixture<PlatformFixture>
{
    private async Task<JsonElement> ServedAsync()
    {
        using var anonymous = platform.Gateway.CreateClient();
        var response = await anonymous.GetAsync("/api/store/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_served_document_is_openapi_3_1_with_the_key_scheme_and_passes_redocly_lint_without_a_warning()
    {
        var document = await ServedAsync();
        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString());
        Assert.Equal("/", document.GetProperty("servers")[0].GetProperty("url").GetString());
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");
        Assert.True(problem.TryGetProperty("code", out _) && problem.TryGetProperty("type", out _));

        var file = Path.Combine(Path.GetTempPath(), $"store-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, document.GetRawText());
        try
        {
            var (exit, text) = await RunAsync(Path.Combine(LintFolder, "node_modules", ".bin", "redocly"), $"lint \"{file}\"", LintFolder);
            output.WriteLine(text);
            Assert.True(exit == 0, $"redocly lint exited {exit}:\n{text}");
            Assert.DoesNotMatch(@"You have \d+ warning", text);
            Assert.Contains("Your API description is valid", text);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_operations_are_exactly_the_existing_routes_a_store_or_ingest_key_may_call()
    {
        var served = StoreDocumentAudit.Operations(await ServedAsync()).ToHashSet();
        var existing = (await PlatformRoutes.ReadAsync(platform)).Select(r => RouteTable.Shape(r.Method, r.Template)).ToHashSet();
        var callable = RouteTable.Rules.Where(r => r.Also != Also.Nobody && (!r.Planned || existing.Contains(r.Shape)))
            .Select(r => r.Shape).ToHashSet();

        var undocumented = callable.Except(served).Order().ToList();
        var notCallable = served.Except(callable).Order().ToList();
        var notExisting = served.Except(existing).Order().ToList();
        Assert.True(undocumented.Count == 0, $"Routes a store or ingest key may call, missing from the store document (mark them .StoreFacing()):\n{string.Join('\n', undocumented)}");
        Assert.True(notCallable.Count == 0, $"Operations of the store document no store or ingest key may call (RouteTable):\n{string.Join('\n', notCallable)}");
        Assert.True(notExisting.Count == 0, $"Operations of the store document no service serves:\n{string.Join('\n', notExisting)}");
        output.WriteLine($"{served.Count} operations published.");
    }

    [Fact]
    public async Task Every_operation_parameter_property_and_answer_is_described_in_chinese_and_english_with_examples()
    {
        var missing = StoreDocumentAudit.Missing(await ServedAsync());
        Assert.True(missing.Count == 0, $"{missing.Count} gaps in the store document:\n{string.Join('\n', missing)}");
    }

    [Fact]
    public async Task Every_operation_documents_the_gateway_answers_and_the_rate_limit_headers()
    {
        var document = await ServedAsync();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
            {
                var responses = operation.Value.GetProperty("responses");
                foreach (var status in new[] { "401", "403", "429" })
                {
                    Assert.True(responses.TryGetProperty(status, out var answer), $"{operation.Name} {path.Name}: no {status}");
                    Assert.True(answer.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{operation.Name} {path.Name} {status}");
                }
                Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
                if (operation.Value.TryGetProperty("requestBody", out _)) Assert.True(responses.TryGetProperty("413", out _), $"{operation.Name} {path.Name}: no 413");
                foreach (var answer in responses.EnumerateObject())
                    Assert.True(answer.Value.GetProperty("headers").TryGetProperty("RateLimit", out _)
                                && answer.Value.GetProperty("headers").TryGetProperty("RateLimit-Policy", out _), $"{operation.Name} {path.Name} {answer.Name}");
            }
        var contract = document.GetProperty("paths").GetProperty("/api/sla/stores/{storeId}/contract").GetProperty("get");
        Assert.True(contract.GetProperty("responses").GetProperty("200").GetProperty("headers").TryGetProperty("ETag", out _));
    }

    [Fact]
    public async Task The_served_agreements_paths_are_the_build_time_document_the_client_is_generated_from()
    {
        var served = JsonNode.Parse((await ServedAsync()).GetRawText())!["paths"]!.AsObject();
        var built = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "artifacts", "openapi", "Vendor.Agreements_store.json")))!["paths"]!.AsObject();

        Assert.NotEmpty(built);
        var servedAgreements = served.Where(p => p.Key.StartsWith("/api/sla/", StringComparison.Ordinal)).Select(p => p.Key).Order().ToList();
        Assert.Equal(built.Select(p => p.Key).Order().ToList(), servedAgreements);
        foreach (var (path, item) in built)
            Assert.True(JsonNode.DeepEquals(item, served[path]), $"{path} differs between the build-time document and the served one: rebuild.");
    }

    [Fact]
    public async Task Problem_types_are_served_without_a_key_and_every_refusal_names_its_code_and_type()
    {
        using var anonymous = platform.Gateway.CreateClient();
        var catalogue = await anonymous.GetFromJsonAsync<JsonElement>("/api/store/problems");
        var codes = catalogue.EnumerateArray().Select(p => p.GetProperty("code").GetString()).ToList();
        foreach (var code in new[] { "unauthenticated", "forbidden", "rate-limited", "validation-failed", "store-not-onboarded", "too-many-conversations" })
            Assert.Contains(code, codes);
        Assert.All(catalogue.EnumerateArray(), p => Assert.True(StoreDocumentAudit.Bilingual(p.GetProperty("descriptionZh").GetString() + p.GetProperty("descriptionEn").GetString())));

        var one = await anonymous.GetFromJsonAsync<JsonElement>("/api/store/problems/store-not-onboarded");
        Assert.Equal(404, one.GetProperty("status").GetInt32());
        Assert.Equal("/api/store/problems/store-not-onboarded", one.GetProperty("type").GetString());
        await ExpectProblem(await anonymous.GetAsync("/api/store/problems/no-such-code"), 404, "not-found");

        // The gateway's own refusals and a service's, all with a code whose type the gateway serves.
        await ExpectProblem(await anonymous.GetAsync("/api/sla/stores/pc-own/sla?from=2026-11-01&to=2026-11-30"), 401, "unauthenticated");
        var ops = platform.Client(PlatformFixture.OpsKey);
        await Seeds.StoreAsync(ops, "pc-own", conversations: 0);
        var store = platform.Client((await platform.IssueKey("store", "pc-own")).Secret);
        await ExpectProblem(await store.GetAsync("/api/sla/stores/pc-other/sla?from=2026-11-01&to=2026-11-30"), 403, "forbidden");
        await ExpectProblem(await store.GetAsync("/api/sla/stores/pc-own/sla?from=2026-11-31&to=2026-11-30"), 400, "validation-failed");
        await ExpectProblem(await ops.GetAsync("/api/sla/stores/pc-never/sla?from=2026-11-01&to=2026-11-30"), 404, "store-not-onboarded");
        await ExpectProblem(await ops.GetAsync("/api/sla/stores/pc-own/reports/2030-01"), 404, "no-contract-terms");

        async Task ExpectProblem(HttpResponseMessage response, int status, string code)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal(code, problem.GetProperty("code").GetString());
            var type = problem.GetProperty("type").GetString()!;
            Assert.Equal($"/api/store/problems/{code}", type);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(type)).StatusCode);
        }
    }

    [Fact]
    public async Task The_reference_page_is_served_without_a_key_from_the_gateway_itself()
    {
        using var anonymous = platform.Gateway.CreateClient();
        var page = await anonymous.GetAsync("/api/store/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(html.Contains("api/store/openapi.json"), html);
        Assert.DoesNotContain("cdn.jsdelivr.net", html);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self' 'unsafe-inline'", csp);
        Assert.Contains("connect-src 'self'", csp);

        // Every script the page loads is the gateway's own, and the relaxed policy stays on that page.
        foreach (System.Text.RegularExpressions.Match script in System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]+src=\"([^\"]+)\""))
        {
            var src = script.Groups[1].Value;
            Assert.False(src.StartsWith("http", StringComparison.OrdinalIgnoreCase), src);
            var uri = new Uri(new Uri(anonymous.BaseAddress!, "/api/store/docs/"), src);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(uri)).StatusCode);
        }
        var elsewhere = await anonymous.GetAsync("/api/store/problems");
        Assert.DoesNotContain("'unsafe-inline'", elsewhere.Headers.GetValues("Content-Security-Policy").Single().Split("style-src")[0]);
    }

    private static string LintFolder => Path.Combine(Repository.Root, "tests", "Vendor.EndToEnd.Tests", "openapi-lint");

    internal static async Task<(int Exit, string Output)> RunAsync(string file, string arguments, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
