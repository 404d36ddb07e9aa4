using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Alerts;

public sealed record DeliveryView(string DeliveryId, string ChannelId, string Change, long AlertVersion, string Status, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset? DeliveredAt)
{
    public static DeliveryView Of(AlertDelivery d) =>
        new(d.Id, d.ChannelId, d.Change, d.AlertVersion, d.Status, d.Attempts, d.NextAttemptAt, d.LastError, d.DeliveredAt);
}

public sealed record AlertView(string AlertId, string Kind, string Scope, string Severity, string Status, string Summary,
    DateTimeOffset WindowFrom, DateTimeOffset WindowTo, DateTimeOffset RaisedAt, DateTimeOffset ChangedAt, string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt, DateTimeOffset? EscalatedAt, DateTimeOffset? ResolvedAt, IReadOnlyList<DeliveryView>? Deliveries = null)
{
    public static AlertView Of(Alert a, IReadOnlyList<AlertDelivery>? deliveries = null) =>
        new(a.AlertId, a.Kind, a.Scope, a.Severity, a.Status, a.Finding.Summary, a.Finding.WindowFrom, a.Finding.WindowTo, a.RaisedAt, a.ChangedAt,
            a.AcknowledgedBy, a.AcknowledgedAt, a.EscalatedAt, a.ResolvedAt, deliveries?.OrderBy(d => d.CreatedAt).Select(DeliveryView.Of).ToList());
}

