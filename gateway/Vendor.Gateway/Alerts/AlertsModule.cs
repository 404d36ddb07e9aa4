using System.Globalization;
using System.Text;
using System.Text.Json;
using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Marten.Exceptions;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Vendor.Gateway.ApiKeys;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Alerts;

public static class AlertsModule
{
    public const int DefaultLimit = 100, MaxLimit = 500;

    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<DashboardAlertRaised>("dashboard-alert.raised.v1");
        options.Events.MapEventType<DashboardAlertChanged>("dashboard-alert.changed.v1");
        options.Events.MapEventType<DashboardAlertAcknowledged>("dashboard-alert.acknowledged.v1");
        options.Events.MapEventType<DashboardAlertResolved>("dashboard-alert.resolved.v1");
        options.Projections.Snapshot<DashboardAlert>(SnapshotLifecycle.Inline);
        options.Schema.For<DashboardAlert>().Index(a => a.Status);
    }

    public static void Consumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<SlaAtRiskAlertConsumer>();
        bus.AddConsumer<SlaBreachedAlertConsumer>();
        bus.AddConsumer<SlaRecoveredAlertConsumer>();
        bus.AddConsumer<FeedbackOverdueAlertConsumer>();
        bus.AddConsumer<FeedbackSettledAlertConsumer>();
        bus.AddConsumer<AbsenceSpikeAlertConsumer>();
        bus.AddConsumer<CoverageGapAlertConsumer>();
        bus.AddConsumer<StaffingAlertChangedConsumer>();
    }

    public static void AddDashboardAlerts(this IServiceCollection services)
    {
        services.AddSingleton<AlertFeed>();
        services.AddSingleton<AlertListener>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertListener>());
        services.AddHttpClient<StaffingAcknowledger>();
        services.AddSingleton<KeyGuesses>();
    }

    /// <summary>The list and acknowledgement (under /api: ApiKeyAuthentication and GatewayPolicy keep them to ops) and the live stream.</summary>
    public static void MapDashboardAlerts(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/dashboard/alerts").WithTags("Dashboard alerts").RequireOps();

        alerts.MapGet("/", async Task<IResult> (string? status, string? limit, IQuerySession session, CancellationToken ct) =>
            {
                var errors = new Errors()
                    .Check(status is null or "open" or "acknowledged" or "resolved" or "all", "status",
                        "One of: open, acknowledged, resolved, all (default: open and acknowledged).");
                var take = DefaultLimit;
                if (limit is not null)
                    errors.Check(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) && take is >= 1 and <= MaxLimit,
                        "limit", $"A whole number from 1 to {MaxLimit} (default {DefaultLimit}).");
                if (errors.Any) return Problems.Validation(errors.ToDecision().Errors);
                var query = session.Query<DashboardAlert>().AsQueryable();
                query = status switch
                {
                    null => query.Where(a => a.Status != AlertStatuses.Resolved),
                    "all" => query,
                    _ => query.Where(a => a.Status == status),
                };
                var list = await query.OrderByDescending(a => a.UpdatedAt).Take(take).ToListAsync(ct);
                return TypedResults.Ok(list.Select(DashboardAlertView.Of));
            })
            .WithName("ListDashboardAlerts")
            .WithSummary("Dashboard alerts (SLA, staffing, overdue feedback), latest change first: open and acknowledged by default (ops).")
            .ProducesValidationProblem();

        alerts.MapPost("/{alertId}/ack", async Task<IResult> (string alertId, HttpContext http, IDocumentStore store,
                StaffingAcknowledger staffing, TimeProvider clock, CancellationToken ct) =>
            {
                var caller = http.Caller(); // set by ApiKeyAuthentication for a key or a signed-in user; the group lets only ops through
                for (var attempt = 1; ; attempt++)
                {
                    await using var session = store.LightweightSession();
                    var stream = await session.Events.FetchForWriting<DashboardAlert>(DashboardAlert.StreamKey(alertId), ct);
                    if (stream.Aggregate is not { } alert) return Problems.NotFound($"No alert '{alertId}'.");
                    var decision = DashboardAlertRules.Acknowledge(alert, caller.KeyId, clock.GetUtcNow());
                    if (decision.Refusal() is { } refusal) return refusal;
                    if (decision is not Decision.Append append) return TypedResults.Ok(DashboardAlertView.Of(alert));
                    // Staffing first: when it cannot stop its escalation, the dashboard must not show the alert as handled.
                    if (await staffing.AcknowledgeAsync(alert, caller, ct) is { } failure)
                        return Problems.Result(StatusCodes.Status502BadGateway, "Staffing did not acknowledge", $"{failure} Nothing changed; retry.");
                    stream.AppendMany(append.Events);
                    var after = DashboardAlert.Fold(alert, append.Events)!;
                    AlertChanges.Notify(session, after);
                    try
                    {
                        await session.SaveChangesAsync(ct);
                    }
                    catch (Exception e) when (e is JasperFx.ConcurrencyException or ExistingStreamIdCollisionException && attempt < 3)
                    {
                        continue; // a source changed the alert meanwhile: decide again on its new state
                    }
                    return TypedResults.Ok(DashboardAlertView.Of(after));
                }
            })
            .WithName("AcknowledgeDashboardAlert")
            .WithSummary("Acknowledge an alert (idempotent); a staffing or feedback alert is acknowledged in Staffing too, so it stops escalating (ops).")
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(502);

        app.MapGet("/alerts/stream", StreamAsync)
            .WithName("AlertStream").WithTags("Dashboard alerts")
            .WithSummary("Server-sent events: 'ready' at once, then 'alert' (the alert JSON) for every raise and change on any replica; " +
                         "a comment every 15 s (signed-in ops, or an ops key in X-Api-Key).");
    }

    private static async Task StreamAsync(HttpContext http, KeyDirectory keys, AlertFeed feed, KeyGuesses guesses, TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IConfiguration configuration, IHostApplicationLifetime lifetime,
        CancellationToken aborted)
    {
        // A stream ends when the browser goes away or the gateway stops (so a stopping replica does not wait for its streams).
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
        var ct = ending.Token;
        // Checked again at every heartbeat: a disabled account, a changed password or a revoked key ends an open stream too.
        Func<CancellationToken, ValueTask<bool>> stillAllowed;
        if (http.User.Identity?.IsAuthenticated == true)
        {
            var users = http.RequestServices.GetRequiredService<Dashboard.UserDirectory>();
            var principal = http.User;
            stillAllowed = token => users.StillValidAsync(principal, token);
        }
        else
        {
            var secret = http.Request.Headers[ApiKeyAuthentication.Header].ToString();
            var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            if (secret.Length > 0 && guesses.Exhausted(address))
            {
                http.Response.Headers.RetryAfter = "1";
                await Problems.Write(http, StatusCodes.Status429TooManyRequests, "Too many requests", "Too many unknown API keys from this address.");
                return;
            }
            var key = secret.Length == 0 ? null : await keys.FindAsync(secret, ct);
            if (key is null)
            {
                if (secret.Length > 0) guesses.Count(address);
                http.Response.Headers.WWWAuthenticate = ApiKeyAuthentication.Header;
                await Problems.Write(http, StatusCodes.Status401Unauthorized, "Unauthenticated",
                    "Sign in to the dashboard, or send an ops API key in the X-Api-Key header.");
                return;
            }
            if (key.Role != Roles.Ops)
            {
                await Problems.Write(http, StatusCodes.Status403Forbidden, "Forbidden", "Only ops may follow the alert stream.");
                return;
            }
            stillAllowed = async token => await keys.FindAsync(secret, token) is { Role: Roles.Ops };
        }

        var heartbeat = TimeSpan.FromSeconds(Math.Clamp(configuration.GetValue("Gateway:Alerts:HeartbeatSeconds", 15.0), 0.05, 300));
        using var subscription = feed.Subscribe(); // before 'ready': nothing committed after it is missed
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var options = json.Value.SerializerOptions;
        try
        {
            await WriteAsync(http, $"event: ready\ndata: {JsonSerializer.Serialize(new { at = clock.GetUtcNow() }, options)}\n\n", ct);
            while (!ct.IsCancellationRequested)
            {
                using var beat = new CancellationTokenSource(heartbeat, clock);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, beat.Token);
                DashboardAlertView alert;
                try
                {
                    alert = await subscription.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    if (!await stillAllowed(ct)) return; // the browser's EventSource reconnects and is refused
                    await WriteAsync(http, ": heartbeat\n\n", ct);
                    continue;
                }
                await WriteAsync(http, $"event: alert\ndata: {JsonSerializer.Serialize(alert, options)}\n\n", ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException or IOException)
        {
            // The browser went away (or the host stops): the subscription ends with this request.
        }
    }

    private static async Task WriteAsync(HttpContext http, string text, CancellationToken ct)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
