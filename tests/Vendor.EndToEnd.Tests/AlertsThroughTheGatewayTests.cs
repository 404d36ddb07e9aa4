using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Marten;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Contracts;
using Vendor.Gateway;
using Vendor.Gateway.Alerts;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>The platform with a second gateway replica; both consume alerts from the bus (competing) and count what they consumed.</summary>
public sealed class AlertsPlatform : IAsyncLifetime
{
    public PlatformFixture Platform { get; } = new();
    public ServiceHost<GatewayApi> Replica { get; private set; } = null!;
    public ConsumedMessages Consumed { get; } = new();

    public async Task InitializeAsync()
    {
        await Platform.InitializeAsync();
        Replica = Platform.StartGateway(tokensPerSecond: 1000, burst: 1000);
        Replica.CreateClient();
        foreach (var gateway in new[] { Platform.Gateway, Replica }) gateway.Services.GetRequiredService<IBus>().ConnectConsumeObserver(Consumed);
    }

    public Task DisposeAsync() => Platform.DisposeAsync();
}

/// <summary>Every message a gateway finished consuming, by MessageId (re-deliveries counted).</summary>
public sealed class ConsumedMessages : IConsumeObserver
{
    public ConcurrentDictionary<Guid, int> Ids { get; } = new();

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (context.MessageId is { } id) Ids.AddOrUpdate(id, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}

/// <summary>A reader of the gateway's server-sent events, as a browser's EventSource would see them.</summary>
public sealed class AlertStreamReader : IAsyncDisposable
{
    private readonly Channel<(string Event, string Data)> _events = Channel.CreateUnbounded<(string, string)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpResponseMessage _response;
    private readonly Task _reading;
    private int _comments;

    /// <summary>Comment lines received (the heartbeats).</summary>
    public int Comments => Volatile.Read(ref _comments);

    /// <summary>The server ended the stream (or it was disposed).</summary>
    public bool Ended => _reading.IsCompleted;

    private AlertStreamReader(HttpResponseMessage response)
    {
        _response = response;
        _reading = Task.Run(ReadAsync);
    }

    public static async Task<AlertStreamReader> OpenAsync(HttpClient client, string apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/alerts/stream");
        request.Headers.Add("X-Api-Key", apiKey);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var reader = new AlertStreamReader(response);
        Assert.Equal("ready", (await reader.NextAsync(_ => true)).Event);
        return reader;
    }

    private async Task ReadAsync()
    {
        try
        {
            using var text = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            string? name = null;
            var data = new List<string>();
            while (await text.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0) await _events.Writer.WriteAsync((name ?? "message", string.Join("\n", data)));
                    name = null;
                    data = [];
                }
                else if (line.StartsWith(':')) Interlocked.Increment(ref _comments);
                else if (line.StartsWith("event:")) name = line["event:".Length..].Trim();
                else if (line.StartsWith("data:")) data.Add(line["data:".Length..].TrimStart());
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    /// <summary>The next event that matches, within the deadline (earlier events that do not match are skipped).</summary>
    public async Task<(string Event, JsonElement Data)> NextAsync(Func<(string Event, JsonElement Data), bool> match, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var (name, data) = await _events.Reader.ReadAsync(deadline.Token);
            var item = (name, JsonDocument.Parse(data).RootElement.Clone());
            if (match(item)) return item;
        }
    }

    public Task<(string Event, JsonElement Data)> NextAlertAsync(string alertId, Func<JsonElement, bool> match) =>
        NextAsync(e => e.Event == "alert" && e.Data.GetProperty("alertId").GetString() == alertId && match(e.Data));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reading;
        _stop.Dispose();
    }
}

/// <summary>
/// Live alerts for the ops dashboard through the gateway: SLA, staffing and overdue-feedback messages become alerts kept by the gateway,
/// listed and acknowledged under /api/dashboard/alerts, and streamed to every replica's /alerts/stream.
/// </summary>
public class AlertsThroughTheGatewayTests(AlertsPlatform fixture) : IClassFixture<AlertsPlatform>
{
    private PlatformFixture Platform => fixture.Platform;
    private readonly HttpClient _ops = fixture.Platform.Client(PlatformFixture.OpsKey);
    private static readonly string Month = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM");

