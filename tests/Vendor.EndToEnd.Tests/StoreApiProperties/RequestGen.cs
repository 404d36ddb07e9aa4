using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Vendor.EndToEnd.Tests.StoreApiProperties;

/// <summary>One generated request: what it is (valid, or which input was broken and how) and what goes on the wire.</summary>
public sealed record ApiCall(Operation Operation, string Mutation, string Path, ImmutableList<(string Name, string Value)> Query,
    ImmutableList<(string Name, string Value)> Headers, string? Body, string? ContentType)
{
    public string PathAndQuery => Query.IsEmpty
        ? Path
        : $"{Path}?{string.Join('&', Query.Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value)}"))}";

    public override string ToString()
    {
        var text = new StringBuilder($"{Operation.Method} {PathAndQuery}  [{Operation.OperationId}; {Mutation}]");
        foreach (var (name, value) in Headers) text.Append($"\n  {name}: {value}");
        if (ContentType is not null) text.Append($"\n  Content-Type: {ContentType}");
        if (Body is not null) text.Append($"\n  {(Body.Length > 600 ? Body[..600] + $"… ({Body.Length} chars)" : Body)}");
        return text.ToString();
    }
}

/// <summary>
/// CsCheck generators of requests for the operations of an OpenAPI 3.1 document: valid ones (every value fits its schema; names the
/// <paramref name="hints"/> know take real seeded values, e.g. the store's own id and its article ids) and ones with exactly one input
/// broken (wrong type, out-of-range number, bad date, missing required field, oversized string, unknown enum value, another store's
/// id, malformed JSON, wrong content type, unknown parameter).
/// </summary>
public sealed class RequestGen(OpenApiModel model, IReadOnlyDictionary<string, string[]> hints)
{
    private const int MaxDepth = 8;
    private static readonly Gen<JsonNode?> Nothing = Gen.Const<JsonNode?>(() => null);

    /// <summary>Bodies as a client would write them: UTF-8 text, Chinese unescaped.</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public Gen<ApiCall> For(Operation operation)
    {
        var valid = Valid(operation);
        var mutations = new List<(int, IGen<ApiCall>)> { (4, valid) };
        foreach (var parameter in operation.Parameters)
            mutations.Add((2, from call in valid from broken in BrokenParameter(operation, parameter, call) select broken));
        mutations.Add((1, from call in valid from name in Gen.OneOf("unknown", "storeId", "limit", "$where")
                          select call with { Mutation = $"extra query parameter {name}", Query = call.Query.Add((name, "x' OR 1=1 --")) }));
        if (operation.Body is { } body)
        {
            mutations.Add((4, from call in valid from broken in BrokenBody(body, call) select broken));
            mutations.Add((1, from call in valid
                              from raw in Gen.OneOf("{", "", "null", "[]", "\"text\"", "{\"a\":", "{\"x\":1}", new string('[', 2000))
                              select call with { Mutation = $"raw body {Short(raw)}", Body = raw }));
            mutations.Add((1, from call in valid from type in Gen.OneOf("text/plain", "application/xml", "application/x-www-form-urlencoded")
                              select call with { Mutation = $"content type {type}", ContentType = type }));
        }
        else if (operation.Method is "POST" or "PUT" or "PATCH")
        {
            // No documented body: a JSON body of any shape must still be refused with a documented answer.
            mutations.Add((2, from call in valid from raw in Gen.OneOf("{}", "{\"conversations\":[]}", "[1,2]", "{", "null")
                              select call with { Mutation = $"undocumented body {raw}", Body = raw, ContentType = "application/json" }));
        }
        return Gen.Frequency([.. mutations]);
    }

    // ------------------------------------------------------------------------------------------------------------ valid requests

    private Gen<ApiCall> Valid(Operation operation)
    {
        Gen<ApiCall> call = Gen.Const(() => new ApiCall(operation, "valid", operation.Path, [], [], null, null));
        foreach (var parameter in operation.Parameters)
        {
            var value = Value(parameter.Schema, parameter.Name);
            var include = parameter.Required ? Gen.Const(true) : Gen.Bool;
            call = from c in call
                   from use in include
                   from v in value
                   select use && v is not null ? Put(c, parameter, v) : c;
        }
        if (operation.Body is { } body)
            call = from c in call
                   from v in Value(body.Schema, "$body")
                   select c with { Body = v?.ToJsonString(Json) ?? "null", ContentType = body.MediaType };
        return call;
    }

