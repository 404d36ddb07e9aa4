using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vendor.Testing;

/// <summary>A query, path or header parameter of a documented operation.</summary>
public sealed record ApiParameter(string Name, string In, bool Required, JsonElement? Schema);

/// <summary>
/// One documented operation (method + route template) of a service's OpenAPI document, with what is needed to build requests for
/// it: parameters and the JSON body's schema (resolved against the document's components).
/// </summary>
public sealed record ApiRoute(string Source, string Method, string Template, IReadOnlyList<ApiParameter> Parameters, JsonElement? BodySchema,
    bool BodyRequired, string? BodyMediaType, OpenApiSchemas Schemas)
{
    /// <summary>"GET /api/sla/stores/{storeId}/sla": the key of the expectation tables (no trailing slash).</summary>
    public string Key => $"{Method} {Template}";

    public IReadOnlyList<string> PathParameters => [.. ApiRoutes.Placeholders(Template)];

    public IEnumerable<ApiParameter> Query => Parameters.Where(p => p.In == "query");

    public override string ToString() => Key;
}

/// <summary>Reads every route of the platform from the OpenAPI documents the hosts serve in Development (/openapi/v1.json).</summary>
public static partial class ApiRoutes
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [GeneratedRegex(@"\{([^}/]+)\}")]
    private static partial Regex Placeholder();

    public static IEnumerable<string> Placeholders(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups[1].Value.Split(':')[0].TrimStart('*'));

    /// <summary>A template as the tables spell it: no trailing slash, no route constraints.</summary>
    public static string Normalize(string template)
    {
        var t = Placeholder().Replace(template, m => "{" + m.Groups[1].Value.Split(':')[0].TrimStart('*') + "}");
        return t.Length > 1 ? t.TrimEnd('/') : t;
    }

    /// <summary>Every operation of the document at <paramref name="client"/>'s /openapi/v1.json whose path starts with /api/.</summary>
    public static async Task<IReadOnlyList<ApiRoute>> ReadAsync(HttpClient client, string source)
    {
        using var response = await client.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        var document = await response.Content.ReadFromJsonAsync<JsonElement>();
        return Parse(document, source);
    }

    public static IReadOnlyList<ApiRoute> Parse(JsonElement document, string source)
    {
        var schemas = new OpenApiSchemas(document);
        var routes = new List<ApiRoute>();
        if (!document.TryGetProperty("paths", out var paths)) return routes;
        foreach (var path in paths.EnumerateObject())
        {
            if (!path.Name.StartsWith("/api/", StringComparison.Ordinal)) continue;
            var shared = path.Value.TryGetProperty("parameters", out var sp) ? sp : (JsonElement?)null;
            foreach (var method in Methods)
            {
                if (!path.Value.TryGetProperty(method, out var operation)) continue;
                var parameters = new List<ApiParameter>();
                foreach (var list in new[] { shared, operation.TryGetProperty("parameters", out var op) ? op : (JsonElement?)null })
                {
                    if (list is not { ValueKind: JsonValueKind.Array } items) continue;
                    foreach (var p in items.EnumerateArray())
                    {
                        var resolved = schemas.Resolve(p);
                        parameters.Add(new ApiParameter(resolved.GetProperty("name").GetString()!, resolved.GetProperty("in").GetString()!,
                            resolved.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True,
                            resolved.TryGetProperty("schema", out var s) ? s : null));
                    }
                }
                JsonElement? body = null;
                string? mediaType = null;
                var bodyRequired = false;
                if (operation.TryGetProperty("requestBody", out var requestBody))
                {
                    requestBody = schemas.Resolve(requestBody);
                    bodyRequired = requestBody.TryGetProperty("required", out var br) && br.ValueKind == JsonValueKind.True;
                    if (requestBody.TryGetProperty("content", out var content))
                        foreach (var media in content.EnumerateObject())
                        {
                            mediaType ??= media.Name;
                            if (media.Name.Contains("json", StringComparison.OrdinalIgnoreCase) && media.Value.TryGetProperty("schema", out var schema))
                            {
                                mediaType = media.Name;
                                body = schema;
                                break;
                            }
                        }
                }
                routes.Add(new ApiRoute(source, method.ToUpperInvariant(), Normalize(path.Name), parameters, body, bodyRequired, mediaType, schemas));
            }
        }
        return routes;
    }
}

/// <summary>The components of one OpenAPI document, to follow $ref and read schemas (3.0 or 3.1 spellings of nullable types).</summary>
public sealed class OpenApiSchemas(JsonElement document)
{
    public JsonElement Document { get; } = document;

    /// <summary>The element a $ref points to (followed repeatedly), or the element itself.</summary>
    public JsonElement Resolve(JsonElement element)
    {
        for (var hops = 0; hops < 32 && element.ValueKind == JsonValueKind.Object && element.TryGetProperty("$ref", out var reference); hops++)
        {
            var target = Document;
            foreach (var part in reference.GetString()!.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var name = part.Replace("~1", "/").Replace("~0", "~");
                if (!target.TryGetProperty(name, out target)) return element;
            }
            element = target;
        }
        return element;
    }

    /// <summary>The schema without a null alternative: the one non-null branch of oneOf/anyOf, resolved.</summary>
    public JsonElement NonNull(JsonElement schema)
    {
        schema = Resolve(schema);
        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty(combinator, out var branches)) continue;
            var real = branches.EnumerateArray().Select(Resolve).Where(b => TypeOf(b) != "null").ToList();
            if (real.Count >= 1) return NonNull(real[0]);
        }
        return schema;
    }

    /// <summary>The JSON type a schema describes ("string", "integer", "number", "boolean", "array", "object", "null"), or null when open.</summary>
    public string? TypeOf(JsonElement schema)
    {
        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object) return null;
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String) return type.GetString();
            if (type.ValueKind == JsonValueKind.Array)
            {
                var names = type.EnumerateArray().Select(t => t.GetString()).Where(t => t is not null).ToList();
                return names.FirstOrDefault(t => t != "null") ?? "null";
            }
        }
        if (schema.TryGetProperty("properties", out _)) return "object";
        if (schema.TryGetProperty("items", out _)) return "array";
        if (schema.TryGetProperty("enum", out var values))
            return values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.String) ? "string" : null;
        return null;
    }

    public static string? FormatOf(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;

    /// <summary>The string values an enum schema allows (empty when it is not an enum).</summary>
    public IReadOnlyList<string> EnumOf(JsonElement schema)
    {
        schema = NonNull(schema);
        return schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("enum", out var values)
            ? [.. values.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!)]
            : [];
    }

    public IEnumerable<(string Name, JsonElement Schema)> PropertiesOf(JsonElement schema)
    {
        schema = NonNull(schema);
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
            foreach (var p in properties.EnumerateObject()) yield return (p.Name, p.Value);
    }

    public JsonElement? ItemsOf(JsonElement schema)
    {
        schema = NonNull(schema);
        return schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("items", out var items) ? items : null;
    }

    public JsonElement? AdditionalOf(JsonElement schema)
    {
        schema = NonNull(schema);
        return schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("additionalProperties", out var more)
               && more.ValueKind == JsonValueKind.Object ? more : null;
    }
}
