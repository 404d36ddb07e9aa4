namespace Vendor.ServiceDefaults;

/// <summary>One stable problem code: what a client switches on, with its status and a bilingual explanation.</summary>
public sealed record ProblemType(
    [property: System.ComponentModel.Description("稳定的问题代码，客户端据此区分错误 / Stable problem code a client switches on")] string Code,
    [property: System.ComponentModel.Description("通常对应的 HTTP 状态码 / The HTTP status it usually comes with")] int Status,
    [property: System.ComponentModel.Description("中文标题 / Title in Chinese")] string TitleZh,
    [property: System.ComponentModel.Description("英文标题 / Title in English")] string TitleEn,
    [property: System.ComponentModel.Description("中文说明：何时出现、如何处理 / When it happens and what to do, in Chinese")] string DescriptionZh,
    [property: System.ComponentModel.Description("英文说明：何时出现、如何处理 / When it happens and what to do, in English")] string DescriptionEn)
{
    /// <summary>The problem's <c>type</c>: a URI reference the gateway serves (no key needed).</summary>
    [System.ComponentModel.Description("问题类型 URI（网关提供说明页）/ The problem's type URI (the gateway serves its description)")]
    public string Type => ProblemCatalogue.TypeUri(Code);
}

/// <summary>
/// Every problem answer carries a stable <c>code</c> and a <c>type</c> URI <c>/api/store/problems/{code}</c>. Codes by status are the
/// default; a call site names a specific code where a client must tell cases apart (<see cref="Problems.Result"/>'s <c>code</c>).
/// </summary>
public static class ProblemCatalogue
{
    public const string TypePrefix = "/api/store/problems/";

    public const string BadRequest = "bad-request";
    public const string ValidationFailed = "validation-failed";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string NotAcceptable = "not-acceptable";
    public const string Conflict = "conflict";
    public const string PreconditionFailed = "precondition-failed";
    public const string PayloadTooLarge = "payload-too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string Locked = "locked";
    public const string RateLimited = "rate-limited";
    public const string InternalError = "internal-error";
    public const string BadGateway = "bad-gateway";
    public const string ServiceUnavailable = "service-unavailable";
    public const string StoreNotOnboarded = "store-not-onboarded";
    public const string TooManyConversations = "too-many-conversations";
    public const string InvalidCursor = "invalid-cursor";
    public const string WebhookUrlRefused = "webhook-url-refused";
    public const string NoContractTerms = "no-contract-terms";

    public static string TypeUri(string code) => TypePrefix + code;

    public static readonly IReadOnlyList<ProblemType> All =
    [
        new(BadRequest, 400, "请求有误", "Bad request",
            "请求无法读取（例如正文不是合法 JSON）。修正请求后重试。", "The request could not be read (e.g. the body is not valid JSON). Fix the request and retry."),
        new(ValidationFailed, 400, "请求校验未通过", "Validation failed",
            "请求可以读取，但某些字段不合规；errors 按字段列出原因。", "The request was read but some fields are not valid; errors lists the reasons by field."),
        new(Unauthenticated, 401, "未认证", "Unauthenticated",
            "缺少 X-Api-Key 请求头，或密钥未知、已吊销、已过期。", "The X-Api-Key header is missing, or the key is unknown, revoked or expired."),
        new(Forbidden, 403, "无权访问", "Forbidden",
            "密钥有效，但其角色或绑定的店铺不允许此调用。", "The key is valid but its role or its store does not allow this call."),
        new(NotFound, 404, "未找到", "Not found",
            "所请求的资源不存在。", "The resource asked for does not exist."),
        new(MethodNotAllowed, 405, "方法不允许", "Method not allowed",
            "此路径不支持该 HTTP 方法。", "The path does not support this HTTP method."),
        new(NotAcceptable, 406, "无法提供所需格式", "Not acceptable",
            "无法以 Accept 请求头要求的格式应答。", "No answer can be given in a format the Accept header allows."),
        new(Conflict, 409, "冲突", "Conflict",
            "资源已被其他请求修改或已存在；重新读取后重试。", "The resource was changed by another request or already exists; reload and retry."),
        new(PreconditionFailed, 412, "前置条件不满足", "Precondition failed",
            "If-Match 中的 ETag 已过期；重新读取后重试。", "The ETag in If-Match is stale; reload and retry."),
        new(PayloadTooLarge, 413, "请求体过大", "Payload too large",
            "请求体超过该路由的大小上限（对话导入 5 MB，其余 1 MB）。", "The body is over the route's size limit (5 MB for ingestion, 1 MB elsewhere)."),
        new(UnsupportedMediaType, 415, "不支持的媒体类型", "Unsupported media type",
            "请以 UTF-8 编码的 application/json 发送正文。", "Send the body as UTF-8 application/json."),
        new(Locked, 423, "已锁定", "Locked",
            "账户因多次失败暂时锁定。", "The account is locked for a while after repeated failures."),
        new(RateLimited, 429, "请求过于频繁", "Too many requests",
            "超过该密钥或来源地址的速率限制；按 Retry-After 秒数后重试。", "Over the key's or the address's rate limit; retry after the seconds in Retry-After."),
        new(InternalError, 500, "内部错误", "Internal error",
            "服务内部出错，已记录；稍后重试，若持续请联系服务商并附 traceId。", "Something went wrong and was logged; retry later, and quote the traceId if it persists."),
        new(BadGateway, 502, "上游错误", "Bad gateway",
            "网关未能从后端服务得到有效应答；稍后重试。", "The gateway got no valid answer from a service; retry later."),
        new(ServiceUnavailable, 503, "服务暂不可用", "Service unavailable",
            "服务暂时不可用；稍后重试。", "The service is unavailable for now; retry later."),
        new(StoreNotOnboarded, 404, "店铺未入驻", "Store not onboarded",
            "路径中的店铺尚未入驻，请核对 storeId。", "The store of the path is not onboarded; check the storeId."),
        new(NoContractTerms, 404, "该月无合同条款", "No contract terms that month",
            "所请求月份没有生效的合同条款，因此没有月度报告。", "No contract terms were in force in the month asked for, so there is no report."),
        new(TooManyConversations, 413, "单次对话过多", "Too many conversations",
            "一次请求的对话数量超过上限；请拆分批次。", "One request holds more conversations than allowed; split the batch."),
        new(InvalidCursor, 400, "分页游标无效", "Invalid cursor",
            "cursor 参数不是上一页返回的 nextCursor；从第一页重新开始。", "The cursor is not a nextCursor of an earlier page; start again from the first page."),
        new(WebhookUrlRefused, 400, "Webhook 地址被拒绝", "Webhook URL refused",
            "Webhook 地址必须是 https，且不能指向回环、链路本地或私有网络地址。", "A webhook URL must be https and must not point at a loopback, link-local or private address."),
    ];

    private static readonly Dictionary<string, ProblemType> ByCode = All.ToDictionary(p => p.Code);

    public static ProblemType? Find(string? code) => code is not null && ByCode.TryGetValue(code, out var p) ? p : null;

    /// <summary>The default code of a status (a 4xx or 5xx without its own line: the class's generic one).</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        406 => NotAcceptable,
        409 => Conflict,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        423 => Locked,
        429 => RateLimited,
        502 => BadGateway,
        503 => ServiceUnavailable,
        >= 500 => InternalError,
        _ => BadRequest,
    };
}