    /// <summary>A value in its parameter's place; an array in the query is the name repeated (form style, exploded: the default).</summary>
    private static ApiCall Put(ApiCall call, OperationParameter parameter, JsonNode value) =>
        parameter.In == "query" && value is JsonArray items
            ? call with
            {
                Query = call.Query.RemoveAll(q => q.Name == parameter.Name)
                    .AddRange(items.Where(i => i is not null).Select(i => (parameter.Name, Text(i!)))),
            }
            : Put(call, parameter, Text(value));

    private static ApiCall Put(ApiCall call, OperationParameter parameter, string value) => parameter.In switch
    {
        "path" => call with { Path = call.Path.Replace("{" + parameter.Name + "}", Uri.EscapeDataString(value)) },
        "query" => call with { Query = call.Query.RemoveAll(q => q.Name == parameter.Name).Add((parameter.Name, value)) },
        "header" => call with { Headers = call.Headers.RemoveAll(h => h.Name == parameter.Name).Add((parameter.Name, value)) },
        _ => call,
    };

    private static string Text(JsonNode value) => value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    /// <summary>A value that fits <paramref name="schema"/>; a hinted name takes one of its seeded values.</summary>
    public Gen<JsonNode?> Value(JsonNode? schema, string name, int depth = 0)
    {
        if (hints.TryGetValue(name, out var hinted)) return Gen.OneOf(hinted).Select(v => (JsonNode?)JsonValue.Create(v));
        var s = model.Resolve(schema);
        if (s is not JsonObject obj || depth > MaxDepth) return Gen.Const<JsonNode?>(() => JsonValue.Create("x"));
        if (obj["enum"] is JsonArray values && values.Count > 0) return Gen.Int[0, values.Count - 1].Select(i => values[i]?.DeepClone());
        if (obj.ContainsKey("const")) return Gen.Const(() => obj["const"]?.DeepClone());
        foreach (var combinator in new[] { "oneOf", "anyOf" })
            if (obj[combinator] is JsonArray branches && branches.Count > 0)
            {
                var real = branches.Where(b => TypesOf(model.Resolve(b)) is not ["null"]).ToList();
                var pick = real.Count > 0 ? real : branches.ToList();
                return Gen.Int[0, pick.Count - 1].SelectMany(i => Value(pick[i], name, depth + 1));
            }
        if (obj["allOf"] is JsonArray { Count: 1 } all) return Value(all[0], name, depth + 1);
        if (obj["allOf"] is JsonArray { Count: > 1 } parts) return Value(Merge(parts), name, depth + 1);
        var types = TypesOf(obj);
        var concrete = types.Where(t => t != "null").ToList();
        if (concrete.Count == 0) return types.Contains("null") ? Nothing : Gen.Const<JsonNode?>(() => JsonValue.Create("x"));
        var typed = Gen.Int[0, concrete.Count - 1].SelectMany(i => OfType(obj, concrete[i], name, depth));
        // A nullable value is now and then null: null is as valid as any other value there.
        return types.Contains("null") ? Gen.Frequency((9, typed), (1, Nothing)) : typed;
    }

