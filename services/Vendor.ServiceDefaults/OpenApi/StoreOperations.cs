using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Vendor.ServiceDefaults.OpenApi;

/// <summary>
/// Per operation of the store document: parameter texts and examples, body examples, the answers the gateway gives before the service
/// is reached (401, 403, 429, and 413 and 415 for bodies), every problem answer described by its codes with an example, response headers.
/// </summary>
internal static class StoreOperations
{
    public const string ProblemJson = "application/problem+json";

    public static Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var json = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        JsonNode? Node(object? value) => value is null ? null : JsonSerializer.SerializeToNode(value, value.GetType(), json);

        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
            if ((context.Metadata<ParameterDoc>().LastOrDefault(d => d.Name == parameter.Name)
                 ?? (parameter.Name == StoreApi.StoreIdParameter.Name ? StoreApi.StoreIdParameter : null)) is { } doc)
            {
                parameter.Description = doc.Description;
                parameter.Example = ParameterExample(parameter, doc.Example);
            }

        var bodyType = context.Description.ParameterDescriptions.FirstOrDefault(p => p.Source == BindingSource.Body)?.Type;
        foreach (var (_, media) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
            media.Example ??= Node(StoreApi.ExampleOf(bodyType));

        operation.Responses ??= new OpenApiResponses();
        var gateway = new List<int> { 401, 403, 429 };
        // A body too large (the gateway's limit) or not JSON (the service refuses any other content type).
        if (operation.RequestBody is not null) gateway.AddRange([413, 415]);
        foreach (var status in gateway.Where(s => !operation.Responses.ContainsKey(s.ToString())))
            operation.Responses[status.ToString()] = new OpenApiResponse
            {
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemJson] = new() { Schema = new OpenApiSchemaReference(StoreApi.ProblemSchema, context.Document) },
                },
            };

        foreach (var (key, answer) in operation.Responses)
        {
            if (answer is not OpenApiResponse response || !int.TryParse(key, out var status)) continue;
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            foreach (var header in RateLimitHeaders()) response.Headers[header.Key] = header.Value;
            foreach (var doc in context.Metadata<ResponseHeaderDoc>().Where(h => h.Status == status))
                response.Headers[doc.Name] = Header(doc.Description, doc.Example);
            if (status >= 400)
            {
                var validation = context.Description.SupportedResponseTypes.Any(r => r.StatusCode == status && r.Type == typeof(HttpValidationProblemDetails));
                var codes = ProblemCodes(status, validation, ReadByFramework(operation), context.Metadata<ProblemCodesDoc>());
                response.Description = ProblemText(status, codes);
                if (status == 429) response.Headers["Retry-After"] = Header("重试前需等待的秒数。 / Seconds to wait before retrying.", 1, JsonSchemaType.Integer);
                foreach (var (_, media) in response.Content ?? new Dictionary<string, OpenApiMediaType>())
                    media.Example ??= ProblemExample(codes[0], status);
                continue;
            }
            if (!HasCjk(response.Description)) response.Description = SuccessText(status, response.Description);
            var type = context.Description.SupportedResponseTypes.FirstOrDefault(r => r.StatusCode == status)?.Type;
            foreach (var (contentType, media) in response.Content ?? new Dictionary<string, OpenApiMediaType>())
            {
                if (context.Metadata<ContentExampleDoc>().FirstOrDefault(e => e.Status == status && e.ContentType == contentType) is { } example)
                {
                    media.Example ??= JsonValue.Create(example.Example);
                    media.Schema = new OpenApiSchema { Type = JsonSchemaType.String };
                }
                else if (contentType.Contains("json", StringComparison.OrdinalIgnoreCase)) media.Example ??= Node(StoreApi.ExampleOf(type));
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The example in the parameter's own JSON type (a number for an integer parameter).</summary>
    private static JsonNode? ParameterExample(OpenApiParameter parameter, string example)
    {
        var type = parameter.Schema?.Type ?? JsonSchemaType.String;
        if (type.HasFlag(JsonSchemaType.Integer) && long.TryParse(example, out var whole)) return JsonValue.Create(whole);
        if (type.HasFlag(JsonSchemaType.Number) && double.TryParse(example, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(example);
    }

    private static IReadOnlyList<string> ProblemCodes(int status, bool validation, bool readByFramework, IEnumerable<ProblemCodesDoc> declared)
    {
        var codes = new List<string>();
        codes.AddRange(declared.Where(d => d.Status == status).SelectMany(d => d.Codes));
        codes.Add(validation && status == 400 ? ProblemCatalogue.ValidationFailed : ProblemCatalogue.ForStatus(status));
        // A body that is not JSON of the right shape, or a number parameter that is not a number, is refused before the endpoint
        // runs: bad-request, beside the endpoint's own validation-failed.
        if (status == 400 && readByFramework) codes.Add(ProblemCatalogue.BadRequest);
        return codes.Distinct().ToList();
    }

    /// <summary>The framework parses something of the request before the endpoint sees it: a JSON body or a non-string parameter.</summary>
    private static bool ReadByFramework(OpenApiOperation operation) =>
        operation.RequestBody is not null
        || (operation.Parameters ?? []).Any(p => p.Schema?.Type is { } type && !type.HasFlag(JsonSchemaType.String));

    /// <summary>"无权访问 / Forbidden" and one line per code with its explanation in both languages.</summary>
    internal static string ProblemText(int status, IReadOnlyList<string> codes)
    {
        var head = ProblemCatalogue.Find(ProblemCatalogue.ForStatus(status))!;
        var lines = codes.Select(ProblemCatalogue.Find).OfType<ProblemType>()
            .Select(p => $"- `{p.Code}`（{p.TitleZh}）：{p.DescriptionZh} / {p.DescriptionEn}");
        return $"{head.TitleZh} / {head.TitleEn}（problem+json，按 `code` 区分 / tell cases apart by `code`）：\n\n{string.Join('\n', lines)}";
    }

    internal static JsonNode ProblemExample(string code, int status)
    {
        var p = ProblemCatalogue.Find(code)!;
        var example = new JsonObject
        {
            ["type"] = p.Type,
            ["title"] = p.TitleEn,
            ["status"] = status,
            ["detail"] = p.DescriptionEn,
            ["code"] = p.Code,
            ["traceId"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        };
        if (code == ProblemCatalogue.ValidationFailed)
            example["errors"] = new JsonObject { ["from"] = new JsonArray("yyyy-MM-dd, on or before 'to'.") };
        return example;
    }

    private static string SuccessText(int status, string? english) => status switch
    {
        200 => "成功。 / OK.",
        201 => "已创建。 / Created.",
        202 => "已接受。 / Accepted.",
        204 => "成功，无正文。 / Done, no body.",
        304 => "未修改：使用缓存的副本。 / Not modified: use the cached copy.",
        _ => $"成功。 / {english ?? "Success"}.",
    };

    internal static bool HasCjk(string? text) => text is not null && text.Any(c => c is >= '\u4e00' and <= '\u9fff');

    private static Dictionary<string, IOpenApiHeader> RateLimitHeaders() => new()
    {
        ["RateLimit-Policy"] = Header(
            "该密钥的速率限制策略（IETF 草案，结构化字段）：q 为配额，w 为窗口秒数。 / The key's rate-limit policy (IETF draft, structured field): " +
            "q is the quota, w the window in seconds.", "\"default\";q=100;w=2"),
        ["RateLimit"] = Header(
            "当前窗口的剩余配额（IETF 草案，结构化字段）：r 为剩余请求数，t 为恢复秒数。 / What is left of the quota now (IETF draft, " +
            "structured field): r requests remaining, t seconds until it refills.", "\"default\";r=97;t=1"),
    };

    private static OpenApiHeader Header(string description, object example, JsonSchemaType type = JsonSchemaType.String) => new()
    {
        Description = description,
        Schema = new OpenApiSchema { Type = type },
        Example = example is int i ? JsonValue.Create(i) : JsonValue.Create((string)example),
    };
}
