using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Vendor.ServiceDefaults.OpenApi;

/// <summary>The store document's frame: info, server, the X-Api-Key scheme, tag descriptions, the shared problem schemas.</summary>
internal static class StoreDocument
{
    public const string Title = "客服外包平台店铺 API / Vendor store API";

    public const string Description =
        "面向客户店铺的接口：SLA 指标、月度报告（JSON 与 CSV）、合同、对话导入、指标背后的会话明细与逐轮解释、Webhook 事件通知，以及知识库与反馈。\n\n" +
        "**认证**：每个请求在 `X-Api-Key` 请求头中携带 API 密钥。`store` 密钥读取本店数据并管理本店 Webhook，`ingest` 密钥只可导入本店对话；" +
        "路径中的 `{storeId}` 必须是密钥绑定的店铺。\n\n" +
        "**速率限制**：每个密钥一个令牌桶（每个客户端地址另有一个）；超限返回 429 与 `Retry-After`，每个应答都带 `RateLimit-Policy` 与 `RateLimit` 头。\n\n" +
        "**轮询**：SLA 指标与报告带 `ETag`，带 `If-None-Match` 再次请求，未变化时返回 304。\n\n" +
        "**Webhook**：事件按 Standard Webhooks 签名（`webhook-id`、`webhook-timestamp`、`webhook-signature`），失败后退避重试 24 小时。\n\n" +
        "**错误**：所有错误都是 `application/problem+json`，带稳定的 `code` 与 `type`（`/api/store/problems/{code}` 说明每个代码）。\n\n" +
        "---\n\n" +
        "The API for client stores: SLA figures, the monthly report (JSON and CSV), the contract, conversation ingestion, the " +
        "conversations behind the figures and each one explained turn by turn, webhooks, the knowledge base and feedback.\n\n" +
        "**Authentication**: every request carries an API key in the `X-Api-Key` header. A `store` key reads its own store's data and manages its webhooks, an " +
        "`ingest` key may only post its store's conversations; the path's `{storeId}` must be the key's store.\n\n" +
        "**Rate limits**: one token bucket per key (and one per client address); over either the answer is 429 with `Retry-After`, and every answer carries the " +
        "`RateLimit-Policy` and `RateLimit` headers.\n\n" +
        "**Polling**: SLA figures and reports carry an `ETag`; ask again with `If-None-Match` and an unchanged answer is a 304.\n\n" +
        "**Webhooks**: events are signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and " +
        "retried with back-off for 24 hours.\n\n" +
        "**Errors**: every error is `application/problem+json` with a stable `code` and a `type` (`/api/store/problems/{code}` " +
        "explains each code).";

    public static Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = Title,
            Version = "1.0",
            Description = Description,
            License = new OpenApiLicense { Name = "Proprietary: for the vendor's client stores / 仅供服务商的客户店铺使用", Identifier = "LicenseRef-Proprietary" },
        };
        document.Servers = [new OpenApiServer { Url = "/", Description = "网关 / The gateway" }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[StoreApi.ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Api-Key",
            Description = "服务商发放的 API 密钥（角色 store 或 ingest，绑定一个店铺）。 / The API key the vendor issued (role store or ingest, bound to one store).",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(StoreApi.ApiKeyScheme, document)] = [] }];

        var tags = context.DescriptionGroups.SelectMany(g => g.Items)
            .SelectMany(d => d.ActionDescriptor.EndpointMetadata.OfType<TagDoc>())
            .GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.Last().Description);
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            .SelectMany(o => o.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name).OfType<string>().Distinct().Order();
        document.Tags = new HashSet<OpenApiTag>(used.Select(name => new OpenApiTag { Name = name, Description = tags.GetValueOrDefault(name) }));

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[StoreApi.ProblemSchema] = Problem(validation: false);
        if (document.Components.Schemas.ContainsKey(StoreApi.ValidationProblemSchema))
            document.Components.Schemas[StoreApi.ValidationProblemSchema] = Problem(validation: true);
        return Task.CompletedTask;
    }

    private static OpenApiSchema Problem(bool validation)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = Text("问题类型 URI，指向该代码的说明。 / The problem type's URI, explaining the code.", "/api/store/problems/not-found", "uri-reference"),
            ["title"] = Text("问题的简短标题（英文）。 / A short title of the problem (English).", "Not found"),
            ["status"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer, Format = "int32",
                Description = "HTTP 状态码。 / The HTTP status code.", Examples = [JsonValue.Create(404)],
            },
            ["detail"] = Text("本次出错的具体说明（英文）。 / What went wrong this time (English).", "Store 'hz-tea-flagship' is not onboarded."),
            ["instance"] = Text("出错的请求路径（可能没有）。 / The request the problem is about (may be absent).", "/api/sla/stores/hz-tea-flagship/sla"),
            ["code"] = Text("稳定的问题代码，客户端据此区分情况。 / The stable problem code a client switches on.", "store-not-onboarded"),
            ["traceId"] = Text("跟踪 ID，联系服务商时请提供。 / The trace id to quote when contacting the vendor.",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
        };
        if (validation)
            properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "按字段列出的校验错误。 / The validation errors by field.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                Examples = [new JsonObject { ["from"] = new JsonArray("yyyy-MM-dd, on or before 'to'.") }],
            };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = validation
                ? "校验失败的问题详情（RFC 9457），带按字段的 errors。 / Problem details (RFC 9457) of a validation failure, with errors by field."
                : "问题详情（RFC 9457），带稳定的 code。 / Problem details (RFC 9457) with a stable code.",
            Properties = properties,
            Required = new HashSet<string> { "type", "title", "status", "code" },
        };
    }

    private static OpenApiSchema Text(string description, string example, string? format = null) => new()
    {
        Type = JsonSchemaType.String, Format = format, Description = description, Examples = [JsonValue.Create(example)],
    };
}
