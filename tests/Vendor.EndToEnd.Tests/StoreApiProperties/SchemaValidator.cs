using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vendor.EndToEnd.Tests.StoreApiProperties;

/// <summary>
/// A small JSON Schema 2020-12 validator over System.Text.Json nodes, for the schemas of an OpenAPI 3.1 document: $ref (local),
/// boolean schemas, type (also type arrays and 3.0's nullable), enum, const, properties, required, additionalProperties, items,
/// prefixItems, min/maxItems, min/maxLength, pattern, minimum/maximum and their exclusive forms, multipleOf, allOf/anyOf/oneOf/not,
/// and the formats date, date-time, int32, int64 and uuid. Unknown keywords (description, example, ...) are annotations.
/// </summary>
public sealed class SchemaValidator(OpenApiModel model)
{
    /// <summary>What is wrong with <paramref name="value"/> against <paramref name="schema"/>, each with its JSON pointer; empty when valid.</summary>
    public List<string> Validate(JsonNode? value, JsonNode? schema)
    {
        var errors = new List<string>();
        Check(value, schema, "", errors, 0);
        return errors;
    }

    private bool Valid(JsonNode? value, JsonNode? schema, int depth) => Check(value, schema, "", null, depth);

    /// <summary>True when valid; adds what is wrong to <paramref name="errors"/> (when given).</summary>
    private bool Check(JsonNode? value, JsonNode? schema, string at, List<string>? errors, int depth)
    {
        if (depth > 64) return true;
        if (schema is null) return true;
        if (schema.GetValueKind() is JsonValueKind.True) return true;
        if (schema.GetValueKind() is JsonValueKind.False) return Fail(errors, at, "no value is allowed here");
        if (schema is not JsonObject s) return true;
        var ok = true;
        if (s["$ref"] is JsonValue reference)
            ok &= Check(value, model.Pointer(reference.GetValue<string>()) ?? throw new InvalidOperationException($"Unresolvable $ref {reference}"),
                at, errors, depth + 1);

        var kind = KindOf(value);
        if (s["type"] is { } type)
        {
            var allowed = type is JsonArray names ? names.Select(n => (string)n!).ToList() : [(string)type!];
            if (s["nullable"]?.GetValueKind() == JsonValueKind.True) allowed.Add("null");
            if (!allowed.Any(t => Is(kind, value, t))) return Fail(errors, at, $"is {kind}, the document says {string.Join(" or ", allowed)}");
        }
        if (s["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value)))
            ok &= Fail(errors, at, $"{Show(value)} is not one of {values.ToJsonString()}");
        if (s.ContainsKey("const") && !JsonNode.DeepEquals(s["const"], value)) ok &= Fail(errors, at, $"{Show(value)} is not {s["const"]?.ToJsonString()}");

        switch (value)
        {
            case JsonObject obj:
                foreach (var required in s["required"]?.AsArray() ?? [])
                    if (!obj.ContainsKey((string)required!)) ok &= Fail(errors, at, $"misses the required property '{required}'");
                var properties = s["properties"] as JsonObject;
                foreach (var (name, child) in obj)
                {
                    if (properties is not null && properties.ContainsKey(name))
                        ok &= Check(child, properties![name], $"{at}/{name}", errors, depth + 1);
                    else if (s["additionalProperties"] is { } more) ok &= Check(child, more, $"{at}/{name}", errors, depth + 1);
                }
                break;
            case JsonArray array:
                var prefix = s["prefixItems"] as JsonArray;
                for (var i = 0; i < array.Count; i++)
                {
                    var itemSchema = prefix is not null && i < prefix.Count ? prefix[i] : s["items"];
                    ok &= Check(array[i], itemSchema, $"{at}/{i}", errors, depth + 1);
                }
                if (Number(s["minItems"]) is { } minItems && array.Count < minItems) ok &= Fail(errors, at, $"has {array.Count} items, at least {minItems}");
                if (Number(s["maxItems"]) is { } maxItems && array.Count > maxItems) ok &= Fail(errors, at, $"has {array.Count} items, at most {maxItems}");
                break;
            case JsonValue when kind == "string":
                var text = value.GetValue<string>();
                var length = new StringInfo(text).LengthInTextElements;
                if (Number(s["minLength"]) is { } minLength && length < minLength) ok &= Fail(errors, at, $"is {length} characters, at least {minLength}");
                if (Number(s["maxLength"]) is { } maxLength && length > maxLength) ok &= Fail(errors, at, $"is {length} characters, at most {maxLength}");
                if ((string?)s["pattern"] is { } pattern && !Regex.IsMatch(text, pattern)) ok &= Fail(errors, at, $"'{Short(text)}' does not match {pattern}");
                if ((string?)s["format"] is { } format && !FormatHolds(format, text)) ok &= Fail(errors, at, $"'{Short(text)}' is not a {format}");
                break;
            case JsonValue when kind is "number":
                var number = Number(value)!.Value;
                if (Number(s["minimum"]) is { } min && number < min) ok &= Fail(errors, at, $"{number} is below the minimum {min}");
                if (Number(s["maximum"]) is { } max && number > max) ok &= Fail(errors, at, $"{number} is above the maximum {max}");
                if (Number(s["exclusiveMinimum"]) is { } emin && number <= emin) ok &= Fail(errors, at, $"{number} is not above {emin}");
                if (Number(s["exclusiveMaximum"]) is { } emax && number >= emax) ok &= Fail(errors, at, $"{number} is not below {emax}");
                if (Number(s["multipleOf"]) is { } step && step != 0 && number % step != 0) ok &= Fail(errors, at, $"{number} is not a multiple of {step}");
                if ((string?)s["format"] is "int32" && (number != Math.Floor(number) || number is < int.MinValue or > int.MaxValue))
                    ok &= Fail(errors, at, $"{number} is not an int32");
                if ((string?)s["format"] is "int64" && (number != Math.Floor(number) || number is < long.MinValue or > long.MaxValue))
                    ok &= Fail(errors, at, $"{number} is not an int64");
                break;
        }

        if (s["allOf"] is JsonArray all)
            foreach (var branch in all) ok &= Check(value, branch, at, errors, depth + 1);
        if (s["anyOf"] is JsonArray any && !any.Any(b => Valid(value, b, depth + 1)))
            ok &= Fail(errors, at, $"{Show(value)} matches none of anyOf ({Why(value, any, depth)})");
        if (s["oneOf"] is JsonArray one)
        {
            var matches = one.Count(b => Valid(value, b, depth + 1));
            if (matches != 1) ok &= Fail(errors, at, $"{Show(value)} matches {matches} of oneOf, exactly one expected ({Why(value, one, depth)})");
        }
        if (s["not"] is { } not && Valid(value, not, depth + 1)) ok &= Fail(errors, at, $"{Show(value)} matches what 'not' excludes");
        return ok;
    }

    private string Why(JsonNode? value, JsonArray branches, int depth) =>
        string.Join("; ", branches.Select(b =>
        {
            var errors = new List<string>();
            Check(value, b, "", errors, depth + 1);
            return errors.FirstOrDefault() ?? "ok";
        }));

    private static bool Fail(List<string>? errors, string at, string what)
    {
        errors?.Add($"{(at.Length == 0 ? "(body)" : at)}: {what}");
        return false;
    }

    public static string KindOf(JsonNode? value) => value?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "unknown",
    };

    private static bool Is(string kind, JsonNode? value, string type) => type switch
    {
        "integer" => kind == "number" && Number(value) is { } n && n == Math.Floor(n),
        _ => kind == type,
    };

    private static decimal? Number(JsonNode? node) =>
        node?.GetValueKind() == JsonValueKind.Number
        && decimal.TryParse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    public static bool FormatHolds(string format, string text) => format switch
    {
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date-time" => Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
                       && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => Guid.TryParseExact(text, "D", out _),
        _ => true,
    };

    private static string Show(JsonNode? value) => Short(value?.ToJsonString() ?? "null");

    private static string Short(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