    private HttpClient ReplicaClient(string? apiKey = null)
    {
        var client = fixture.Replica.CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    private async Task<JsonElement[]> ListAsync(string query = "") =>
        (await _ops.GetFromJsonAsync<JsonElement>($"/api/dashboard/alerts{query}")).EnumerateArray().ToArray();

    [Fact]
    public async Task Ingested_conversations_that_breach_a_target_raise_a_live_alert_on_another_replica_and_its_acknowledgement_follows()
    {
        await using var stream = await AlertStreamReader.OpenAsync(ReplicaClient(), PlatformFixture.OpsKey);
        var storeId = $"al-{Guid.NewGuid():N}"[..12];
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId, name = storeId, platform = "tmall", serviceHours = new[] { new { start = "00:00", end = "00:00" } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 50_000, currency = "CNY", atRiskPercent = 12, startsOn = "2026-01-01", endsOn = "2027-12-31",
            targets = new[] { new { metric = "firstResponseSeconds", target = 30.0, allocationPercent = 50m } },
        })).StatusCode);
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var conversation = new
        {
            conversationId = "c1", channel = "chat", kind = "presales", rating = "satisfied", resolved = true,
            messages = new object[]
            {
                new { at = at.ToString("o"), from = "customer", text = "请问什么时候发货？" },
                new { at = at.AddSeconds(100).ToString("o"), from = "agent", agentId = "a-1", text = "亲，今天下午发货哦" },
            },
        };
        (await _ops.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new { conversations = new[] { conversation } })).EnsureSuccessStatusCode();

        var alertId = $"sla.{storeId}.{Month}.firstResponseSeconds";
        var raised = (await stream.NextAlertAsync(alertId, _ => true)).Data;
        Assert.Equal(("sla", "critical", "open", storeId), (raised.GetProperty("source").GetString(), raised.GetProperty("severity").GetString(),
            raised.GetProperty("status").GetString(), raised.GetProperty("storeId").GetString()));
        Assert.Equal($"{storeId} firstResponseSeconds missed: 100.0 s vs 30 s", raised.GetProperty("title").GetString());

        var listed = Assert.Single(await ListAsync(), a => a.GetProperty("alertId").GetString() == alertId);
        Assert.Equal("open", listed.GetProperty("status").GetString());

        var ack = await _ops.PostAsync($"/api/dashboard/alerts/{alertId}/ack", null);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var acknowledged = await ack.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("acknowledged", "ops-bootstrap"), (acknowledged.GetProperty("status").GetString(), acknowledged.GetProperty("acknowledgedBy").GetString()));
        var again = await ReplicaClient(PlatformFixture.OpsKey).PostAsync($"/api/dashboard/alerts/{alertId}/ack", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(acknowledged.GetProperty("acknowledgedAt").GetDateTimeOffset(),
            (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("acknowledgedAt").GetDateTimeOffset());

        var change = (await stream.NextAlertAsync(alertId, a => a.GetProperty("status").GetString() == "acknowledged")).Data;
        Assert.Equal("ops-bootstrap", change.GetProperty("acknowledgedBy").GetString());
        Assert.Contains(await ListAsync("?status=acknowledged"), a => a.GetProperty("alertId").GetString() == alertId);
        Assert.DoesNotContain(await ListAsync("?status=open"), a => a.GetProperty("alertId").GetString() == alertId);

        // Faster answers bring the month's mean under the target: Agreements publishes SlaRecovered and the alert resolves by itself.
        var fast = Enumerable.Range(2, 9).Select(i => new
        {
            conversationId = $"c{i}", channel = "chat", kind = "presales", rating = "satisfied", resolved = true,
            messages = new object[]
            {
                new { at = at.AddSeconds(i).ToString("o"), from = "customer", text = "在吗？" },
                new { at = at.AddSeconds(i + 5).ToString("o"), from = "agent", agentId = "a-1", text = "在的亲" },
            },
        });
        (await _ops.PostAsJsonAsync($"/api/sla/stores/{storeId}/conversations", new { conversations = fast })).EnsureSuccessStatusCode();
        var resolved = (await stream.NextAlertAsync(alertId, a => a.GetProperty("status").GetString() == "resolved")).Data;
        Assert.Equal("critical", resolved.GetProperty("severity").GetString());
        Assert.Contains(await ListAsync("?status=resolved"), a => a.GetProperty("alertId").GetString() == alertId);
    }

    [Fact]
    public async Task A_redelivered_message_changes_nothing_and_at_risk_then_breached_is_one_alert()
    {
        var bus = Platform.Gateway.Services.GetRequiredService<IBus>();
        var storeId = $"rd-{Guid.NewGuid():N}"[..12];
        var (first, second) = (NewId.NextGuid(), NewId.NextGuid());
        var now = DateTimeOffset.UtcNow;
        await bus.Publish(new SlaAtRisk(storeId, Month, "qcScore", 82, 80, now), c => c.MessageId = first);
        var alertId = DashboardAlertRules.SlaAlertId(storeId, Month, "qcScore");
        await Eventually.Until(() => ListAsync(), list => list.Any(a => a.GetProperty("alertId").GetString() == alertId), what: "the at-risk alert");

        await bus.Publish(new SlaBreached(storeId, Month, "qcScore", 70, 80, now.AddMinutes(1)), c => c.MessageId = second);
        await Eventually.Until(() => ListAsync(), list => list.Any(a => a.GetProperty("alertId").GetString() == alertId
            && a.GetProperty("severity").GetString() == "critical"), what: "the breach on the same alert");
        // The first message again (same MessageId) with a later time: handled already, so it must not turn the alert back to a warning.
        await bus.Publish(new SlaAtRisk(storeId, Month, "qcScore", 81, 80, now.AddMinutes(2)), c => c.MessageId = first);
        await Eventually.Until(() => Task.FromResult(fixture.Consumed.Ids.GetValueOrDefault(first)), n => n >= 2, what: "the re-delivery consumed");

        var alert = Assert.Single(await ListAsync(), a => a.GetProperty("storeId").GetString() == storeId);
        Assert.Equal(("critical", $"{storeId} qcScore missed: 70.0 vs 80"), (alert.GetProperty("severity").GetString(), alert.GetProperty("title").GetString()));
        await using var session = Platform.Gateway.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(DashboardAlert.StreamKey(alertId));
        Assert.Equal([typeof(DashboardAlertRaised), typeof(DashboardAlertChanged)], events.Select(e => e.Data.GetType()));
    }

    [Fact]
    public async Task Acknowledging_a_staffing_alert_on_the_dashboard_acknowledges_it_in_Staffing()
    {
        var team = $"night-{Guid.NewGuid():N}"[..14];
        var agents = Enumerable.Range(1, 3).Select(i => $"ag-{Guid.NewGuid():N}"[..14]).ToList();
        foreach (var agentId in agents)
            (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = "王芳", team, skills = new[] { "presales" }, hiredOn = "2026-11-01" }))
                .EnsureSuccessStatusCode();
        var now = DateTimeOffset.UtcNow;
        foreach (var agentId in agents)
            (await _ops.PostAsJsonAsync("/api/staffing/absences", new { agentId, kind = "sick", from = now.AddMinutes(-10), to = now.AddHours(2) }))
                .EnsureSuccessStatusCode();

        var alert = (await Eventually.Until(() => ListAsync(), list => list.Any(a => a.GetProperty("title").GetString()!.StartsWith($"team {team} absence spike")),
            what: "the absence spike on the dashboard")).Single(a => a.GetProperty("title").GetString()!.StartsWith($"team {team} absence spike"));
        Assert.Equal(("staffing", "absenceSpike", "open"), (alert.GetProperty("source").GetString(), alert.GetProperty("kind").GetString(),
            alert.GetProperty("status").GetString()));
        var alertId = alert.GetProperty("alertId").GetString()!;
        var staffingAlertId = alertId["staffing.".Length..];

        var ack = await _ops.PostAsync($"/api/dashboard/alerts/{alertId}/ack", null);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var inStaffing = await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{staffingAlertId}");
        Assert.Equal(("acknowledged", "ops-bootstrap"), (inStaffing.GetProperty("status").GetString(), inStaffing.GetProperty("acknowledgedBy").GetString()));
        // Staffing's own change message comes back and changes nothing more.
        var after = Assert.Single(await ListAsync("?status=acknowledged"), a => a.GetProperty("alertId").GetString() == alertId);
        Assert.Equal("ops-bootstrap", after.GetProperty("acknowledgedBy").GetString());
    }

    [Fact]
    public async Task Overdue_feedback_is_one_alert_whose_acknowledgement_reaches_Staffing_and_which_resolves_when_settled()
    {
        var bus = Platform.Gateway.Services.GetRequiredService<IBus>();
        var (storeId, feedbackId) = ($"fb-{Guid.NewGuid():N}"[..12], $"fb-{Guid.NewGuid():N}"[..16]);
        var due = DateTimeOffset.UtcNow.AddHours(-1);
        await bus.Publish(new StoreFeedbackOverdue(feedbackId, storeId, "complaint", "critical", due, "客服态度差", DateTimeOffset.UtcNow));
        var scope = $"store:{storeId}:feedback:{feedbackId}";
        var inStaffing = (await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>("/api/staffing/alerts"),
            list => list.EnumerateArray().Any(a => a.GetProperty("scope").GetString() == scope), what: "Staffing's feedback alert"))
            .EnumerateArray().Single(a => a.GetProperty("scope").GetString() == scope);
        var alertId = DashboardAlertRules.FeedbackAlertId(feedbackId);
        await Eventually.Until(() => ListAsync(), list => list.Any(a => a.GetProperty("alertId").GetString() == alertId), what: "the dashboard's feedback alert");
        var all = await ListAsync("?status=all");
        Assert.DoesNotContain(all, a => a.GetProperty("alertId").GetString() == $"staffing.{inStaffing.GetProperty("alertId").GetString()}");

        Assert.Equal(HttpStatusCode.OK, (await _ops.PostAsync($"/api/dashboard/alerts/{alertId}/ack", null)).StatusCode);
        var acknowledged = await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/alerts/{inStaffing.GetProperty("alertId").GetString()}");
        Assert.Equal("acknowledged", acknowledged.GetProperty("status").GetString());

        await bus.Publish(new StoreFeedbackSettled(feedbackId, storeId, DateTimeOffset.UtcNow));
        await Eventually.Until(() => ListAsync("?status=resolved"), list => list.Any(a => a.GetProperty("alertId").GetString() == alertId),
            what: "the feedback alert resolved");
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeats_and_a_closed_one_is_cleaned_up()
    {
        var configuration = fixture.Replica.Services.GetRequiredService<IConfiguration>();
        var feed = fixture.Replica.Services.GetRequiredService<AlertFeed>();
        configuration["Gateway:Alerts:HeartbeatSeconds"] = "0.1";
        try
        {
            var stream = await AlertStreamReader.OpenAsync(ReplicaClient(), PlatformFixture.OpsKey);
            await Eventually.Until(() => Task.FromResult(stream.Comments), n => n >= 3, what: "heartbeats");
            Assert.Equal(1, feed.Subscribers);
            await stream.DisposeAsync();
            await Eventually.Until(() => Task.FromResult(feed.Subscribers), n => n == 0, what: "the subscription ended with the request");
        }
        finally
        {
            configuration["Gateway:Alerts:HeartbeatSeconds"] = null;
        }
    }

    [Fact]
    public async Task An_open_stream_ends_at_its_next_heartbeat_once_its_key_is_revoked()
    {
        var configuration = fixture.Replica.Services.GetRequiredService<IConfiguration>();
        configuration["Gateway:Alerts:HeartbeatSeconds"] = "0.1";
        try
        {
            var (keyId, secret) = await fixture.Platform.IssueKey(Roles.Ops, null);
            var stream = await AlertStreamReader.OpenAsync(ReplicaClient(), secret);
            await Eventually.Until(() => Task.FromResult(stream.Comments), n => n >= 1, what: "a heartbeat while the key is valid");
            Assert.False(stream.Ended);

            Assert.Equal(HttpStatusCode.NoContent, (await fixture.Platform.Client(PlatformFixture.OpsKey).DeleteAsync($"/api/keys/{keyId}")).StatusCode);

            await Eventually.Until(() => Task.FromResult(stream.Ended), ended => ended, what: "the stream of a revoked key ended");
            await stream.DisposeAsync();
        }
        finally
        {
            configuration["Gateway:Alerts:HeartbeatSeconds"] = null;
        }
    }

    [Fact]
    public async Task Only_ops_see_list_acknowledge_and_follow_alerts_and_bad_input_is_a_4xx_problem()
    {
        var (_, storeKey) = await Platform.IssueKey(Roles.Store, "acme");
        var anonymous = ReplicaClient();
        var store = ReplicaClient(storeKey);

        var noKey = await anonymous.GetAsync("/alerts/stream");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal("application/problem+json", noKey.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ReplicaClient("not-a-key-0123456789").GetAsync("/alerts/stream")).StatusCode);
        var storeStream = await store.GetAsync("/alerts/stream");
        Assert.Equal(HttpStatusCode.Forbidden, storeStream.StatusCode);
        Assert.Equal("application/problem+json", storeStream.Content.Headers.ContentType!.MediaType);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/dashboard/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/dashboard/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await store.PostAsync("/api/dashboard/alerts/sla.acme.2026-12.missedRate/ack", null)).StatusCode);

        foreach (var bad in new[] { "?status=closed", "?limit=0", "?limit=abc", "?limit=501" })
        {
            var response = await _ops.GetAsync($"/api/dashboard/alerts{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        var unknown = await _ops.PostAsync("/api/dashboard/alerts/sla.nope.2026-12.missedRate/ack", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);

        // Guessing keys on the stream is limited per address like on /api (on the primary: the replica's streams stay usable).
        var statuses = new List<HttpStatusCode>();
        var primary = Platform.Gateway.CreateClient();
        for (var i = 0; i < 32; i++)
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/alerts/stream");
            guess.Headers.Add("X-Api-Key", $"guess-{i}-0123456789");
            statuses.Add((await primary.SendAsync(guess)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
