using System.Net.Http.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Vendor.Agreements.Webhooks;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>Agreements whose own webhook sender sleeps (an hour between rounds), so the tests drive the deliveries table themselves.</summary>
public sealed class QuietWebhookAgreements : IAsyncLifetime
{
    public ServiceHost<AgreementsApi> Host { get; private set; } = null!;
    public string Postgres { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var settings = await ServiceHost<AgreementsApi>.SettingsAsync();
        settings["Webhooks:PollSeconds"] = "3600";
        Postgres = settings["ConnectionStrings:Postgres"]!;
        Host = new ServiceHost<AgreementsApi>(settings);
        Host.CreateClient();
    }

    public IDocumentStore Documents => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task<long> CountAsync(string where, params object[] values)
    {
        await using var connection = new NpgsqlConnection(Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM agreements.webhook_deliveries WHERE {where}", connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>The deliveries table: written with the causing change or not at all, claimed once at a time, retried after a crash, report.ready once.</summary>
public class WebhookDeliveryStoreTests(QuietWebhookAgreements agreements) : IClassFixture<QuietWebhookAgreements>
{
    // Years ahead: the host's own sender (real clock) never finds these deliveries due while a test claims them.
    private static readonly DateTimeOffset Now = new(2035, 12, 1, 2, 0, 0, TimeSpan.Zero);

    private async Task<NpgsqlConnection> Connection()
    {
        var connection = new NpgsqlConnection(agreements.Postgres);
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task A_delivery_commits_with_the_session_that_caused_it_or_not_at_all()
    {
        var kept = WebhookDelivery.New("wh_tx", "s-tx", "test", "{}", Now);
        var dropped = WebhookDelivery.New("wh_tx", "s-tx", "test", "{}", Now);

        await using (var session = agreements.Documents.LightweightSession())
        {
            WebhookDeliveries.Enqueue(session, dropped);
            // never saved: the change failed, so did its delivery
        }
        await using (var session = agreements.Documents.LightweightSession())
        {
            WebhookDeliveries.Enqueue(session, kept);
            await session.SaveChangesAsync();
        }

        Assert.Equal(1, await agreements.CountAsync("webhook_id = $1", "wh_tx"));
        Assert.Equal(1, await agreements.CountAsync("id = $1 AND status = 'pending'", kept.Id));
    }

    [Fact]
    public async Task Concurrent_senders_claim_each_due_delivery_exactly_once()
    {
        await using (var session = agreements.Documents.LightweightSession())
        {
            for (var i = 0; i < 20; i++) WebhookDeliveries.Enqueue(session, WebhookDelivery.New("wh_race", "s-race", "test", $"{{\"n\":{i}}}", Now));
            await session.SaveChangesAsync();
        }

        var claimed = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var connection = await Connection();
            var mine = new List<string>();
            while (await WebhookDeliveries.ClaimAsync(connection, "wh_race", Now, TimeSpan.FromSeconds(30), default) is var (delivery, _))
                mine.Add(delivery.Id);
            return mine;
        })));

        var all = claimed.SelectMany(c => c).ToList();
        Assert.Equal(20, all.Count);
        Assert.Equal(20, all.Distinct().Count());
    }

    [Fact]
    public async Task A_send_that_crashed_is_claimed_again_once_its_lease_ran_out_and_the_late_outcome_is_ignored()
    {
        var delivery = WebhookDelivery.New("wh_crash", "s-crash", "test", "{}", Now);
        await using (var session = agreements.Documents.LightweightSession())
        {
            WebhookDeliveries.Enqueue(session, delivery);
            await session.SaveChangesAsync();
        }
        await using var connection = await Connection();
        var lease = TimeSpan.FromSeconds(30);

        var (first, firstClaim) = (await WebhookDeliveries.ClaimAsync(connection, "wh_crash", Now, lease, default))!.Value;
        // The sender dies mid-send. While the lease runs, nobody else sends it...
        Assert.Null(await WebhookDeliveries.ClaimAsync(connection, "wh_crash", Now.AddSeconds(29), lease, default));
        // ...after it, another sender does: the same delivery, the same webhook-id.
        var (second, secondClaim) = (await WebhookDeliveries.ClaimAsync(connection, "wh_crash", Now.AddSeconds(31), lease, default))!.Value;
        Assert.Equal(delivery.Id, first.Id);
        Assert.Equal(first.Id, second.Id);

        Assert.False(await WebhookDeliveries.CompleteAsync(connection, first.Succeeded(200, Now.AddSeconds(40)), firstClaim, default));
        Assert.True(await WebhookDeliveries.CompleteAsync(connection, second.Succeeded(200, Now.AddSeconds(41)), secondClaim, default));
        Assert.Equal(1, await agreements.CountAsync("id = $1 AND status = 'delivered' AND attempts = 1", delivery.Id));
    }