    private Gen<JsonNode?> OfType(JsonObject s, string type, string name, int depth)
    {
        switch (type)
        {
            case "string":
                return (string?)s["format"] switch
                {
                    "date" => Gen.Int[1, 30].Select(d => (JsonNode?)JsonValue.Create($"2026-11-{d:00}")),
                    "date-time" => Gen.Select(Gen.Int[1, 30], Gen.Int[0, 23], Gen.Int[0, 59],
                        (d, h, m) => (JsonNode?)JsonValue.Create($"2026-11-{d:00}T{h:00}:{m:00}:00+08:00")),
                    "uuid" => Gen.Guid.Select(g => (JsonNode?)JsonValue.Create(g.ToString())),
                    "time" => Gen.Select(Gen.Int[0, 23], Gen.Int[0, 59], (h, m) => (JsonNode?)JsonValue.Create($"{h:00}:{m:00}:00")),
                    "uri" or "url" => Gen.OneOf("https://hooks.example.com/vendor", "https://example.org/callback?x=1")
                        .Select(u => (JsonNode?)JsonValue.Create(u)),
                    "email" => Gen.Const<JsonNode?>(() => JsonValue.Create("ops@example.com")),
                    _ => Strings(s),
                };
            case "integer":
            {
                var min = (long)Math.Max(Number(s["minimum"]) ?? 0, -1000);
                var max = (long)Math.Min(Number(s["maximum"]) ?? 100, min + 1000);
                if (Number(s["exclusiveMinimum"]) is { } emin) min = Math.Max(min, (long)Math.Floor(emin) + 1);
                if (Number(s["exclusiveMaximum"]) is { } emax) max = Math.Min(max, (long)Math.Ceiling(emax) - 1);
                return Gen.Long[min, Math.Max(min, max)].Select(v => (JsonNode?)JsonValue.Create(v));
            }
            case "number":
            {
                var min = Math.Max(Number(s["minimum"]) ?? 0, -1000);
                var max = Math.Min(Number(s["maximum"]) ?? 100, min + 1000);
                return Gen.Int[0, 100].Select(p => (JsonNode?)JsonValue.Create(Math.Round(min + (max - min) * p / 100, 2)));
            }
            case "boolean":
                return Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b));
            case "array":
            {
                var min = (int)(Number(s["minItems"]) ?? 0);
                var max = Math.Max(min, (int)Math.Min(Number(s["maxItems"]) ?? 3, min + 3));
                var item = Value(s["items"], Singular(name), depth + 1);
                return Gen.Int[min, max].SelectMany(n => Repeat(item, n)).Select(items => (JsonNode?)new JsonArray([.. items]));
            }
            case "object":
            {
                var required = (s["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet();
                Gen<ImmutableList<(string, JsonNode?)>> fields = Gen.Const(() => ImmutableList<(string, JsonNode?)>.Empty);
                foreach (var (property, propertySchema) in s["properties"]?.AsObject() ?? [])
                {
                    var value = Value(propertySchema, property, depth + 1);
                    var include = required.Contains(property) ? Gen.Const(true) : Gen.Bool;
                    fields = from f in fields from use in include from v in value select use ? f.Add((property, v)) : f;
                }
                return fields.Select(f => (JsonNode?)new JsonObject(f.Select(x => KeyValuePair.Create(x.Item1, x.Item2))));
            }
            default:
                return Gen.Const<JsonNode?>(() => JsonValue.Create("x"));
        }
    }

    private static readonly string[] Candidates =
        ["prop", "a-1", "x1", "abc", "ABC", "2026-11", "2026-11-16", "09:00", "12345", "store-1", "prop_2", "a.b", "退货", "亲"];

    private static Gen<JsonNode?> Strings(JsonObject s)
    {
        var min = (int)(Number(s["minLength"]) ?? 1);
        var max = Math.Max(min, (int)Math.Min(Number(s["maxLength"]) ?? 24, min + 24));
        if ((string?)s["pattern"] is { } pattern)
        {
            // A pattern is met by choosing among plain candidates that match it (none matching: the value is plain, and may break it).
            var fits = Candidates.Where(c => System.Text.RegularExpressions.Regex.IsMatch(c, pattern) && c.Length >= min && c.Length <= max).ToArray();
            return fits.Length > 0 ? Gen.OneOf(fits).Select(c => (JsonNode?)JsonValue.Create(c)) : Gen.Const<JsonNode?>(() => JsonValue.Create("x"));
        }
        var words = Gen.OneOf("退货", "发货", "七天无理由", "赠品", "prop", "快递", "尺码", "亲");
        return Gen.Int[Math.Max(1, min), max].SelectMany(n => Repeat(words, 1 + n / 4))
            .Select(parts => string.Concat(parts))
            .Select(text => (JsonNode?)JsonValue.Create(text.Length < min ? text.PadRight(min, 'x') : text.Length > max ? text[..max] : text));
    }

    private static Gen<ImmutableList<T>> Repeat<T>(Gen<T> item, int count)
    {
        Gen<ImmutableList<T>> list = Gen.Const(() => ImmutableList<T>.Empty);
        for (var i = 0; i < count; i++) list = from l in list from x in item select l.Add(x);
        return list;
    }

    // ------------------------------------------------------------------------------------------------------------ broken inputs

