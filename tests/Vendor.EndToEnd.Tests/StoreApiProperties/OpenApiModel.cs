using System.Text.Json.Nodes;

namespace Vendor.EndToEnd.Tests.StoreApiProperties;

/// <summary>A parameter of an operation (path, query or header), its schema resolved to the document's components.</summary>
public sealed record OperationParameter(string Name, string In, bool Required, JsonNode? Schema);

/// <summary>The request body of an operation: its media type and schema (JSON when the document offers JSON).</summary>
public sealed record OperationBody(bool Required, string MediaType, JsonNode? Schema);

/// <summary>One documented answer: the status key as written ("200", "4XX", "default") and schema per media type (may be empty).</summary>
public sealed record OperationResponse(string Status, IReadOnlyDictionary<string, JsonNode?> Content);

/// <summary>One operation of an OpenAPI 3.1 document.</summary>
public sealed record Operation(string Method, string Path, string OperationId, IReadOnlyList<OperationParameter> Parameters, OperationBody? Body,
    IReadOnlyList<OperationResponse> Responses)
{
    public override string ToString() => $"{Method} {Path} ({OperationId})";

    /// <summary>The documented answer for a status: exact, then its class ("4XX"), then "default"; null when none fits.</summary>
    public OperationResponse? ResponseFor(int status) =>
        Responses.FirstOrDefault(r => r.Status == status.ToString(System.Globalization.CultureInfo.InvariantCulture))
        ?? Responses.FirstOrDefault(r => r.Status.Equals($"{status / 100}XX", StringComparison.OrdinalIgnoreCase))
        ?? Responses.FirstOrDefault(r => r.Status == "default");
}

/// <summary>Reads the operations of any OpenAPI 3.1 document (System.Text.Json nodes) and follows local $refs.</summary>
public sealed class OpenApiModel(JsonObject document)
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    public JsonObject Document { get; } = document;

    /// <summary>The node a local "$ref" ("#/components/...") points to, followed repeatedly; the node itself when it has none.</summary>
    public JsonNode? Resolve(JsonNode? node)
    {
        for (var hops = 0; hops < 32 && node is JsonObject obj && obj["$ref"] is JsonValue reference; hops++)
            node = Pointer(reference.GetValue<string>()) ?? throw new InvalidOperationException($"Unresolvable $ref {reference}");
        return node;
    }

    /// <summary>A JSON pointer fragment ("#/a/b~1c") into the document.</summary>
    public JsonNode? Pointer(string reference)
    {
        if (!reference.StartsWith('#')) throw new NotSupportedException($"Only local references are followed: {reference}");
        JsonNode? target = Document;
        foreach (var raw in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = Uri.UnescapeDataString(raw).Replace("~1", "/").Replace("~0", "~");
            target = target switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out var i) && i < a.Count => a[i],
                _ => null,
            };
            if (target is null) return null;
        }
        return target;
    }

    /// <summary>The path the first server entry puts before every operation's path ("" for "/", an absolute URL or none).</summary>
    public string BasePath => (string?)Document["servers"]?.AsArray().FirstOrDefault()?["url"] is { } url && url.StartsWith('/')
        ? url.TrimEnd('/')
        : "";

    public IReadOnlyList<Operation> Operations()
    {
        var operations = new List<Operation>();
        foreach (var (path, item) in Document["paths"]?.AsObject() ?? [])
        {
            if (Resolve(item) is not JsonObject pathItem) continue;
            foreach (var method in Methods)
            {
                if (pathItem[method] is not JsonObject operation) continue;
                var parameters = new Dictionary<(string, string), OperationParameter>();
                foreach (var list in new[] { pathItem["parameters"], operation["parameters"] })
                    foreach (var p in list?.AsArray() ?? [])
                    {
                        var resolved = (JsonObject)Resolve(p)!;
                        var parameter = new OperationParameter((string)resolved["name"]!, (string)resolved["in"]!,
                            resolved["required"]?.GetValue<bool>() == true || (string)resolved["in"]! == "path", resolved["schema"]);
                        parameters[(parameter.Name, parameter.In)] = parameter; // the operation's overrides the path's
                    }
                OperationBody? body = null;
                if (Resolve(operation["requestBody"]) is JsonObject requestBody && requestBody["content"] is JsonObject content && content.Count > 0)
                {
                    var media = content.FirstOrDefault(m => IsJson(m.Key), content.First());
                    body = new OperationBody(requestBody["required"]?.GetValue<bool>() == true, media.Key, media.Value?["schema"]);
                }
                var responses = new List<OperationResponse>();
                foreach (var (status, response) in operation["responses"]?.AsObject() ?? [])
                {
                    var resolved = Resolve(response) as JsonObject;
                    var media = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
                    foreach (var (type, value) in resolved?["content"]?.AsObject() ?? []) media[type] = value?["schema"];
                    responses.Add(new OperationResponse(status, media));
                }
                operations.Add(new Operation(method.ToUpperInvariant(), BasePath + path, (string?)operation["operationId"] ?? $"{method} {path}",
                    [.. parameters.Values], body, responses));
            }
        }
        return operations;
    }

    public static bool IsJson(string mediaType) =>
        mediaType.Split(';')[0].Trim() is var m && (m.Equals("application/json", StringComparison.OrdinalIgnoreCase) || m.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>The documented media type an answer's Content-Type matches ("text/*", "*/*" allowed), or null.</summary>
    public static string? MatchMedia(OperationResponse response, string? contentType)
    {
        var actual = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (actual is null) return null;
        foreach (var documented in response.Content.Keys)
        {
            var d = documented.Split(';')[0].Trim().ToLowerInvariant();
            if (d == actual || d == "*/*" || d.EndsWith("/*", StringComparison.Ordinal) && actual.StartsWith(d[..^1], StringComparison.Ordinal))
                return documented;
        }
        return null;
    }
}
