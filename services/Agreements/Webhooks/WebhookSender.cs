using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Marten;
using Microsoft.Extensions.Options;
using StandardWebhooks;
using Vendor.Agreements.Stores;

namespace Vendor.Agreements.Webhooks;

/// <summary>Settings under <c>Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>Hosts exempt from the forgery rules (any address, plain http allowed): for local use, e.g. localhost.</summary>
    public List<string> AllowedHosts { get; set; } = [];
    public double PollSeconds { get; set; } = 1;
    public double TimeoutSeconds { get; set; } = 10;
    public double FirstRetrySeconds { get; set; } = 5;
    public double MaxRetrySeconds { get; set; } = 3600;
    public double RetryForHours { get; set; } = 24;
    public double ReportCheckSeconds { get; set; } = 60;
    public int MaxConcurrentEndpoints { get; set; } = 64;

    public RetryPolicy Retry => new(TimeSpan.FromSeconds(FirstRetrySeconds), TimeSpan.FromSeconds(MaxRetrySeconds), TimeSpan.FromHours(RetryForHours));
}

/// <summary>
/// Sends due deliveries: each webhook (endpoint) by its own task, one request at a time, so an endpoint that is down or slow
/// holds up no other store. A delivery is claimed with SKIP LOCKED and a lease, so replicas never send the same attempt at once
/// and a crash mid-send is retried (at least once). Every attempt is signed anew (Standard Webhooks) with the same webhook-id.
/// Redirects are never followed (a 3xx is a failed attempt); 410 Gone disables the webhook.
/// </summary>
public sealed class WebhookSender : BackgroundService
{
    /// <summary>A response body is read up to this many bytes (for the error shown in the deliveries list), never further.</summary>
    public const int MaxBodyBytes = 4096;

    private readonly IDocumentStore _documents;
    private readonly TimeProvider _clock;
    private readonly WebhookOptions _options;
    private readonly ILogger<WebhookSender> _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Task> _sending = new();
    private readonly SemaphoreSlim _wake = new(0);
    private DateTimeOffset _nextReportCheck = DateTimeOffset.MinValue;

    public WebhookSender(IDocumentStore documents, TimeProvider clock, IOptions<WebhookOptions> options, WebhookDns dns, ILogger<WebhookSender> logger)
    {
        (_documents, _clock, _options, _logger) = (documents, clock, options.Value, logger);
        _http = new HttpClient(new SocketsHttpHandler
        {
            // The handler connects only to addresses it checked itself; a proxy would connect for it, unchecked.
            ConnectCallback = WebhookTargets.ConnectCallback(_options.AllowedHosts, dns),
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(Math.Min(5, _options.TimeoutSeconds)),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = 4,
            MaxResponseHeadersLength = 16,
            // A body left unread is drained for connection reuse up to this much, not the default megabyte.
            MaxResponseDrainSize = MaxBodyBytes,
            ResponseDrainTimeout = TimeSpan.FromSeconds(1),
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own (TimeoutSeconds)
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Vendor-Webhooks/1.0");
    }

    /// <summary>Wakes the sender before its next poll (a test or replay was just queued).</summary>
    public void Poke()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await QueueEndedMonthReportsAsync(stoppingToken);
                await DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogWarning(e, "Webhook dispatch round failed; retrying");
            }
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(_options.PollSeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        // Sends cut short by the shutdown stay claimed until their lease runs out, then another replica (or the next start) retries them.
        try
        {
            await Task.WhenAll(_sending.Values);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Starts a sender for each webhook with due deliveries that has none running here.</summary>
    public async Task DispatchDueAsync(CancellationToken ct)
    {
        List<string> due;
        await using (var connection = _documents.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync(ct);
            due = await WebhookDeliveries.DueWebhooksAsync(connection, _clock.GetUtcNow(), ct);
        }
        foreach (var webhookId in due)
        {
            if (_sending.Count >= _options.MaxConcurrentEndpoints) break;
            if (_sending.ContainsKey(webhookId)) continue;
            var work = Task.Run(() => SendWebhookAsync(webhookId, ct), ct);
            _sending[webhookId] = work;
            _ = work.ContinueWith(t =>
            {
                if (t.Exception is { } e && !ct.IsCancellationRequested) _logger.LogError(e, "Sending to webhook {Webhook} failed; retried next round", webhookId);
                _sending.TryRemove(webhookId, out Task? _);
            }, TaskScheduler.Default);
        }
    }

    private async Task SendWebhookAsync(string webhookId, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(_options.TimeoutSeconds);
        while (!ct.IsCancellationRequested)
        {
            // The lease outlasts the attempt's timeout: another replica takes the delivery only when this one has stopped trying.
            // A connection is held only around the claim and the outcome, never while the endpoint is answering.
            (WebhookDelivery Delivery, Guid Claim)? claimed;
            await using (var connection = await OpenAsync(ct))
                claimed = await WebhookDeliveries.ClaimAsync(connection, webhookId, _clock.GetUtcNow(), timeout + TimeSpan.FromSeconds(20), ct);
            if (claimed is not var (delivery, claim)) return;
            Webhook? webhook;
            await using (var query = _documents.QuerySession())
                webhook = await query.LoadAsync<Webhook>(Webhook.StreamKey(webhookId), ct);
            var outcome = webhook is not { Active: true }
                ? delivery.Abandoned(null, webhook?.Status == WebhookStatus.Disabled ? "The webhook is disabled." : "The webhook was removed.", attempted: false)
                : await AttemptAsync(webhook, delivery, timeout, ct);
            var failed = outcome.Status == DeliveryStatus.Pending;
            await using (var connection = await OpenAsync(ct))
            {
                if (!await WebhookDeliveries.CompleteAsync(connection, outcome, claim, ct))
                    _logger.LogWarning("Webhook delivery {Delivery}: the lease ran out before the attempt was recorded", delivery.Id);
                if (failed) await WebhookDeliveries.DeferAsync(connection, webhookId, outcome.NextAttemptAt, ct);
            }
            if (outcome.Status != DeliveryStatus.Delivered)
                _logger.LogInformation("Webhook delivery {Delivery} ({Type}) to {Webhook}: attempt {Attempt} failed: {Error}", delivery.Id, delivery.Type,
                    webhookId, outcome.Attempts, outcome.LastError);
            if (outcome.LastStatusCode == StatusCodes.Status410Gone && webhook is { Active: true }) await DisableAsync(webhook, ct);
            // The endpoint is failing: it gets its slot back after the back-off, not now.
            if (failed) return;
        }
    }

    private async Task<Npgsql.NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = _documents.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>One signed POST of the delivery; its outcome as the delivery's next state.</summary>
    private async Task<WebhookDelivery> AttemptAsync(Webhook webhook, WebhookDelivery delivery, TimeSpan timeout, CancellationToken ct)
    {
        var retry = _options.Retry;
        var (url, shapeError) = WebhookTargets.CheckShape(webhook.Url, _options.AllowedHosts);
        if (url is null) return delivery.FailedAttempt(null, $"Refused: {shapeError}", _clock.GetUtcNow(), retry, Random.Shared.NextDouble());
        var sentAt = _clock.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", delivery.Id);
        request.Headers.Add("webhook-timestamp", sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(webhook.Secret).Sign(delivery.Id, sentAt, delivery.Body));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var code = (int)response.StatusCode;
            var now = _clock.GetUtcNow();
            if (code is >= 200 and < 300) return delivery.Succeeded(code, now);
            if (response.StatusCode == HttpStatusCode.Gone)
                return delivery.Abandoned(code, "410 Gone: the endpoint is gone; the webhook was disabled.", attempted: true);
            var error = code is >= 300 and < 400
                ? $"HTTP {code}: redirects are not followed (register the final URL){(response.Headers.Location is { } to ? $"; Location: {Clip(to.ToString())}" : "")}"
                : $"HTTP {code}: {Clip(await ReadLimitedAsync(response, attempt.Token))}";
            return delivery.FailedAttempt(code, error, now, retry, Random.Shared.NextDouble());
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var error = Refusal(e) is { } refused ? $"Refused: {refused.Message}"
                : e is OperationCanceledException ? $"Timed out after {timeout.TotalSeconds:0.#} s."
                : $"{e.GetType().Name}: {e.Message}";
            return delivery.FailedAttempt(null, error, _clock.GetUtcNow(), retry, Random.Shared.NextDouble());
        }
    }

    private static WebhookTargetRefusedException? Refusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is WebhookTargetRefusedException refused) return refused;
        return null;
    }