    [Fact]
    public async Task Report_ready_is_queued_once_per_webhook_and_month_whichever_replica_checks_and_how_often()
    {
        var ops = agreements.Host.OpsClient();
        (await ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "s-report", name = "s-report", platform = "tmall" })).EnsureSuccessStatusCode();
        var registered = new WebhookRegistered("wh_report", "s-report", "https://hooks.example.com/r", [WebhookEventTypes.ReportReady],
            WebhookDecisions.NewSecret(), new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
        await using (var session = agreements.Documents.LightweightSession())
        {
            session.Events.StartStream<Webhook>(Webhook.StreamKey("wh_report"), registered);
            await session.SaveChangesAsync();
        }

        // 2026-12-01 00:30 in Shanghai: November has ended there. Two replicas, each checking twice, at once.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 16, 30, 0, TimeSpan.Zero));
        var replicas = Enumerable.Range(0, 2).Select(_ => new WebhookSender(agreements.Documents, clock,
            Options.Create(new WebhookOptions { ReportCheckSeconds = 0 }), new WebhookDns(), NullLogger<WebhookSender>.Instance)).ToList();
        await Task.WhenAll(replicas.SelectMany(r => new[] { r.QueueEndedMonthReportsAsync(default), r.QueueEndedMonthReportsAsync(default) }));
        await replicas[0].QueueEndedMonthReportsAsync(default);

        Assert.Equal(1, await agreements.CountAsync("webhook_id = 'wh_report' AND type = 'report.ready'"));
        Assert.Equal(1, await agreements.CountAsync("webhook_id = 'wh_report' AND body LIKE '%\"month\":\"2026-11\"%'"));

        clock.SetUtcNow(new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero));
        await replicas[1].QueueEndedMonthReportsAsync(default);
        await replicas[0].QueueEndedMonthReportsAsync(default);
        Assert.Equal(2, await agreements.CountAsync("webhook_id = 'wh_report' AND type = 'report.ready'"));
        Assert.Equal(1, await agreements.CountAsync("webhook_id = 'wh_report' AND body LIKE '%\"month\":\"2026-12\"%'"));
        foreach (var replica in replicas) replica.Dispose();
    }

    [Fact]
    public async Task A_failed_attempt_defers_the_endpoints_other_due_deliveries_and_the_longest_waiting_endpoint_comes_first()
    {
        var (first, second, other) = (WebhookDelivery.New("wh_dead", "s-dead", "test", "{}", Now.AddMinutes(-2)),
            WebhookDelivery.New("wh_dead", "s-dead", "test", "{}", Now.AddMinutes(-1)),
            WebhookDelivery.New("wh_alive", "s-alive", "test", "{}", Now.AddSeconds(-30)));
        await using (var session = agreements.Documents.LightweightSession())
        {
            WebhookDeliveries.Enqueue(session, first);
            WebhookDeliveries.Enqueue(session, second);
            WebhookDeliveries.Enqueue(session, other);
            await session.SaveChangesAsync();
        }
        await using var connection = await Connection();
        var due = await WebhookDeliveries.DueWebhooksAsync(connection, Now, default);
        Assert.True(due.IndexOf("wh_dead") < due.IndexOf("wh_alive"), "the endpoint waiting longest is dispatched first");

        var (claimed, claim) = (await WebhookDeliveries.ClaimAsync(connection, "wh_dead", Now, TimeSpan.FromSeconds(30), default))!.Value;
        Assert.Equal(first.Id, claimed.Id);
        var retryAt = Now.AddSeconds(5);
        Assert.True(await WebhookDeliveries.CompleteAsync(connection, claimed with { Attempts = 1, NextAttemptAt = retryAt, LastError = "Timed out" }, claim, default));
        await WebhookDeliveries.DeferAsync(connection, "wh_dead", retryAt, default);

        // The endpoint is down: its second delivery waits for the same back-off instead of spending another timeout now.
        Assert.Null(await WebhookDeliveries.ClaimAsync(connection, "wh_dead", Now, TimeSpan.FromSeconds(30), default));
        Assert.DoesNotContain("wh_dead", await WebhookDeliveries.DueWebhooksAsync(connection, Now, default));
        Assert.Equal(1, await agreements.CountAsync("id = $1 AND next_attempt_at = $2", second.Id, retryAt.UtcDateTime));
        Assert.Equal(other.Id, (await WebhookDeliveries.ClaimAsync(connection, "wh_alive", Now, TimeSpan.FromSeconds(30), default))!.Value.Delivery.Id);
        Assert.NotNull(await WebhookDeliveries.ClaimAsync(connection, "wh_dead", retryAt, TimeSpan.FromSeconds(30), default));
    }
}
