using System.ComponentModel;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;
using Vendor.ServiceDefaults.OpenApi;

namespace Vendor.Agreements.Webhooks;

public sealed record WebhookCreated(
    [property: Description("Webhook 编号 / The webhook's id")] string WebhookId,
    [property: Description("签名密钥（Standard Webhooks 格式 whsec_…），只在此时显示一次 / The signing secret (whsec_…), shown only now")] string Secret,
    [property: Description("接收地址 / The URL events are posted to")] string Url,
    [property: Description("订阅的事件类型 / The event types it receives")] IReadOnlyList<string> Events) : IExample<WebhookCreated>
{
    public static WebhookCreated Example => new(WebhookExamples.WebhookId, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw7XHPvFqXzs0=",
        WebhookExamples.Url, [WebhookEventTypes.SlaAtRisk, WebhookEventTypes.SlaBreached, WebhookEventTypes.ReportReady]);
}


public sealed record DeliveryView(
    [property: Description("投递编号，即 webhook-id 头；重试时不变 / The delivery's id, sent as webhook-id; the same on every retry")] string DeliveryId,
    [property: Description("事件类型 / The event type")] string Type,
    [property: Description("pending（待发送/重试中）、delivered（已送达）或 failed（已放弃） / pending, delivered or failed")] string Status,
    [property: Description("已尝试次数 / Attempts so far")] int Attempts,
    [property: Description("最近一次的 HTTP 状态码 / The last attempt's HTTP status code")] int? LastStatusCode,
    [property: Description("最近一次失败的原因 / Why the last attempt failed")] string? LastError,
    [property: Description("下次尝试时间（仅 pending） / When the next attempt is due (pending only)")] DateTimeOffset? NextAttemptAt,
    [property: Description("创建时间 / When the event was queued")] DateTimeOffset CreatedAt,
    [property: Description("送达时间 / When the endpoint accepted it")] DateTimeOffset? DeliveredAt,
    [property: Description("重放自哪次投递 / The delivery this one replays")] string? ReplayOf) : IExample<DeliveryView>
{
    public static DeliveryView Example => new(WebhookExamples.DeliveryId, WebhookEventTypes.SlaAtRisk, "delivered", 1, 200, null, null,
        new DateTimeOffset(2026, 11, 18, 2, 15, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 18, 2, 15, 1, TimeSpan.Zero), null);

    /// <summary>A delivery whose endpoint is down: retried with back-off.</summary>
    public static DeliveryView RetryingExample => new("msg_7c1d2e3f40514a6b8c9d0e1f2a3b4c5d", WebhookEventTypes.Test, "pending", 3, 503,
        "The endpoint answered 503 Service Unavailable.", new DateTimeOffset(2026, 11, 20, 3, 8, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 11, 20, 3, 0, 0, TimeSpan.Zero), null, null);
}


public sealed record WebhookView(
    [property: Description("Webhook 编号 / The webhook's id")] string WebhookId,
    [property: Description("接收地址 / The URL events are posted to")] string Url,
    [property: Description("订阅的事件类型 / The event types it receives")] IReadOnlyList<string> Events,
    [property: Description("active（启用）或 disabled（端点返回 410 后停用） / active, or disabled after the endpoint answered 410 Gone")] string Status,
    [property: Description("停用原因 / Why it was disabled")] string? DisabledReason,
    [property: Description("注册时间 / When it was registered")] DateTimeOffset CreatedAt,
    [property: Description("最近的投递（新的在前，最多 10 条） / Its latest deliveries, newest first (at most 10)")] IReadOnlyList<DeliveryView> Deliveries) : IExample<WebhookView>
{
    public static WebhookView Example => new(WebhookExamples.WebhookId, WebhookExamples.Url,
        [WebhookEventTypes.SlaAtRisk, WebhookEventTypes.SlaBreached, WebhookEventTypes.ReportReady], "active", null,
        new DateTimeOffset(2026, 11, 2, 6, 30, 0, TimeSpan.Zero), [DeliveryView.RetryingExample, DeliveryView.Example]);
}


