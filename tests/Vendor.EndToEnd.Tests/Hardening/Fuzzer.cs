using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests.Hardening;

/// <summary>Who sends a fuzz request: ops, or the fuzz store's own store or ingest key on the routes it may call.</summary>
public enum FuzzCaller { Ops, Store, Ingest }

/// <summary>One malformed request, complete enough to send again by hand (see <see cref="Describe"/>).</summary>
public sealed record FuzzRequest(int Number, string Route, FuzzCaller Caller, string Mutation, string Method, string PathAndQuery,
    string? ContentType, byte[]? Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string Describe(int seed)
    {
        var text = new StringBuilder();
        text.AppendLine($"request #{Number} of seed {seed} (VENDOR_FUZZ_SEED={seed}), route {Route}, mutation {Mutation}, caller {Caller}");
        text.AppendLine($"  {Method} {Shorten(PathAndQuery, 800)}");
        foreach (var (name, value) in Headers) text.AppendLine($"  {name}: {Shorten(value, 200)}");
        if (ContentType is not null) text.AppendLine($"  Content-Type: {ContentType}");
        if (Body is not null)
        {
            var body = Encoding.UTF8.GetString(Body);
            text.AppendLine($"  body ({Body.Length} bytes): {Shorten(body, 1500)}");
        }
        return text.ToString();
    }

    private static string Shorten(string s, int max) => s.Length <= max ? s : $"{s[..(max / 2)]}…[{s.Length - max} more chars]…{s[^(max / 2)..]}";
}

/// <summary>The ids the fuzz requests aim at (never the seeded data whose answers must stay the same).</summary>
public sealed record FuzzTargets(string StoreId, string AgentId, string Ghost);

/// <summary>
/// Makes malformed requests for the documented routes, deterministically: request n of a seed is always the same request, whatever
/// order they are sent in. Each starts from a plausible request (a body built from the route's schema, plain path and query values)
/// and breaks one thing: the JSON, one field's type, number, string, date or enum value, a missing/null/extra field, the content type,
/// the body, If-Match, a path parameter, the query, the method or the route.
/// </summary>
public sealed class Fuzzer
{
    private const string RawMark = "@@raw";
    private readonly IReadOnlyList<ApiRoute> _routes;
    private readonly int _seed;
    private readonly FuzzTargets _targets;