    private Gen<ApiCall> BrokenParameter(Operation operation, OperationParameter parameter, ApiCall call)
    {
        var options = new List<(int, IGen<ApiCall>)>
        {
            (3, Broken(parameter.Schema, parameter.Name, inUrl: parameter.In != "header").Select(b => Put(call, parameter, b.Value is null ? "null" : Text(b.Value)) with
            {
                Mutation = $"{parameter.In} {parameter.Name}: {b.How}",
            })),
        };
        if (parameter.Name == "storeId")
            options.Add((3, Gen.OneOf(hints.GetValueOrDefault("otherStoreId") ?? ["another-store"])
                .Select(other => Put(Fresh(operation, call, parameter), parameter, other) with { Mutation = $"another store's id {other}" })));
        if (parameter.In != "path")
            options.Add((1, Gen.Const(() => call with
            {
                Mutation = $"{parameter.In} {parameter.Name} left out",
                Query = call.Query.RemoveAll(q => q.Name == parameter.Name),
                Headers = call.Headers.RemoveAll(h => h.Name == parameter.Name),
            })));
        return Gen.Frequency([.. options]);
    }

    /// <summary>The call with the path placeholder back in place (so another value can go there).</summary>
    private static ApiCall Fresh(Operation operation, ApiCall call, OperationParameter parameter)
    {
        if (parameter.In != "path") return call;
        var template = operation.Path.Split('/');
        var actual = call.Path.Split('/');
        for (var i = 0; i < template.Length && i < actual.Length; i++)
            if (template[i] == "{" + parameter.Name + "}") actual[i] = template[i];
        return call with { Path = string.Join('/', actual) };
    }

    private Gen<ApiCall> BrokenBody(OperationBody body, ApiCall call)
    {
        var root = call.Body is null ? null : JsonNode.Parse(call.Body);
        var slots = new List<(JsonNode Container, string? Property, int Index, JsonNode? Schema, bool Required, string Path)>();
        Slots(root, body.Schema, "", slots, 0);
        var whole = Broken(body.Schema, "$body").Select(b => call with { Mutation = $"body: {b.How}", Body = b.Value?.ToJsonString(Json) ?? "null" });
        if (slots.Count == 0) return whole;
        var one = from i in Gen.Int[0, slots.Count - 1]
                  from how in Gen.Int[0, 3]
                  from broken in Broken(slots[i].Schema, slots[i].Property ?? "item")
                  select Mutate(call, root!, slots[i], how == 0 && slots[i].Property is not null, broken);
        return Gen.Frequency((1, whole), (5, one));
    }

    private static ApiCall Mutate(ApiCall call, JsonNode root, (JsonNode Container, string? Property, int Index, JsonNode? Schema, bool Required, string Path) slot,
        bool remove, (JsonNode? Value, string How) broken)
    {
        // Work on a copy: the generated valid body stays as it was for the next draw.
        var copy = root.DeepClone();
        var container = Locate(copy, slot.Path);
        if (container is JsonObject obj && slot.Property is not null)
        {
            if (remove) obj.Remove(slot.Property);
            else obj[slot.Property] = broken.Value;
        }
        else if (container is JsonArray array && slot.Index < array.Count) array[slot.Index] = broken.Value;
        var what = remove ? $"{(slot.Required ? "required" : "optional")} property left out" : broken.How;
        return call with { Mutation = $"body {slot.Path}/{slot.Property ?? slot.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)}: {what}", Body = copy.ToJsonString(Json) };
    }

