using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vendor.Testing;

/// <summary>A place in a JSON body that a test may change: a property of an object or an element of an array, with its schema when known.</summary>
public sealed record JsonSlot(JsonNode Container, string? Property, int Index, string Name, JsonElement? Schema)
{
    public JsonNode? Value
    {
        get => Container is JsonObject o ? o[Property!] : ((JsonArray)Container)[Index];
        set
        {
            if (Container is JsonObject o) o[Property!] = value;
            else ((JsonArray)Container)[Index] = value;
        }
    }

    public void Remove()
    {
        if (Container is JsonObject o) o.Remove(Property!);
        else ((JsonArray)Container).RemoveAt(Index);
    }
}

/// <summary>
/// Builds a plausible JSON value for a schema of an OpenAPI document (what a well-meaning client would send), and lists the slots of
/// a JSON value together with their schemas, so a test can change one field at a time.
/// </summary>
public sealed class SchemaSamples(OpenApiSchemas schemas, Func<string, JsonElement?, JsonNode?> hint)
{
    /// <summary>The name a whole body goes by (never a property name, so no hint matches it).</summary>
    public const string Root = "$body";

    public OpenApiSchemas Schemas => schemas;

    /// <summary>A sample for the schema; <paramref name="name"/> is the property (or parameter) name, used by the hint first.</summary>
    public JsonNode? Build(JsonElement? schema, string name, int depth = 0)
    {
        if (hint(name, schema) is { } hinted) return hinted;
        if (schema is null) return JsonValue.Create("fz");
        var s = schemas.NonNull(schema.Value);
        var values = schemas.EnumOf(s);
        if (values.Count > 0) return JsonValue.Create(values[0]);
        switch (schemas.TypeOf(s))
        {
            case "object":
                var obj = new JsonObject();
                if (depth > 6) return obj;
                foreach (var (property, propertySchema) in schemas.PropertiesOf(s))
                    obj[property] = Build(propertySchema, property, depth + 1);
                if (obj.Count == 0 && schemas.AdditionalOf(s) is { } more) obj["k1"] = Build(more, "k1", depth + 1);
                return obj;
            case "array":
                return depth > 6 ? new JsonArray() : new JsonArray(Build(schemas.ItemsOf(s), Singular(name), depth + 1));
            case "integer":
                return JsonValue.Create(1);
            case "number":
                return JsonValue.Create(1);
            case "boolean":
                return JsonValue.Create(false);
            case "string":
                return JsonValue.Create(OpenApiSchemas.FormatOf(s) switch
                {
                    "date" => "2026-12-14",
                    "date-time" => "2026-11-16T10:00:00+08:00",
                    "time" => "09:00:00",
                    "uuid" => "0b6a3e3c-5f1e-4c8e-9a6e-2f1d0c9b8a7f",
                    _ => $"fz-{name}",
                });
            default:
                return JsonValue.Create("fz");
        }
    }

    /// <summary>Every slot of <paramref name="root"/> (depth first), with the schema of each where the document gives one.</summary>
    public List<JsonSlot> Slots(JsonNode? root, JsonElement? schema)
    {
        var slots = new List<JsonSlot>();
        Walk(root, schema, Root, slots, 0);
        return slots;
    }

    private void Walk(JsonNode? node, JsonElement? schema, string name, List<JsonSlot> slots, int depth)
    {
        if (depth > 12) return;
        var s = schema is null ? (JsonElement?)null : schemas.NonNull(schema.Value);
        switch (node)
        {
            case JsonObject obj:
                var properties = new Dictionary<string, JsonElement>(StringComparer.OrdinalIgnoreCase);
                if (s is not null) foreach (var (property, propertySchema) in schemas.PropertiesOf(s.Value)) properties[property] = propertySchema;
                var additional = s is null ? null : schemas.AdditionalOf(s.Value);
                foreach (var (property, child) in obj.ToList())
                {
                    JsonElement? childSchema = properties.TryGetValue(property, out var ps) ? ps : additional;
                    slots.Add(new JsonSlot(obj, property, -1, property, childSchema));
                    Walk(child, childSchema, property, slots, depth + 1);
                }
                break;
            case JsonArray array:
                var items = s is null ? null : schemas.ItemsOf(s.Value);
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add(new JsonSlot(array, null, i, Singular(name), items));
                    Walk(array[i], items, Singular(name), slots, depth + 1);
                }
                break;
        }
    }

    private static string Singular(string name) =>
        name.EndsWith("ies", StringComparison.Ordinal) ? name[..^3] + "y" : name.EndsWith('s') ? name[..^1] : name;
}
