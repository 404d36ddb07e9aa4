using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vendor.EndToEnd.Tests.StoreApi;

/// <summary>
/// What the published store document lacks by the house rules: every operation, parameter, schema property and response described
/// in Chinese and English; an example for every parameter, request body and response body (errors included).
/// </summary>
public static partial class StoreDocumentAudit
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [GeneratedRegex(@"[\u4e00-\u9fff]")]
    private static partial Regex Cjk();

    [GeneratedRegex("[A-Za-z]{2,}")]
    private static partial Regex Latin();

    public static bool Bilingual(string? text) => text is not null && Cjk().IsMatch(text) && Latin().IsMatch(text);

    /// <summary>One line per gap, naming where it is.</summary>
    public static IReadOnlyList<string> Missing(JsonElement document)
    {
        var missing = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
            foreach (var method in Methods)
            {
                if (!path.Value.TryGetProperty(method, out var operation)) continue;
                var where = $"{method.ToUpperInvariant()} {path.Name}";
                if (Text(operation, "summary") is not { Length: > 0 }) missing.Add($"{where}: summary");
                if (!Bilingual(Text(operation, "description"))) missing.Add($"{where}: description (zh + en)");
                foreach (var parameter in Items(operation, "parameters"))
                {
                    var p = Resolve(document, parameter);
                    var name = $"{where} parameter {Text(p, "name")}";
                    if (!Bilingual(Text(p, "description"))) missing.Add($"{name}: description (zh + en)");
                    if (!HasExample(document, p)) missing.Add($"{name}: example");
                }
                if (operation.TryGetProperty("requestBody", out var body))
                    foreach (var media in Content(Resolve(document, body)))
                        if (!HasExample(document, media.Value)) missing.Add($"{where} request body {media.Name}: example");
                foreach (var response in operation.GetProperty("responses").EnumerateObject())
                {
                    var r = Resolve(document, response.Value);
                    if (!Bilingual(Text(r, "description"))) missing.Add($"{where} {response.Name}: description (zh + en)");
                    foreach (var media in Content(r))
                        if (!HasExample(document, media.Value)) missing.Add($"{where} {response.Name} {media.Name}: example");
                    if (r.TryGetProperty("headers", out var headers))
                        foreach (var header in headers.EnumerateObject())
                            if (!Bilingual(Text(Resolve(document, header.Value), "description")))
                                missing.Add($"{where} {response.Name} header {header.Name}: description (zh + en)");
                }
            }
        if (document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var schemas))
            foreach (var schema in schemas.EnumerateObject()) Properties(schema.Value, schema.Name, missing);
        foreach (var tag in Items(document, "tags"))
            if (!Bilingual(Text(tag, "description"))) missing.Add($"tag {Text(tag, "name")}: description (zh + en)");
        return missing;
    }

    private static void Properties(JsonElement schema, string where, List<string> missing)
    {
        if (schema.ValueKind != JsonValueKind.Object) return;
        if (schema.TryGetProperty("properties", out var properties))
            foreach (var property in properties.EnumerateObject())
            {
                if (!Bilingual(Text(property.Value, "description"))) missing.Add($"schema {where}.{property.Name}: description (zh + en)");
                Properties(property.Value, $"{where}.{property.Name}", missing);
            }
        if (schema.TryGetProperty("items", out var items)) Properties(items, $"{where}[]", missing);
    }

    private static bool HasExample(JsonElement document, JsonElement element) =>
        element.TryGetProperty("example", out _) || element.TryGetProperty("examples", out _)
        || element.TryGetProperty("schema", out var schema) && Resolve(document, schema) is var s && s.ValueKind == JsonValueKind.Object
        && (s.TryGetProperty("example", out _) || s.TryGetProperty("examples", out _));

    private static IEnumerable<JsonProperty> Content(JsonElement element) =>
        element.TryGetProperty("content", out var content) ? content.EnumerateObject() : [];

    private static IEnumerable<JsonElement> Items(JsonElement element, string name) =>
        element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : [];

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static JsonElement Resolve(JsonElement document, JsonElement element)
    {
        for (var hops = 0; hops < 16 && element.ValueKind == JsonValueKind.Object && element.TryGetProperty("$ref", out var reference); hops++)
        {
            var target = document;
            foreach (var part in reference.GetString()!.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
                if (!target.TryGetProperty(part.Replace("~1", "/").Replace("~0", "~"), out target)) return element;
            element = target;
        }
        return element;
    }

    /// <summary>"GET /api/sla/stores/{}/sla" for every operation of the document.</summary>
    public static IReadOnlyList<string> Operations(JsonElement document) =>
    [
        .. document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => Methods.Where(m => p.Value.TryGetProperty(m, out _)).Select(m => Hardening.RouteTable.Shape(m.ToUpperInvariant(), p.Name)))
            .Order(StringComparer.Ordinal),
    ];
}
