using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vendor.EndToEnd.Tests.Hardening;

namespace Vendor.EndToEnd.Tests.StoreApiProperties;

/// <summary>Where the published store API document comes from (the only place the property test asks for it).</summary>
public static class StoreApiDocument
{
    /// <summary>
    /// THE DOCUMENT. Until the gateway serves GET /api/store/openapi.json, it is assembled from the services' own documents
    /// (Development, /openapi/v1.json), keeping what a store or ingest key may call per <see cref="RouteTable"/>. Once it is served,
    /// replace the body with:
    /// <c>return (await platform.Gateway.CreateClient().GetFromJsonAsync&lt;JsonObject&gt;("/api/store/openapi.json"))!;</c>
    /// </summary>
    public static async Task<JsonObject> LoadAsync(PlatformFixture platform) => await FromServicesAsync(platform);

    /// <summary>The store-facing operations of Agreements and Quality as one OpenAPI 3.1 document (components prefixed per service).</summary>
    public static async Task<JsonObject> FromServicesAsync(PlatformFixture platform)
    {
        var merged = new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject { ["title"] = "Store API (assembled from the services' documents)", ["version"] = "v1" },
            ["paths"] = new JsonObject(),
            ["components"] = new JsonObject(),
        };
        var (agreements, _, quality) = platform.GatewayAddresses;
        foreach (var (name, address) in new[] { ("agreements", agreements), ("quality", quality) })
        {
            using var direct = new HttpClient { BaseAddress = address };
            var document = (await direct.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
            Prefix(document, $"#/components/", $"{name}.");
            foreach (var (kind, items) in document["components"]?.AsObject() ?? [])
            {
                if (items is not JsonObject entries) continue;
                var target = merged["components"]![kind] as JsonObject ?? (JsonObject)(merged["components"]![kind] = new JsonObject());
                foreach (var (entry, value) in entries.ToList()) target[$"{name}.{entry}"] = value?.DeepClone();
            }
            foreach (var (path, item) in document["paths"]!.AsObject())
            {
                if (item is not JsonObject operations) continue;
                var kept = new JsonObject();
                foreach (var (method, operation) in operations)
                {
                    var rule = RouteTable.For(method.ToUpperInvariant(), Vendor.Testing.ApiRoutes.Normalize(path));
                    if (method == "parameters" || rule is not null && rule.Also != Also.Nobody) kept[method] = operation?.DeepClone();
                }
                if (kept.Any(p => p.Key != "parameters")) merged["paths"]![path] = kept;
            }
        }
        AssumeGatewayAnswers(merged);
        return merged;
    }

    /// <summary>
    /// What the services' own documents leave out, stood in for (and listed under "x-assumed", which the test prints): the gateway's
    /// answers on every operation (401, 403, 413, 429 as problem+json), 415 where a JSON body is taken, and a success answer of any
    /// content where a service documents none. The published document must say these itself; this stand-in goes away with the switch in <see cref="LoadAsync"/>.
    /// </summary>
    private static void AssumeGatewayAnswers(JsonObject document)
    {
        var assumed = new JsonArray();
        var problem = document["components"]?["schemas"]?["agreements.ProblemDetails"] is not null
            ? "#/components/schemas/agreements.ProblemDetails"
            : null;
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method == "parameters" || operation is not JsonObject op) continue;
                var responses = op["responses"] as JsonObject ?? (JsonObject)(op["responses"] = new JsonObject());
                // 415: ASP.NET's answer to a body that is not JSON, wherever an operation takes a JSON body.
                foreach (var status in op.ContainsKey("requestBody") ? new[] { "401", "403", "413", "415", "429" } : ["401", "403", "413", "429"])
                    if (!responses.ContainsKey(status))
                    {
                        responses[status] = new JsonObject
                        {
                            ["description"] = "(assumed: a gateway or framework answer)",
                            ["content"] = new JsonObject
                            {
                                ["application/problem+json"] = problem is null ? new JsonObject() : new JsonObject { ["schema"] = new JsonObject { ["$ref"] = problem } },
                            },
                        };
                        assumed.Add($"{method.ToUpperInvariant()} {path} {status}");
                    }
                if (!responses.Any(r => r.Key.StartsWith('2')))
                {
                    responses["2XX"] = new JsonObject { ["description"] = "(assumed)", ["content"] = new JsonObject { ["*/*"] = new JsonObject() } };
                    assumed.Add($"{method.ToUpperInvariant()} {path} 2xx");
                }
            }
        document["x-assumed"] = assumed;
    }

    /// <summary>Renames every local reference into the components ("#/components/schemas/X" → "#/components/schemas/{prefix}X").</summary>
    private static void Prefix(JsonNode? node, string root, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (key == "$ref" && value?.GetValue<string>() is { } reference && reference.StartsWith(root, StringComparison.Ordinal)
                        && reference[root.Length..].Split('/', 2) is [var kind, var rest])
                        obj[key] = $"{root}{kind}/{prefix}{rest}";
                    else Prefix(value, root, prefix);
                }
                break;
            case JsonArray array:
                foreach (var item in array) Prefix(item, root, prefix);
                break;
        }
    }
}