public sealed record DeliveryQueued(
    [property: Description("新投递的编号（webhook-id） / The new delivery's id (webhook-id)")] string DeliveryId,
    [property: Description("事件类型 / The event type")] string Type,
    [property: Description("重放自哪次投递 / The delivery it replays")] string? ReplayOf) : IExample<DeliveryQueued>
{
    public static DeliveryQueued Example => new("msg_0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b", WebhookEventTypes.SlaAtRisk, WebhookExamples.DeliveryId);
}


/// <summary>The ids and URL the examples of the published document share.</summary>
internal static class WebhookExamples
{
    public const string WebhookId = "wh_3f2a9c1e7b6d4e8fa0b1c2d3e4f5a6b7";
    public const string DeliveryId = "msg_5b8e2c4d6f7a4b1c9d0e3f2a1b6c7d8e";
    public const string Url = "https://hooks.example-shop.cn/vendor-sla";
}

/// <summary>Store webhooks: registration (Marten events), the deliveries list, test events and replays.</summary>
public static class WebhooksModule
{
    public const int DeliveriesShown = 10;

    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<WebhookRegistered>("webhook.registered.v1");
        options.Events.MapEventType<WebhookRemoved>("webhook.removed.v1");
        options.Events.MapEventType<WebhookDisabled>("webhook.disabled.v1");
        options.Projections.Snapshot<Webhook>(SnapshotLifecycle.Inline);
        // SlaWatch looks up a store's webhooks inside ingestion's transaction whenever a status changes.
        options.Schema.For<Webhook>().Index(w => w.StoreId);
    }

    public static void AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection("Webhooks"));
        builder.Services.TryAddSingleton<WebhookDns>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
    }

    public static void MapWebhooks(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/sla/stores/{storeId}/webhooks").RequireCaller(Roles.Ops, Roles.Store)
            .StoreTag("Webhooks", "Webhook：SLA 预警、违约、恢复和月报就绪时，按 Standard Webhooks 签名推送到店铺的 https 地址；可查看投递、发送测试事件、重放。 / " +
                                  "Webhooks: SLA at-risk, breached and recovered events and report-ready notices, signed the Standard Webhooks " +
                                  "way and posted to the store's https URL; deliveries, test events and replays.");
        const string webhookIdText = "Webhook ID（注册时返回的 webhookId）。 / The webhook's id (the webhookId of its registration).";

        hooks.MapPost("/", Register)
            .WithName("RegisterWebhook")
            .WithSummary("Register a webhook for the store's events; the signing secret is shown only in this answer.")
            .WithDescription("为本店注册一个 Webhook：事件以 Standard Webhooks 格式签名后 POST 到该 https 地址。签名密钥只在本次响应中显示。" +
                             "地址必须是公网 https 地址（不能指向回环、内网、链路本地等地址）。\n\n" +
                             "Register a webhook for the store: events are POSTed to the https URL, signed the Standard Webhooks way. The secret " +
                             "is shown only in this answer. The URL must be a public https address (no loopback, private or link-local target).")
            .Produces<WebhookCreated>(StatusCodes.Status201Created)
            .ResponseHeader(StatusCodes.Status201Created, "Location", "新 Webhook 的地址。 / The new webhook's path.",
                $"/api/sla/stores/{StoreApi.StoreIdExample}/webhooks/{WebhookExamples.WebhookId}")
            .ProducesValidationProblem().WithMetadata(new ProblemCodesDoc(StatusCodes.Status400BadRequest, [ProblemCatalogue.WebhookUrlRefused]))
            .Problem(StatusCodes.Status404NotFound, ProblemCatalogue.StoreNotOnboarded).ProducesProblem(StatusCodes.Status409Conflict);

        hooks.MapGet("/", List)
            .WithName("ListWebhooks")
            .WithSummary("The store's webhooks with their latest deliveries (never the secret).")
            .WithDescription("列出本店的 Webhook 及其最近的投递（状态、尝试次数、最近的状态码或错误、下次尝试时间）。不返回签名密钥。\n\n" +
                             "The store's webhooks with their latest deliveries (status, attempts, last status code or error, next attempt). " +
                             "The secret is never shown again.")
            .Produces<IReadOnlyList<WebhookView>>()
            .Problem(StatusCodes.Status404NotFound, ProblemCatalogue.StoreNotOnboarded);

        hooks.MapDelete("/{webhookId}", Remove)
            .WithName("DeleteWebhook")
            .WithSummary("Remove a webhook; its pending deliveries are not sent.")
            .WithDescription("删除一个 Webhook；尚未送达的投递不再发送。\n\nRemove a webhook; its pending deliveries are not sent.")
            .Parameter("webhookId", webhookIdText, WebhookExamples.WebhookId)
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        hooks.MapPost("/{webhookId}/test", SendTest)
            .WithName("TestWebhook")
            .WithSummary("Send an event of type test to the webhook.")
            .WithDescription("向该 Webhook 发送一个 test 类型的事件，用于检查接收端与签名校验。\n\n" +
                             "Send an event of type test to the webhook, to check the receiver and its signature check.")
            .Parameter("webhookId", webhookIdText, WebhookExamples.WebhookId)
            .Produces<DeliveryQueued>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        hooks.MapPost("/{webhookId}/deliveries/{deliveryId}/replay", Replay)
            .WithName("ReplayWebhookDelivery")
            .WithSummary("Send a delivery's event again, with the same body and a new webhook-id.")
            .WithDescription("重新发送某次投递的事件：内容不变，使用新的 webhook-id（按 webhook-id 去重的接收端不会丢弃它；同一投递的自动重试才沿用原 id）。\n\n" +
                             "Send a delivery's event again: the same body under a new webhook-id, so a receiver that drops repeated ids still " +
                             "takes the replay it asked for (automatic retries of one delivery keep its id).")
            .Parameter("webhookId", webhookIdText, WebhookExamples.WebhookId)
            .Parameter("deliveryId", "要重放的投递 ID（即当时的 webhook-id 头，见 GET .../webhooks 的 deliveries）。 / The delivery to replay: its " +
                                     "webhook-id header, as listed in the deliveries of GET .../webhooks.", WebhookExamples.DeliveryId)
            .Produces<DeliveryQueued>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> Register(string storeId, RegisterWebhook? command, IDocumentStore documents, IOptions<WebhookOptions> options,
        WebhookDns dns, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Errors();
        var allowed = options.Value.AllowedHosts;
        var (url, urlError) = WebhookTargets.CheckShape(command?.Url, allowed);
        if (urlError is not null) errors.Add("url", urlError);
        // A URL given but refused (not https, a private target, ...) has its own code; a missing one is plain validation.
        var refused = urlError is not null && !string.IsNullOrWhiteSpace(command?.Url);
        var events = WebhookDecisions.CheckEvents(command?.Events, errors);
        if (url is not null && !errors.Any)
        {
            using var resolving = CancellationTokenSource.CreateLinkedTokenSource(ct);
            resolving.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                await WebhookTargets.CheckedAddressesAsync(url.Host, allowed, dns, resolving.Token);
            }
            catch (WebhookTargetRefusedException e)
            {
                errors.Add("url", e.Message);
                refused = true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                errors.Add("url", $"The host '{url.Host}' did not resolve within 5 s.");
                refused = true;
            }
        }
        if (errors.Any || url is null || events is null)
            return Problems.Validation(errors.ToDecision().Errors, refused ? ProblemCatalogue.WebhookUrlRefused : null);

        await using var session = documents.LightweightSession();
        if (await session.LoadAsync<Store>(Store.StreamKey(storeId), ct) is null) return StoresModule.NotOnboarded(storeId);
        await session.BeginTransactionAsync(ct);
        // One registration of a store at a time, so the limit holds when two arrive together.
        await session.HoldForTransactionAsync($"webhooks:{storeId}", ct);
        var active = await session.Query<Webhook>().CountAsync(w => w.StoreId == storeId && w.Status == WebhookStatus.Active, ct);
        if (active >= Webhook.MaxPerStore)
            return Problems.Conflict($"A store has at most {Webhook.MaxPerStore} active webhooks; delete one first.");
        var registered = new WebhookRegistered(WebhookDecisions.NewWebhookId(), storeId, url.AbsoluteUri, events, WebhookDecisions.NewSecret(),
            clock.GetUtcNow());
        session.Events.StartStream<Webhook>(Webhook.StreamKey(registered.WebhookId), registered);
        await session.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/sla/stores/{storeId}/webhooks/{registered.WebhookId}",
            new WebhookCreated(registered.WebhookId, registered.Secret, registered.Url, registered.Events));
    }

    private static async Task<IResult> List(string storeId, IQuerySession session, CancellationToken ct)
    {
        if (await session.LoadAsync<Store>(Store.StreamKey(storeId), ct) is null) return StoresModule.NotOnboarded(storeId);
        var webhooks = await session.Query<Webhook>().Where(w => w.StoreId == storeId && w.Status != WebhookStatus.Removed).ToListAsync(ct);
        var deliveries = (await WebhookDeliveries.LatestAsync(session, storeId, DeliveriesShown, ct)).ToLookup(d => d.WebhookId);
        return TypedResults.Ok(webhooks.OrderBy(w => w.CreatedAt).Select(w => new WebhookView(w.WebhookId, w.Url, w.Events, w.Status, w.DisabledReason,
            w.CreatedAt, deliveries[w.WebhookId].Select(View).ToList())).ToList());
    }

    private static DeliveryView View(WebhookDelivery d) => new(d.Id, d.Type, d.Status, d.Attempts, d.LastStatusCode, d.LastError,
        d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.CreatedAt, d.DeliveredAt, d.ReplayOf);

    private static async Task<IResult> Remove(string storeId, string webhookId, IDocumentStore documents, TimeProvider clock, CancellationToken ct)
    {
        await using var session = documents.LightweightSession();
        var stream = await session.Events.FetchForWriting<Webhook>(Webhook.StreamKey(webhookId), ct);
        if (stream.Aggregate is not { } webhook || !webhook.VisibleTo(storeId)) return NotFound(webhookId);
        stream.AppendOne(new WebhookRemoved(webhookId, storeId, clock.GetUtcNow()));
        WebhookDeliveries.AbandonPending(session, webhookId, "The webhook was removed.");
        await session.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SendTest(string storeId, string webhookId, IDocumentStore documents, WebhookSender sender, TimeProvider clock,
        CancellationToken ct)
    {
        await using var session = documents.LightweightSession();
        if (await session.LoadAsync<Webhook>(Webhook.StreamKey(webhookId), ct) is not { } webhook || !webhook.VisibleTo(storeId)) return NotFound(webhookId);
        if (!webhook.Active) return Problems.Conflict($"The webhook is {webhook.Status}: {webhook.DisabledReason}");
        var now = clock.GetUtcNow();
        var body = new WebhookEvent(WebhookEventTypes.Test, now,
            new TestEventData(storeId, webhookId, "A test event: the webhook receives and verifies events.")).Serialize();
        return await Queue(session, sender, WebhookDelivery.New(webhookId, storeId, WebhookEventTypes.Test, body, now), ct);
    }

    private static async Task<IResult> Replay(string storeId, string webhookId, string deliveryId, IDocumentStore documents, WebhookSender sender,
        TimeProvider clock, CancellationToken ct)
    {
        await using var session = documents.LightweightSession();
        if (await session.LoadAsync<Webhook>(Webhook.StreamKey(webhookId), ct) is not { } webhook || !webhook.VisibleTo(storeId)) return NotFound(webhookId);
        if (await WebhookDeliveries.LoadAsync(session, deliveryId, ct) is not { } original || original.WebhookId != webhookId || original.StoreId != storeId)
            return Problems.NotFound($"Webhook '{webhookId}' has no delivery '{deliveryId}'.");
        if (!webhook.Active) return Problems.Conflict($"The webhook is {webhook.Status}: {webhook.DisabledReason}");
        // A replay is a new message the store asked for: a new webhook-id (retries of one delivery keep theirs), the same body.
        return await Queue(session, sender, WebhookDelivery.New(webhookId, storeId, original.Type, original.Body, clock.GetUtcNow(), replayOf: original.Id), ct);
    }

    private static async Task<IResult> Queue(IDocumentSession session, WebhookSender sender, WebhookDelivery delivery, CancellationToken ct)
    {
        WebhookDeliveries.Enqueue(session, delivery);
        await session.SaveChangesAsync(ct);
        sender.Poke();
        return TypedResults.Accepted((string?)null, new DeliveryQueued(delivery.Id, delivery.Type, delivery.ReplayOf));
    }

    private static IResult NotFound(string webhookId) => Problems.NotFound($"The store has no webhook '{webhookId}'.");
}