    public Fuzzer(IReadOnlyList<ApiRoute> routes, int seed, FuzzTargets targets)
    {
        _routes = [.. routes.OrderBy(r => r.Template, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];
        _seed = seed;
        _targets = targets;
    }

    private enum Mutation
    {
        Valid, BrokenJson, WrongType, HugeNumber, HugeString, OddString, BadDate, UnknownEnum, MissingField, NullField, ExtraField, HugeArray,
        WrongContentType, EmptyBody, BadIfMatch, PathTrick, JunkQuery, WrongMethod, UnknownRoute, BodyOnRead,
    }

    // Weights: a body route gets mostly body mutations; a read mostly path and query ones.
    private static readonly (Mutation Mutation, int Weight)[] BodyMix =
    [
        (Mutation.Valid, 3), (Mutation.BrokenJson, 10), (Mutation.WrongType, 12), (Mutation.HugeNumber, 8), (Mutation.HugeString, 4),
        (Mutation.OddString, 6), (Mutation.BadDate, 8), (Mutation.UnknownEnum, 7), (Mutation.MissingField, 6), (Mutation.NullField, 6),
        (Mutation.ExtraField, 4), (Mutation.HugeArray, 2), (Mutation.WrongContentType, 5), (Mutation.EmptyBody, 3), (Mutation.BadIfMatch, 3),
        (Mutation.PathTrick, 6), (Mutation.JunkQuery, 3), (Mutation.WrongMethod, 2), (Mutation.UnknownRoute, 2),
    ];

    private static readonly (Mutation Mutation, int Weight)[] ReadMix =
    [
        (Mutation.Valid, 4), (Mutation.PathTrick, 20), (Mutation.JunkQuery, 20), (Mutation.BadDate, 10), (Mutation.HugeNumber, 8),
        (Mutation.UnknownEnum, 6), (Mutation.HugeString, 4), (Mutation.MissingField, 6), (Mutation.BadIfMatch, 4), (Mutation.BodyOnRead, 4),
        (Mutation.WrongMethod, 5), (Mutation.UnknownRoute, 4),
    ];

    public FuzzRequest Generate(int number)
    {
        var rng = new Random(unchecked(_seed * 7919 + number * 104_729));
        var route = _routes[number % _routes.Count];
        var rule = RouteTable.For(route.Method, route.Template);
        var storeScoped = route.PathParameters.Contains("storeId");
        var caller = storeScoped && rule is not null && rng.Next(100) < (rule.Also.HasFlag(Also.OwnIngest) ? 60 : 30)
            ? rule.Also.HasFlag(Also.OwnStore) ? FuzzCaller.Store : rule.Also.HasFlag(Also.OwnIngest) ? FuzzCaller.Ingest : FuzzCaller.Ops
            : FuzzCaller.Ops;
        var draft = new Draft(route, this);
        var writes = route.Method is "POST" or "PUT" or "PATCH";
        var mutation = Pick(rng, writes ? BodyMix : ReadMix);
        if (mutation == Mutation.PathTrick && route.PathParameters.Count == 0) mutation = Mutation.JunkQuery;
        var detail = Apply(rng, draft, mutation);
        // Now and then a client that prefers something else than JSON (a browser, an XML client): errors are problem+json all the same.
        if (rng.Next(10) == 0)
            draft.Headers.Add(new("Accept", new[] { "text/html", "application/xml", "text/plain", "*/*", "application/json", "image/png" }[rng.Next(6)]));
        return draft.Build(number, caller, $"{mutation}{(detail is null ? "" : ": " + detail)}");
    }

    private static readonly string[] PathSweep =
        ["9999-12-31", "0001-01-01", "%00", new string('a', 4_000), "..", "a%2Fb", "-1", "%E5%BA%97", "9999-12", "0000-01.csv"];

    private static readonly string[] QuerySweep =
        ["", "9999-12-31", "0001-01-01", "9999-12-31T23%3A59%3A59-14%3A00", "0001-01-01T00%3A00%3A00%2B14%3A00", "1e400", "-1", "%00",
         "99999999999", "0", "9999-12", "0000-00"];

    private static readonly string[] SweepValues =
        ["null", "{}", "[]", "\"x\"", "-1", "1e400", "\"\\u0000\"", "\"9999-12-31\"", "99999999999999999999"];

    /// <summary>
    /// Besides the random requests: every field of every route's plausible body (each list element too) set in turn to null, the wrong
    /// type, a huge number, a NUL or the last date, so no field is left to chance. Numbered from <paramref name="first"/>.
    /// </summary>
    public IEnumerable<FuzzRequest> Sweep(int first)
    {
        var number = first;
        foreach (var route in _routes)
        {
            foreach (var name in route.PathParameters)
                foreach (var value in PathSweep)
                {
                    var draft = new Draft(route, this);
                    draft.PathValues[name] = value;
                    yield return draft.Build(number++, FuzzCaller.Ops, $"Sweep: {{{name}}} = {Shorten(value)}");
                }
            foreach (var parameter in route.Query)
                foreach (var value in QuerySweep)
                {
                    var draft = new Draft(route, this);
                    draft.Query.RemoveAll(q => q.Name == parameter.Name);
                    draft.Query.Add((parameter.Name, value));
                    yield return draft.Build(number++, FuzzCaller.Ops, $"Sweep: ?{parameter.Name}={Shorten(value)}");
                }
        }
        foreach (var route in _routes.Where(r => r.Method is "POST" or "PUT" or "PATCH"))
        {
            var slotCount = new Draft(route, this).SlotCount;
            for (var slot = 0; slot < slotCount; slot++)
                foreach (var value in SweepValues)
                {
                    var draft = new Draft(route, this);
                    var what = draft.SetSlot(slot, value);
                    yield return draft.Build(number++, FuzzCaller.Ops, $"Sweep: {what}");
                }
        }
    }

    private static Mutation Pick(Random rng, (Mutation Mutation, int Weight)[] mix)
    {
        var roll = rng.Next(mix.Sum(m => m.Weight));
        foreach (var (mutation, weight) in mix)
        {
            if (roll < weight) return mutation;
            roll -= weight;
        }
        return mix[0].Mutation;
    }

    private string? Apply(Random rng, Draft d, Mutation mutation)
    {
        switch (mutation)
        {
            case Mutation.Valid:
                return null;
            case Mutation.BrokenJson:
                var broken = BrokenJson(rng, d.SerializedBody());
                d.SetRawBody(broken);
                return Shorten(broken);
            case Mutation.WrongType:
                return d.MutateSlot(rng, _ => true, slot =>
                {
                    var current = slot.Value?.GetValueKind();
                    var options = WrongTypes.Where(w => w.Kind != current).ToArray();
                    var pick = options[rng.Next(options.Length)];
                    slot.Value = JsonNode.Parse(pick.Json);
                    return $"{slot.Name} = {pick.Json}";
                });
            case Mutation.HugeNumber:
                if (d.HasBodySlots && rng.Next(3) > 0)
                    return d.MutateSlot(rng, s => IsNumeric(d, s) || rng.Next(3) == 0, slot =>
                    {
                        var raw = HugeNumbers[rng.Next(HugeNumbers.Length)];
                        d.SetRaw(slot, raw);
                        return $"{slot.Name} = {raw}";
                    });
                return d.MutateQueryOrPath(rng, QueryNumbers[rng.Next(QueryNumbers.Length)]);
            case Mutation.HugeString:
                if (d.HasBodySlots && rng.Next(4) > 0)
                {
                    var length = rng.Next(10) switch { < 4 => 1_000, < 7 => 10_000, < 9 => 100_000, _ => 900_000 };
                    // CJK and control characters are escaped as \uXXXX (6 bytes each): long ones are plain ASCII, to stay near 1 MB.
                    return d.MutateSlot(rng, s => s.Value?.GetValueKind() == JsonValueKind.String || rng.Next(4) == 0, slot =>
                    {
                        slot.Value = JsonValue.Create(length >= 100_000 ? new string('a', length) : LongText(rng, length));
                        return $"{slot.Name} = {length} chars";
                    });
                }
                // Kestrel takes a request line of up to 8 KB: long, but within it once percent-encoded.
                return d.MutateQueryOrPath(rng, rng.Next(3) switch
                {
                    0 => new string('a', 4_000),
                    1 => LongText(rng, 600),
                    _ => string.Concat(Enumerable.Repeat("ab-12 ", 500)),
                }, encode: true);
            case Mutation.OddString:
                return d.MutateSlot(rng, s => s.Value?.GetValueKind() == JsonValueKind.String || rng.Next(3) == 0, slot =>
                {
                    var raw = OddStrings[rng.Next(OddStrings.Length)];
                    d.SetRaw(slot, raw);
                    return $"{slot.Name} = {raw}";
                });
            case Mutation.BadDate:
                {
                    var value = BadDates[rng.Next(BadDates.Length)];
                    if (d.HasBodySlots && rng.Next(4) > 0)
                        return d.MutateSlot(rng, s => IsDateLike(d, s) || rng.Next(5) == 0, slot =>
                        {
                            d.SetRaw(slot, value);
                            return $"{slot.Name} = {value}";
                        });
                    return d.MutateQueryOrPath(rng, value.Trim('"'), encode: true, prefer: n => IsDateName(n));
                }
            case Mutation.UnknownEnum:
                {
                    if (d.HasBodySlots && rng.Next(4) > 0)
                        return d.MutateSlot(rng, s => IsEnumLike(d, s) || rng.Next(5) == 0, slot =>
                        {
                            var raw = EnumJunk(rng, slot.Value);
                            d.SetRaw(slot, raw);
                            return $"{slot.Name} = {raw}";
                        });
                    var junk = new[] { "unknown", "ALL", "open,closed", "0", "99", "-1", "Open", " open", "null" }[rng.Next(9)];
                    return d.MutateQueryOrPath(rng, junk, encode: true, prefer: n => n is "status" or "kind" or "skill" or "inspector" or "team");
                }
            case Mutation.MissingField:
                if (d.HasBodySlots && rng.Next(5) > 0)
                {
                    if (rng.Next(6) == 0)
                    {
                        d.SetRawBody(d.Body is JsonArray ? "[]" : "{}");
                        return "every field";
                    }
                    return d.MutateSlot(rng, _ => true, slot =>
                    {
                        slot.Remove();
                        return $"without {slot.Name}";
                    });
                }
                return d.DropQuery(rng);
            case Mutation.NullField:
                if (rng.Next(8) == 0)
                {
                    d.SetRawBody("null");
                    return "body null";
                }
                return d.MutateSlot(rng, _ => true, slot =>
                {
                    slot.Value = null;
                    return $"{slot.Name} = null";
                });
            case Mutation.ExtraField:
                return ExtraField(rng, d);
            case Mutation.HugeArray:
                return d.MutateSlot(rng, s => s.Value is JsonArray || rng.Next(4) == 0, slot =>
                {
                    var element = slot.Value is JsonArray { Count: > 0 } a ? a[0] : slot.Value;
                    var count = rng.Next(2) == 0 ? 1_001 : 10_000;
                    var array = new JsonArray();
                    for (var i = 0; i < count; i++) array.Add(element?.DeepClone());
                    slot.Value = array;
                    return $"{slot.Name} = [{count} × {Shorten(element?.ToJsonString() ?? "null")}]";
                });
            case Mutation.WrongContentType:
                {
                    var (type, body) = WrongContentTypes[rng.Next(WrongContentTypes.Length)];
                    if (body is not null) d.SetRawBody(body);
                    d.ContentType = type;
                    return type ?? "no Content-Type";
                }
            case Mutation.EmptyBody:
                d.SetRawBody("");
                return "empty body";
            case Mutation.BadIfMatch:
                {
                    var value = IfMatches[rng.Next(IfMatches.Length)];
                    d.Headers.Add(new("If-Match", value));
                    return value;
                }
            case Mutation.PathTrick:
                {
                    var name = d.Route.PathParameters[rng.Next(d.Route.PathParameters.Count)];
                    var tricks = PathTricks(rng);
                    var value = tricks[rng.Next(tricks.Length)];
                    d.PathValues[name] = value;
                    return $"{{{name}}} = {Shorten(value)}";
                }
            case Mutation.JunkQuery:
                return JunkQuery(rng, d);
            case Mutation.WrongMethod:
                {
                    var documented = _routes.Where(r => r.Template == d.Route.Template).Select(r => r.Method).ToHashSet();
                    var others = new[] { "GET", "POST", "PUT", "PATCH", "DELETE" }.Where(m => !documented.Contains(m)).ToArray();
                    if (others.Length == 0) return Apply(rng, d, Mutation.UnknownRoute);
                    d.Method = others[rng.Next(others.Length)];
                    return d.Method;
                }
            case Mutation.UnknownRoute:
                {
                    var suffix = new[] { "/nope", "/x/y/z", "/.well-known", "/%2e%2e/%2e%2e/nope", "/%7Bid%7D", "/0", "/%00", "//" }[rng.Next(8)];
                    d.Suffix = suffix;
                    return suffix;
                }
            case Mutation.BodyOnRead:
                d.SetRawBody(BrokenJson(rng, "{\"storeId\":\"" + _targets.Ghost + "\"}"));
                d.ContentType = "application/json";
                return "a body on a read";
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------------------------------------------- the nasty values

    private static readonly (JsonValueKind Kind, string Json)[] WrongTypes =
    [
        (JsonValueKind.Number, "123"), (JsonValueKind.Number, "-1"), (JsonValueKind.Number, "1.5"), (JsonValueKind.True, "true"),
        (JsonValueKind.False, "false"), (JsonValueKind.String, "\"text\""), (JsonValueKind.String, "\"1\""), (JsonValueKind.String, "\"true\""),
        (JsonValueKind.Array, "[]"), (JsonValueKind.Array, "[1,\"a\",null]"), (JsonValueKind.Object, "{}"), (JsonValueKind.Object, "{\"a\":{\"b\":1}}"),
        (JsonValueKind.Null, "null"),
    ];

    private static readonly string[] HugeNumbers =
    [
        "1e400", "-1e400", "1E+400", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "2147483648", "-2147483649", "79228162514264337593543950336", "123456789012345678901234567890123456789012345678901234567890",
        "1.7976931348623157e308", "4.9e-324", "1e-400", "-0", "-0.0", "0.1e1", "1.0000000000000000000000001", "\"NaN\"", "\"Infinity\"",
        "\"-Infinity\"", "\"1e400\"", "\"9223372036854775808\"", "\"0x10\"", "\"1_000\"", "00012", "+1", ".5", "1.", "NaN", "Infinity", "0x10",
    ];

    private static readonly string[] QueryNumbers =
    [
        "1e400", "9223372036854775808", "-9223372036854775809", "2147483648", "-2147483649", "NaN", "Infinity", "-0", "1.5", "0x10", "1,5",
        "%2B1", "%E2%88%9E", "99999999999999999999999999999999", "-1", "0",
    ];

    private static readonly string[] OddStrings =
    [
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\uFFFE\\uFFFF\"", "\"\\u202Eevil\"", "\"\\u0007\\u001b[31m\"",
        "\"' OR 1=1 --\"", "\"'; DROP TABLE mt_events; --\"", "\"<script>alert(1)</script>\"", "\"../../etc/passwd\"", "\"${jndi:ldap://x}\"",
        "\"\\r\\nX-Injected: 1\"", "\"   \"", "\"\"", "\"🙂🙂🙂\"", "\"店铺\\t名\"", "\"%00%2F..\"", "\"{{7*7}}\"", "\"\\\\\"", "\"\\/\"",
        "\"a\\u0000\\u0000\\u0000\"", "\"\\u00e9\\u0301\"", "\"\\uD83D\"",
    ];

    private static readonly string[] BadDates =
    [
        "\"2026-02-30\"", "\"2026-13-01\"", "\"2026-00-10\"", "\"0000-01-01\"", "\"0001-01-01\"", "\"9999-12-31\"", "\"10000-01-01\"",
        "\"-0001-01-01\"", "\"2026-1-1\"", "\"20261101\"", "\"2026/11/01\"", "\"2026-11-01T25:00:00Z\"", "\"2026-11-01T10:00:00\"",
        "\"2026-11-01T10:00:00+24:00\"", "\"2026-11-01T10:00:00+14:01\"", "\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59-14:00\"",
        "\"24:00\"", "\"23:60\"", "\"9:00\"", "\"09:00:00.0000001\"", "\"-01:00\"", "\"25:00\"", "\"2026-11\"", "\"2026-W47\"", "\"now\"",
        "\"\"", "\" \"", "\"1e10\"", "1700000000", "-62135596801", "\"Mars/Olympus\"", "\"UTC+8\"", "\"Asia/Shanghai/../../etc\"",
        "\"2026-11-01T10:00:00+08:00[Asia/Shanghai]\"", "\"2026-00\"", "\"2026-13\"", "\"0000-00\"", "\"9999-99\"", "\"2026-H3\"", "\"2026-H0\"",
        "\"99999-H1\"", "\"1899-12-31\"", "\"2101-01-01\"", "\"2026-11-01T10:00:00.123456789+08:00\"", "\"P1D\"", "\"12:00 PM\"",
    ];

    private static readonly string[] IfMatches =
    [
        "abc", "\"abc\"", "W/\"-1\"", "\"-1\"", "\"99999999999999999999\"", "\"9223372036854775807\"", "\"1\", \"2\"", "\"\"", "*, \"1\"",
        "\"-9223372036854775808\"", "W/", "\"0\"", "W/\"1\"", "\"1", "1\"", "\"1e3\"", "\"0x1\"",
    ];

    private static readonly (string? Type, string? Body)[] WrongContentTypes =
    [
        ("text/plain", null), ("application/xml", "<store><storeId>x</storeId></store>"), ("application/x-www-form-urlencoded", "storeId=x&name=y"),
        ("multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--zz--\r\n"), (null, null),
        ("application/json; charset=utf-16", null), ("application/json; charset=nonsense", null), ("application/json; charset=\"\"", null),
        ("application/jsonx", null), ("*/*", null), ("application/problem+json", null), ("application/json;;", null), ("json", null),
        ("application/json; charset=iso-8859-1", null), ("text/json", null), ("application/octet-stream", null),
    ];

    private static string[] PathTricks(Random rng) =>
    [
        "..", ".", "%2e%2e", "%2E%2E%2F%2E%2E", "..%2F..%2F..%2Fapi%2Fkeys", "a%2Fb", "%252F", "%25", "%", "%zz", "%00", "a%00b", "%0D%0AX-Injected:%201",
        new string('a', rng.Next(2) == 0 ? 65 : 4_000), string.Concat(Enumerable.Repeat("%E5%BA%97", 500)), "%E5%BA%97%E9%93%BA", "%F0%9F%98%80", "%E2%80%AE", "%C0%AE%C0%AE", "%FF%FE", "~", "-", "_",
        "%20", "+", "a;b", "%3F", "%23", "%7BstoreId%7D", "null", "undefined", "-1", "0", "9223372036854775808", "1e400", "2026-02-30", "2026-13",
        "2026-11.csv.csv", ".csv", "2026-11.CSV", "2026-11.json", "0000-00", "9999-12", "%E2%80%8B", "fz-t1.", "FZ-T1", "%2e", "*", "$", "%5C..%5C",
    ];

    private static string LongText(Random rng, int length)
    {
        var unit = rng.Next(3) switch { 0 => "a", 1 => "客服外包店铺", _ => "abc-123 x\ny\t🙂 " };
        var text = new StringBuilder(length + unit.Length);
        while (text.Length < length) text.Append(unit);
        text.Length = length;
        if (char.IsHighSurrogate(text[^1])) text[^1] = '.';
        return text.ToString();
    }

    private static string BrokenJson(Random rng, string valid)
    {
        var cut = valid.Length > 2 ? valid[..rng.Next(1, valid.Length - 1)] : "{";
        return rng.Next(22) switch
        {
            0 => cut,
            1 => "{",
            2 => "[",
            3 => "{\"a\":",
            4 => "}",
            5 => "nul",
            6 => valid.TrimEnd('}', ']') + ",}",
            7 => "// comment\n" + valid,
            8 => valid.Replace('"', '\''),
            9 => "{\"a\":NaN}",
            10 => "\uFEFF" + valid,
            11 => new string('[', 5_000) + new string(']', 5_000),
            12 => string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200),
            13 => "\"just a string\"",
            14 => "123",
            15 => "true",
            16 => valid + valid,
            17 => valid + "garbage",
            18 => valid.Length > 3 ? valid.Remove(rng.Next(valid.Length), 1) : "{]",
            19 => "{\"storeId\":\"a\",\"storeId\":\"b\",\"storeId\":\"c\"}",
            20 => "{\"a\":\"unterminated",
            _ => "{\"a\":\"\\x41\"}",
        };
    }

    private static string EnumJunk(Random rng, JsonNode? current)
    {
        var text = current?.GetValueKind() == JsonValueKind.String ? current.GetValue<string>() : "value";
        return rng.Next(12) switch
        {
            0 => "\"unknown\"",
            1 => JsonSerializer.Serialize(text.ToUpperInvariant()),
            2 => JsonSerializer.Serialize(" " + text + " "),
            3 => "0",
            4 => "99",
            5 => "-1",
            6 => "\"0\"",
            7 => "\"99\"",
            8 => JsonSerializer.Serialize(text + "s"),
            9 => "\"\"",
            10 => "2147483647",
            _ => "[\"" + text + "\"]",
        };
    }

    private string ExtraField(Random rng, Draft d)
    {
        var extras = new (string Name, string Json)[]
        {
            ("storeId", $"\"{_targets.Ghost}\""), ("StoreId", $"\"{_targets.Ghost}\""), ("__proto__", "{\"admin\":true}"), ("$type", "\"System.IO.FileInfo, System.IO\""),
            ("$id", "\"1\""), ("$ref", "\"#/x\""), ("role", "\"ops\""), ("keyId", "\"ops-bootstrap\""), ("id", "9223372036854775808"), ("", "\"empty\""),
            ("version", "-1"), ("constructor", "{}"), ("extra", "[" + string.Join(',', Enumerable.Repeat("1", 5_000)) + "]"),
        };
        var (name, json) = extras[rng.Next(extras.Length)];
        if (d.Body is JsonObject obj)
        {
            var many = rng.Next(10) == 0;
            if (many)
            {
                for (var i = 0; i < 2_000; i++) obj[$"extra{i}"] = i;
                return "2000 extra fields";
            }
            obj[name] = JsonNode.Parse(json);
            return $"{name} = {Shorten(json)}";
        }
        d.SetRawBody($"{{\"{name}\":{json},\"items\":{d.SerializedBody()}}}");
        return $"wrapped with {name}";
    }

    private static string JunkQuery(Random rng, Draft d)
    {
        string[] values =
        [
            "", "%00", "%FF", "%", "%zz", "1e400", "-1", "9223372036854775808", "NaN", "true", "%5B%5D", "%7B%7D", "2026-02-30", "%E5%BA%97",
            new string('q', 2_500), "a%26b%3Dc", "%0D%0A", "..%2F..%2F", "null", "undefined", "%27%20OR%201%3D1--",
        ];
        var names = d.Route.Query.Select(p => p.Name).DefaultIfEmpty("junk").ToArray();
        var count = rng.Next(1, 4);
        var parts = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = rng.Next(5) == 0 ? new[] { "junk", "storeId", "limit", "%00", "a[]", "" }[rng.Next(6)] : names[rng.Next(names.Length)];
            var value = values[rng.Next(values.Length)];
            d.Query.RemoveAll(q => q.Name == name && rng.Next(2) == 0);
            d.Query.Add((name, value));
            parts.Add($"{name}={Shorten(value)}");
        }
        return string.Join('&', parts);
    }

    // ------------------------------------------------------------------------------------------------------------- field kinds

    private static bool IsNumeric(Draft d, JsonSlot slot) =>
        slot.Value?.GetValueKind() == JsonValueKind.Number
        || slot.Schema is { } s && d.Samples.Schemas.TypeOf(s) is "integer" or "number";

    private static bool IsDateName(string name) =>
        name is "date" or "month" or "from" or "to" or "at" or "start" or "end" or "period" or "timeZone" or "effectiveFrom"
        || name.EndsWith("On", StringComparison.Ordinal) || name.EndsWith("At", StringComparison.Ordinal) || name.EndsWith("Date", StringComparison.Ordinal)
        || name.EndsWith("days", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Workday", StringComparison.Ordinal) || name == "holiday";

    private static bool IsDateLike(Draft d, JsonSlot slot) =>
        IsDateName(slot.Name) || slot.Schema is { } s && OpenApiSchemas.FormatOf(d.Samples.Schemas.NonNull(s)) is "date" or "date-time" or "time";

    private static bool IsEnumLike(Draft d, JsonSlot slot) =>
        slot.Name is "kind" or "severity" or "rating" or "platform" or "status" or "outcome" or "skill" or "metric" or "minSeverity" or "role"
            or "channel" or "from" or "currency" or "kpi" or "tier" or "category" or "skills"
        || slot.Schema is { } s && d.Samples.Schemas.EnumOf(s).Count > 0;

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..40] + $"…({s.Length} chars)";

    // --------------------------------------------------------------------------------------------------------- sample requests

    /// <summary>A plausible value by field name, where the schema alone would not give one the services accept.</summary>
    private JsonNode? Hint(ApiRoute route, string name, JsonElement? schema)
    {
        var format = schema is { } s ? OpenApiSchemas.FormatOf(route.Schemas.NonNull(s)) : null;
        if (format is "time") return null;
        if (format is "date-time")
            return name switch
            {
                "from" => "2026-12-14T09:00:00+08:00",
                "to" => "2026-12-14T18:00:00+08:00",
                _ => null,
            };
        var hinted = HintByName(route, name);
        if (format is "date" && hinted?.GetValueKind() == JsonValueKind.String && hinted.GetValue<string>().Length != 10) return null;
        // A hint only where it fits the documented type ("scores" holds objects, not the "score" number).
        var type = schema is { } t ? route.Schemas.TypeOf(route.Schemas.NonNull(t)) : null;
        var kind = hinted?.GetValueKind();
        return type switch
        {
            null => hinted,
            "object" => kind == JsonValueKind.Object ? hinted : null,
            "array" => kind == JsonValueKind.Array ? hinted : null,
            "string" => kind == JsonValueKind.String ? hinted : null,
            "integer" or "number" => kind == JsonValueKind.Number ? hinted : null,
            _ => hinted,
        };
    }

    private JsonNode? HintByName(ApiRoute route, string name)
    {
        return name switch
        {
            "storeId" => _targets.StoreId,
            "storeIds" => new JsonArray(_targets.StoreId),
            "agentId" => _targets.AgentId,
            "agentIds" => new JsonArray(_targets.AgentId),
            "inspectorId" => "fz-qc",
            "inspectorIds" => new JsonArray("fz-qc", "fz-qc2"),
            "conversationId" => "fz-c1",
            "timeZone" => "Asia/Shanghai",
            "platform" => "jd",
            "currency" => "CNY",
            "channel" => "chat",
            "severity" => "normal",
            "minSeverity" => "warning",
            "rating" => "satisfied",
            "skill" => "presales",
            "skills" => new JsonArray("presales"),
            "metric" => "missedRate",
            "outcome" => "upheld",
            "role" => "store",
            "kind" => route.Template switch
            {
                var t when t.Contains("articles") || t.Contains("proposals") => "quickReply",
                var t when t.Contains("absences") => "sick",
                var t when t.Contains("alert-channels") => "webhook",
                _ => "complaint",
            },
            "hiredOn" or "leftOn" or "startsOn" or "effectiveOn" or "effectiveFrom" => "2026-12-01",
            "endsOn" => "2027-12-31",
            "date" => "2026-12-14",
            "month" => "2026-11",
            "period" => "2026-H2",
            "start" => "09:00",
            "end" => "17:00",
            "url" => "http://127.0.0.1:9/hook",
            "secret" => "SEC-fuzz",
            "code" => "hotline-etiquette",
            "category" => "productKnowledge",
            "common" => new JsonArray("platform-rules"),
            "bySkill" => new JsonObject { ["presales"] = new JsonArray("presales-conversion") },
            "kpi" => "qcScore",
            "holidays" => new JsonArray("2027-02-17"),
            "makeUpWorkdays" => new JsonArray(),
            // A course the kept agent has not done: a requirement the fuzz defines must not certify it anywhere.
            "courses" => new JsonArray("hotline-etiquette"),
            "exam" => "onboarding-exam",
            "team" => "fz-team",
            "leadId" => "fz-lead",
            "seed" => "fz-seed",
            "shortcut" => "/fz",
            "openDays" => new JsonArray(1, 2, 3, 4, 5),
            "score" => 80,
            "points" => 10,
            "weight" => 10,
            "passMark" => 60,
            "multiplier" => 1.5,
            "randomShare" => 0.05,
            "target" => 0.9,
            "floor" => 0,
            "allocationPercent" => 30,
            "monthlyFee" => 1000,
            "atRiskPercent" => 10,
            "slowThresholdSeconds" => 180,
            "criticalHours" => 4,
            "normalHours" => 48,
            "name" or "title" or "text" or "body" or "reason" or "comment" or "note" or "talkNotes" or "action" or "displayName" => "fz 测试 文本",
            _ => null,
        };
    }

    /// <summary>Bodies the documents cannot describe: routes that read their body themselves.</summary>
    private JsonNode? Override(ApiRoute route) => route.Key switch
    {
        "POST /api/sla/stores/{storeId}/conversations" => JsonNode.Parse($$"""
            {"conversations":[{"conversationId":"fz-c1","channel":"chat","kind":"presales","resolved":true,"rating":"satisfied",
              "orderPaidAt":"2026-11-17T20:15:00+08:00",
              "messages":[{"at":"2026-11-16T09:00:05+08:00","from":"customer","text":"在吗？"},
                          {"at":"2026-11-16T09:01:10+08:00","from":"agent","agentId":"{{_targets.AgentId}}","text":"亲，在的"}]}]}
            """),
        "PUT /api/staffing/stores/{storeId}/roster/{date}" => JsonNode.Parse($$"""
            [{"agentId":"{{_targets.AgentId}}","start":"09:00","end":"17:00","skill":"presales"}]
            """),
        _ => null,
    };

    /// <summary>A path or query value by parameter name, aimed at the fuzz targets.</summary>
    private string PlainValue(string name) => name switch
    {
        "storeId" => _targets.StoreId,
        "agentId" => _targets.AgentId,
        _ => PlatformRoutes.PlainValue(name),
    };

    /// <summary>A request being built: plausible first, then broken in one place.</summary>
    private sealed class Draft
    {
        private readonly Fuzzer _fuzzer;
        private readonly Dictionary<string, string> _raw = [];
        private string? _rawBody;

        public Draft(ApiRoute route, Fuzzer fuzzer)
        {
            _fuzzer = fuzzer;
            Route = route;
            Method = route.Method;
            Samples = new SchemaSamples(route.Schemas, (name, schema) => fuzzer.Hint(route, name, schema));
            foreach (var name in route.PathParameters) PathValues[name] = Uri.EscapeDataString(fuzzer.PlainValue(name));
            foreach (var p in route.Query)
                if (p.Required || fuzzer.PlainValue(p.Name) != $"x-{p.Name}")
                    Query.Add((p.Name, Uri.EscapeDataString(fuzzer.PlainValue(p.Name))));
            var writes = route.Method is "POST" or "PUT" or "PATCH";
            Body = fuzzer.Override(route) ?? (route.BodySchema is { } schema ? Samples.Build(schema, SchemaSamples.Root) : writes ? new JsonObject() : null);
            if (Body is not null) ContentType = "application/json";
        }

        public ApiRoute Route { get; }
        public SchemaSamples Samples { get; }
        public string Method { get; set; }
        public Dictionary<string, string> PathValues { get; } = [];
        public List<(string Name, string Value)> Query { get; } = [];
        public JsonNode? Body { get; private set; }
        public string? ContentType { get; set; }
        public string Suffix { get; set; } = "";
        public List<KeyValuePair<string, string>> Headers { get; } = [];

        public bool HasBodySlots => _rawBody is null && Samples.Slots(Body, Route.BodySchema).Count > 0;

        public int SlotCount => _rawBody is null ? Samples.Slots(Body, Route.BodySchema).Count : 0;

        public string SetSlot(int index, string rawJson)
        {
            var slot = Samples.Slots(Body, Route.BodySchema)[index];
            SetRaw(slot, rawJson);
            return $"{slot.Name} = {rawJson}";
        }

        public void SetRawBody(string body)
        {
            _rawBody = body;
            ContentType ??= "application/json";
        }

        public void SetRaw(JsonSlot slot, string rawJson)
        {
            var mark = $"{RawMark}{_raw.Count}@@";
            _raw[mark] = rawJson;
            slot.Value = JsonValue.Create(mark);
        }

        /// <summary>Applies <paramref name="change"/> to a random slot that <paramref name="fits"/> (any slot when none does, or the whole body).</summary>
        public string MutateSlot(Random rng, Func<JsonSlot, bool> fits, Func<JsonSlot, string> change)
        {
            var slots = _rawBody is null ? Samples.Slots(Body, Route.BodySchema) : [];
            if (slots.Count == 0)
            {
                // No field to pick: the whole body is the field.
                var root = new JsonObject { ["value"] = Body?.DeepClone() };
                var what = change(new JsonSlot(root, "value", -1, SchemaSamples.Root, Route.BodySchema));
                if (!root.ContainsKey("value"))
                {
                    SetRawBody("");
                    return what;
                }
                var json = root.ToJsonString();
                foreach (var (mark, raw) in _raw) json = json.Replace($"\"{mark}\"", raw, StringComparison.Ordinal);
                SetRawBody(json["{\"value\":".Length..^1]);
                return what;
            }
            var fitting = slots.Where(fits).ToList();
            var pool = fitting.Count > 0 ? fitting : slots;
            return change(pool[rng.Next(pool.Count)]);
        }

        /// <summary>Puts <paramref name="value"/> into a query parameter (preferring names <paramref name="prefer"/> accepts) or a path parameter.</summary>
        public string MutateQueryOrPath(Random rng, string value, bool encode = false, Func<string, bool>? prefer = null)
        {
            var encoded = encode ? Uri.EscapeDataString(value) : value;
            var names = Route.Query.Select(p => p.Name).ToList();
            var preferred = names.Where(prefer ?? (_ => true)).ToList();
            if (preferred.Count > 0 || (names.Count > 0 && rng.Next(2) == 0))
            {
                var name = (preferred.Count > 0 ? preferred : names)[rng.Next(preferred.Count > 0 ? preferred.Count : names.Count)];
                Query.RemoveAll(q => q.Name == name);
                Query.Add((name, encoded));
                return $"?{name}={Shorten(value)}";
            }
            if (Route.PathParameters.Count > 0)
            {
                var pathPreferred = Route.PathParameters.Where(prefer ?? (_ => true)).ToList();
                var pool = pathPreferred.Count > 0 ? pathPreferred : Route.PathParameters.ToList();
                var name = pool[rng.Next(pool.Count)];
                PathValues[name] = encoded;
                return $"{{{name}}} = {Shorten(value)}";
            }
            Query.Add(("junk", encoded));
            return $"?junk={Shorten(value)}";
        }

        public string DropQuery(Random rng)
        {
            if (Query.Count == 0)
            {
                Query.Add(("unexpected", ""));
                return "an unexpected empty parameter";
            }
            var dropped = Query[rng.Next(Query.Count)];
            Query.Remove(dropped);
            return $"without ?{dropped.Name}";
        }

        public string SerializedBody()
        {
            if (_rawBody is not null) return _rawBody;
            if (Body is null) return "{}";
            var json = Body.ToJsonString();
            foreach (var (mark, raw) in _raw) json = json.Replace($"\"{mark}\"", raw, StringComparison.Ordinal);
            return json;
        }

        public FuzzRequest Build(int number, FuzzCaller caller, string mutation)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(Route.Template, @"\{([^}]+)\}", m => PathValues[m.Groups[1].Value]) + Suffix;
            var query = Query.Count == 0 ? "" : "?" + string.Join('&', Query.Select(q => $"{q.Name}={q.Value}"));
            byte[]? body = null;
            if (_rawBody is not null || Body is not null) body = Encoding.UTF8.GetBytes(SerializedBody());
            // Within the gateway's body limits (5 MiB for ingestion, about 1 MB elsewhere): a larger body is refused by the server
            // mid-upload, which tests the transport, not the API. A body cut short is one more kind of broken JSON.
            var limit = Route.Key == "POST /api/sla/stores/{storeId}/conversations" ? 5_000_000 : 1_000_000;
            if (body is { Length: > 0 } && body.Length > limit) body = body[..limit];
            return new FuzzRequest(number, Route.Key, caller, mutation, Method, path + query, body is null ? null : ContentType, body, Headers);
        }
    }
}