public static class AlertsModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<AlertRaised>("alert.raised.v1");
        options.Events.MapEventType<AlertSeverityChanged>("alert.severity-changed.v1");
        options.Events.MapEventType<AlertAcknowledged>("alert.acknowledged.v1");
        options.Events.MapEventType<AlertEscalated>("alert.escalated.v1");
        options.Events.MapEventType<AlertResolved>("alert.resolved.v1");
        options.Events.MapEventType<FeedbackAlertRaised>("alert.feedback-raised.v1");
        options.Events.MapEventType<AlertChannelRegistered>("alert-channel.registered.v1");
        options.Events.MapEventType<AlertChannelRemoved>("alert-channel.removed.v1");
        options.Projections.Snapshot<Alert>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<AlertChannel>(SnapshotLifecycle.Inline);
        options.Schema.For<Alert>().Index(a => a.Status);
        options.Schema.For<FeedbackSettlement>().Identity(s => s.Id);
        options.Schema.For<AlertDelivery>().Index(d => d.Status).Index(d => d.AlertId);
    }

    public static void AddAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Staffing:Alerts").Get<AlertSettings>() ?? new AlertSettings());
        services.AddSingleton<AlertSignal>();
        if (configuration.GetValue("Staffing:Alerts:Background", true))
        {
            services.AddHostedService<AlertEvaluator>();
            services.AddSingleton<AlertDispatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<AlertDispatcher>());
        }
    }

    public static void MapAlerts(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/staffing/alerts").WithTags("Alerts").RequireCaller(Roles.Ops);

        alerts.MapGet("/", async Task<IResult> (string? status, IQuerySession session, CancellationToken ct) =>
            {
                if (status is not (null or "open" or "all" or AlertStatus.Acknowledged or AlertStatus.Resolved))
                    return Problems.Validation(new Dictionary<string, string[]> { ["status"] = ["One of: open (default: not resolved), acknowledged, resolved, all."] });
                var query = session.Query<Alert>().AsQueryable();
                query = status switch
                {
                    null or "open" => query.Where(a => a.Status != AlertStatus.Resolved),
                    "all" => query,
                    _ => query.Where(a => a.Status == status),
                };
                var list = await query.OrderByDescending(a => a.ChangedAt).Take(500).ToListAsync(ct);
                return TypedResults.Ok(list.Select(a => AlertView.Of(a)));
            })
            .WithName("ListAlerts").WithSummary("Alerts, newest change first: open ones (default), or by status (ops).")
            .ProducesValidationProblem();

        alerts.MapGet("/{alertId}", async Task<IResult> (string alertId, IQuerySession session, CancellationToken ct) =>
            {
                var alert = await session.LoadAsync<Alert>(Alert.StreamKey(alertId), ct);
                if (alert is null) return Problems.NotFound($"No alert '{alertId}'.");
                var deliveries = await session.Query<AlertDelivery>().Where(d => d.AlertId == alertId).ToListAsync(ct);
                return TypedResults.Ok(AlertView.Of(alert, deliveries));
            })
            .WithName("GetAlert").WithSummary("One alert with its deliveries per channel (ops).").ProducesProblem(404);

        alerts.MapPost("/{alertId}/ack", async Task<IResult> (string alertId, HttpContext http, IDocumentStore documents, TimeProvider clock,
                AlertSignal signal, CancellationToken ct) =>
            {
                var now = clock.GetUtcNow();
                await using var session = documents.LightweightSession();
                var stream = await session.Events.FetchForWriting<Alert>(Alert.StreamKey(alertId), ct);
                if (stream.Aggregate is null) return Problems.NotFound($"No alert '{alertId}'.");
                var decision = AlertRules.Acknowledge(stream.Aggregate, http.Caller().KeyId, now);
                if (decision.Refusal() is { } refusal) return refusal;
                var alert = stream.Aggregate;
                if (decision is Decision.Append append)
                {
                    var channels = await AlertEngine.ActiveChannelsAsync(session, ct);
                    alert = AlertEngine.Append(session, alert, append.Events, channels, now);
                    await session.SaveChangesAsync(ct);
                    signal.PokeDispatcher();
                }
                return TypedResults.Ok(AlertView.Of(alert));
            })
            .WithName("AcknowledgeAlert").WithSummary("Acknowledge an alert: it stops escalating (ops).")
            .ProducesProblem(404).ProducesProblem(409);

        var channels = app.MapGroup("/api/staffing/alert-channels").WithTags("Alerts").RequireCaller(Roles.Ops);

        channels.MapPost("/", async Task<IResult> (RegisterChannel command, IDocumentStore documents, TimeProvider clock, CancellationToken ct) =>
            {
                var channelId = $"ch-{Guid.NewGuid():N}"[..15];
                var decision = ChannelDecisions.Register(command, channelId, clock.GetUtcNow());
                if (decision.Refusal() is { } refusal) return refusal;
                await using var session = documents.LightweightSession();
                session.Events.StartStream<AlertChannel>(AlertChannel.StreamKey(channelId), ((Decision.Append)decision).Events.ToArray());
                await session.SaveChangesAsync(ct);
                var channel = await session.LoadAsync<AlertChannel>(AlertChannel.StreamKey(channelId), ct);
                return TypedResults.Created($"/api/staffing/alert-channels/{channelId}", AlertChannelView.Of(channel!));
            })
            .WithName("RegisterAlertChannel")
            .WithSummary("Register where alerts go: a DingTalk robot (optional signing secret), a WeCom robot or a webhook, from a minimum severity (ops).")
            .ProducesValidationProblem();

        channels.MapGet("/", async (IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await session.Query<AlertChannel>().ToListAsync(ct)).Where(c => !c.Removed).OrderBy(c => c.RegisteredAt)
                    .Select(AlertChannelView.Of)))
            .WithName("ListAlertChannels").WithSummary("The alert channels (secrets are never shown) (ops).");

        channels.MapDelete("/{channelId}", async Task<IResult> (string channelId, IDocumentStore documents, TimeProvider clock, CancellationToken ct) =>
            {
                await using var session = documents.LightweightSession();
                var stream = await session.Events.FetchForWriting<AlertChannel>(AlertChannel.StreamKey(channelId), ct);
                if (stream.Aggregate is null || stream.Aggregate.Removed) return Problems.NotFound($"No alert channel '{channelId}'.");
                stream.AppendOne(new AlertChannelRemoved(channelId, clock.GetUtcNow()));
                await session.SaveChangesAsync(ct);
                return TypedResults.NoContent();
            })
            .WithName("RemoveAlertChannel").WithSummary("Stop sending alerts to a channel (ops).").ProducesProblem(404);
    }
}