    /// <summary>At most <see cref="MaxBodyBytes"/> of the response body, as text.</summary>
    private static async Task<string> ReadLimitedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxBodyBytes];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), ct) is var n and > 0) read += n;
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private async Task DisableAsync(Webhook webhook, CancellationToken ct)
    {
        await using var session = _documents.LightweightSession();
        session.Events.Append(Webhook.StreamKey(webhook.WebhookId),
            new WebhookDisabled(webhook.WebhookId, webhook.StoreId, "The endpoint answered 410 Gone.", _clock.GetUtcNow()));
        WebhookDeliveries.AbandonPending(session, webhook.WebhookId, "The webhook was disabled (410 Gone).");
        await session.SaveChangesAsync(ct);
    }

    /// <summary>
    /// report.ready: once per webhook and store-local month, when the month has ended. The delivery's dedupe key makes it once-only
    /// across restarts and replicas (the insert of a second one does nothing).
    /// </summary>
    public async Task QueueEndedMonthReportsAsync(CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        if (now < _nextReportCheck) return;
        _nextReportCheck = now + TimeSpan.FromSeconds(_options.ReportCheckSeconds);
        await using var session = _documents.LightweightSession();
        var webhooks = (await session.Query<Webhook>().Where(w => w.Status == WebhookStatus.Active).ToListAsync(ct))
            .Where(w => w.Wants(WebhookEventTypes.ReportReady)).ToList();
        if (webhooks.Count == 0) return;
        foreach (var byStore in webhooks.GroupBy(w => w.StoreId))
        {
            var store = await session.LoadAsync<Store>(Store.StreamKey(byStore.Key), ct);
            if (store is null) continue;
            foreach (var webhook in byStore)
            {
                if (StoreWebhookEvents.EndedMonth(store.Calendar, webhook.CreatedAt, now) is not { } month) continue;
                var body = StoreWebhookEvents.ReportReady(store.StoreId, month, now).Serialize();
                WebhookDeliveries.Enqueue(session,
                    WebhookDelivery.New(webhook.WebhookId, store.StoreId, WebhookEventTypes.ReportReady, body, now),
                    dedupeKey: $"{WebhookEventTypes.ReportReady}:{webhook.WebhookId}:{month}");
            }
        }
        await session.SaveChangesAsync(ct);
    }
}