    private static JsonNode? Locate(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part];
        return node;
    }

    private void Slots(JsonNode? node, JsonNode? schema, string path, List<(JsonNode, string?, int, JsonNode?, bool, string)> slots, int depth)
    {
        if (depth > MaxDepth) return;
        var s = NonNull(schema);
        switch (node)
        {
            case JsonObject obj:
                var properties = s?["properties"] as JsonObject;
                var required = (s?["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet();
                foreach (var (name, child) in obj.ToList())
                {
                    var childSchema = properties?[name] ?? s?["additionalProperties"];
                    slots.Add((obj, name, -1, childSchema, required.Contains(name), path));
                    Slots(child, childSchema, $"{path}/{name}", slots, depth + 1);
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    slots.Add((array, null, i, s?["items"], true, path));
                    Slots(array[i], s?["items"], $"{path}/{i}", slots, depth + 1);
                }
                break;
        }
    }

    /// <summary>A value that breaks <paramref name="schema"/> (or the value's plain meaning by its name), with how it breaks it.</summary>
    public Gen<(JsonNode? Value, string How)> Broken(JsonNode? schema, string name, bool inUrl = false)
    {
        var s = NonNull(schema);
        var types = s is null ? [] : TypesOf(s);
        var options = new List<(JsonNode? Value, string How)>
        {
            inUrl
                ? (JsonValue.Create(new string('x', 3_000)), "oversized string (3,000 characters, within the request line limit)")
                : (JsonValue.Create(new string('字', 100_000)), "oversized string (100,000 characters)"),
            (JsonValue.Create(""), "empty string"),
            inUrl ? (JsonValue.Create("%00;'\""), "escaped NUL and quotes") : (JsonValue.Create("\u0000\ud800x"), "control character and lone surrogate"),
            (new JsonObject { ["nested"] = new JsonArray(1, 2) }, "object instead of a value"),
            (JsonValue.Create(-1), "negative number"),
            (JsonValue.Create(2147483648L), "int32 overflow"),
            (JsonValue.Create(-9223372036854775808L), "int64 minimum"),
            (JsonValue.Create(1e308), "1e308"),
            (JsonValue.Create(1.5), "fraction"),
            (JsonValue.Create(true), "boolean"),
            (JsonValue.Create("abc"), "a word where a number may be"),
            (JsonValue.Create("2026-13-45"), "bad date 2026-13-45"),
            (JsonValue.Create("2026-02-30"), "bad date 2026-02-30"),
            (JsonValue.Create("2026/11/01"), "date with slashes"),
            (JsonValue.Create("9999-12-31T25:61:00Z"), "bad date-time"),
            (JsonValue.Create("0001-01-01"), "the first day of year 1"),
            (JsonValue.Create("not-a-known-value"), "unknown enum value"),
            (JsonValue.Create("../../etc/passwd"), "path traversal"),
        };
        if (!types.Contains("null")) options.Add((null, "null"));
        if (types.Contains("array") || s?["items"] is not null)
            options.Add((new JsonArray([.. Enumerable.Range(0, 2000).Select(i => (JsonNode?)JsonValue.Create(i))]), "2,000 items"));
        if (types.Contains("object"))
        {
            options.Add((new JsonArray(), "array instead of an object"));
            options.Add((new JsonObject(), "empty object (required properties missing)"));
        }
        return Gen.Int[0, options.Count - 1].Select(i => (options[i].Value?.DeepClone(), options[i].How));
    }

    // ------------------------------------------------------------------------------------------------------------ schema helpers

    /// <summary>allOf of object schemas as one: every property and every required name of every branch.</summary>
    private JsonObject Merge(JsonArray parts)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var part in parts.Select(p => model.Resolve(p) as JsonObject).OfType<JsonObject>())
        {
            foreach (var (name, schema) in part["properties"]?.AsObject() ?? []) properties[name] = schema?.DeepClone();
            foreach (var name in part["required"]?.AsArray() ?? []) required.Add(name?.DeepClone());
        }
        return new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
    }

    private JsonObject? NonNull(JsonNode? schema)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            var s = model.Resolve(schema) as JsonObject;
            if (s is null) return null;
            var branches = (s["oneOf"] ?? s["anyOf"]) as JsonArray;
            if (branches is null && s["allOf"] is JsonArray { Count: 1 } all) branches = all;
            if (branches is null) return s;
            var real = branches.FirstOrDefault(b => TypesOf(model.Resolve(b)) is not ["null"]);
            if (real is null) return s;
            schema = real;
        }
        return null;
    }

    private static List<string> TypesOf(JsonNode? schema)
    {
        if (schema is not JsonObject s) return [];
        var types = s["type"] switch
        {
            JsonArray names => names.Select(n => (string)n!).ToList(),
            JsonValue one => [(string)one!],
            _ => s.ContainsKey("properties") ? ["object"] : s.ContainsKey("items") ? ["array"] : new List<string>(),
        };
        if (s["nullable"]?.GetValueKind() == JsonValueKind.True) types.Add("null");
        return types;
    }

    private static double? Number(JsonNode? node) => node?.GetValueKind() == JsonValueKind.Number ? node.GetValue<double>() : null;

    private static string Singular(string name) => name.EndsWith('s') ? name[..^1] : name;

    private static string Short(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
