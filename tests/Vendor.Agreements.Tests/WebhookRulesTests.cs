using System.Net;
using JasperFx.Events;
using Vendor.Agreements;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Webhooks;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Tests;

/// <summary>The pure rules of store webhooks: forgery checks, back-off, delivery states, which SLA changes stores hear of.</summary>
public class WebhookRulesTests
{
    [Theory]
    // public
    [InlineData("93.184.216.34", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("100.63.255.255", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("172.15.255.255", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700:4700::1111", false)]
    [InlineData("::ffff:93.184.216.34", false)]
    [InlineData("64:ff9b::808:808", false)]
    // loopback, private, CGNAT, link-local, this network, multicast, reserved
    [InlineData("127.0.0.1", true)]
    [InlineData("127.255.0.7", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.254", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.127.255.255", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("0.1.2.3", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("239.255.255.250", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("240.0.0.1", true)]
    [InlineData("198.18.0.1", true)]
    [InlineData("192.0.2.10", true)]
    // IPv6 and IPv4 written as IPv6
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("febf::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:169.254.169.254", true)]
    [InlineData("::ffff:100.64.0.1", true)]
    [InlineData("::127.0.0.1", true)]
    [InlineData("64:ff9b::7f00:1", true)]
    [InlineData("2002:c0a8:0101::1", true)]
    [InlineData("2002:7f00:0001::1", true)]
    [InlineData("64:ff9b:1::a00:1", true)] // local-use NAT64 (RFC 8215)
    [InlineData("::ffff:0:a00:1", true)] // SIIT form of 10.0.0.1
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", true)] // Teredo
    public void Only_public_addresses_may_be_webhook_targets(string address, bool blocked)
    {
        var why = WebhookTargets.Blocked(IPAddress.Parse(address));

        Assert.Equal(blocked, why is not null);
    }

    [Theory]
    [InlineData("https://hooks.example.com/vendor", null)]
    [InlineData("https://93.184.216.34:8443/x?y=1", null)]
    [InlineData("http://localhost:5000/hook", null)]
    [InlineData("http://127.0.0.1:5000/hook", "https")]
    [InlineData("http://example.com/hook", "https")]
    [InlineData("https://127.0.0.1/hook", "loopback")]
    [InlineData("https://10.0.0.1/hook", "private")]
    [InlineData("https://[::1]/hook", "loopback")]
    [InlineData("https://[::ffff:127.0.0.1]/hook", "loopback")]
    [InlineData("https://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("https://100.64.1.1/", "carrier-grade")]
    [InlineData("https://0.0.0.0/", "this network")]
    [InlineData("ftp://example.com/x", "absolute https")]
    [InlineData("/relative", "absolute https")]
    [InlineData("https://user:pass@example.com/", "password")]
    [InlineData("", "Required")]
    public void A_url_is_refused_with_a_reason_unless_https_to_a_public_host_or_an_allowed_host(string url, string? reason)
    {
        var (uri, error) = WebhookTargets.CheckShape(url, ["localhost"]);

        if (reason is null)
        {
            Assert.Null(error);
            Assert.NotNull(uri);
        }
        else
        {
            Assert.Null(uri);
            Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
        }
    }

    private sealed class FixedDns(params string[] addresses) : WebhookDns
    {
        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Task.FromResult(addresses.Select(IPAddress.Parse).ToArray());
    }

    [Fact]
    public async Task A_name_is_checked_by_every_address_it_resolves_to()
    {
        Assert.Single(await WebhookTargets.CheckedAddressesAsync("hooks.example.com", [], new FixedDns("93.184.216.34"), default));
        var rebinding = await Assert.ThrowsAsync<WebhookTargetRefusedException>(() =>
            WebhookTargets.CheckedAddressesAsync("hooks.example.com", [], new FixedDns("93.184.216.34", "10.0.0.5"), default));
        Assert.Contains("not a public internet address", rebinding.Message);
        // Neither the address nor its range is told: a store must not map internal names through the refusal.
        Assert.DoesNotContain("10.0.0.5", rebinding.Message);
        Assert.DoesNotContain("private", rebinding.Message);
        await Assert.ThrowsAsync<WebhookTargetRefusedException>(() => WebhookTargets.CheckedAddressesAsync("nowhere.example", [], new FixedDns(), default));
        // An allowed host may resolve anywhere.
        Assert.Single(await WebhookTargets.CheckedAddressesAsync("localhost", ["localhost"], new FixedDns("127.0.0.1"), default));
    }

    [Fact]
    public void Retries_back_off_exponentially_with_jitter_and_go_on_for_at_least_a_day_then_fail()
    {
        var policy = RetryPolicy.Default;
        var created = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var delivery = WebhookDelivery.New("wh_1", "s1", "sla.breached", "{}", created);
        var id = delivery.Id;
        var random = new Random(7);
        var now = created;
        var waits = new List<TimeSpan>();
        while (delivery.Status == DeliveryStatus.Pending)
        {
            now = delivery.NextAttemptAt;
            var next = delivery.FailedAttempt(503, "HTTP 503", now, policy, random.NextDouble());
            Assert.Equal(id, next.Id); // the same webhook-id on every retry
            if (next.Status == DeliveryStatus.Pending) waits.Add(next.NextAttemptAt - now);
            delivery = next;
        }

        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.True(now - created >= TimeSpan.FromHours(24), $"gave up after {now - created}");
        Assert.True(now - created < TimeSpan.FromHours(26), $"went on until {now - created}");
        Assert.InRange(waits[0].TotalSeconds, 4, 6);
        Assert.InRange(waits[1].TotalSeconds, 8, 12);
        Assert.InRange(waits[2].TotalSeconds, 16, 24);
        Assert.All(waits, w => Assert.InRange(w.TotalSeconds, 4, 3600 * 1.2));
        Assert.True(waits.Distinct().Count() > waits.Count / 2, "jitter spreads the waits");
        Assert.Equal(waits.Count + 1, delivery.Attempts);
    }

    [Fact]
    public void A_delivery_is_delivered_retried_or_abandoned()
    {
        var now = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var pending = WebhookDelivery.New("wh_1", "s1", "test", "{}", now);
        Assert.Equal((DeliveryStatus.Pending, 0, now), (pending.Status, pending.Attempts, pending.NextAttemptAt));
        Assert.StartsWith("msg_", pending.Id);

        var failed = pending.FailedAttempt(null, "Timed out after 10 s.", now.AddSeconds(10), RetryPolicy.Default, 0.5);
        Assert.Equal((DeliveryStatus.Pending, 1, "Timed out after 10 s."), (failed.Status, failed.Attempts, failed.LastError));
        Assert.Equal(now.AddSeconds(15), failed.NextAttemptAt);

        var delivered = failed.Succeeded(204, now.AddSeconds(20));
        Assert.Equal((DeliveryStatus.Delivered, 2, 204, null), (delivered.Status, delivered.Attempts, delivered.LastStatusCode, delivered.LastError));
        Assert.Equal(now.AddSeconds(20), delivered.DeliveredAt);

        var gone = failed.Abandoned(410, "410 Gone", attempted: true);
        Assert.Equal((DeliveryStatus.Failed, 2, 410), (gone.Status, gone.Attempts, gone.LastStatusCode));
        Assert.Equal(pending.Id, gone.Id);

        var replay = WebhookDelivery.New("wh_1", "s1", delivered.Type, delivered.Body, now.AddHours(1), replayOf: delivered.Id);
        Assert.NotEqual(delivered.Id, replay.Id);
        Assert.Equal((delivered.Body, delivered.Id), (replay.Body, replay.ReplayOf));
    }

    private static MetricFigure Figure(string status) => new(Metrics.MissedRate, 0.05, 0.04, status, 100);

    [Fact]
    public void A_metric_that_was_at_risk_or_missed_and_is_met_again_has_recovered()
    {
        var now = DateTimeOffset.UtcNow;
        SlaStatusChanged Change(string? before, string after) =>
            SlaWatch.Changes("s1", "2026-12", before is null ? null : new SlaMonth("sla:s1:2026-12", new Dictionary<string, string> { [Metrics.MissedRate] = before }),
                [Figure(after)], now).Single();

        var fromMissed = Change(MetricStatus.Missed, MetricStatus.Met);
        var fromAtRisk = Change(MetricStatus.AtRisk, MetricStatus.Met);
        Assert.True(StoreWebhookEvents.IsRecovery(fromMissed));
        Assert.True(StoreWebhookEvents.IsRecovery(fromAtRisk));
        Assert.Equal(WebhookEventTypes.SlaRecovered, StoreWebhookEvents.TypeOf(fromMissed));
        Assert.False(StoreWebhookEvents.IsRecovery(Change(MetricStatus.Missed, MetricStatus.AtRisk)));
        Assert.False(StoreWebhookEvents.IsRecovery(Change(MetricStatus.Missed, MetricStatus.NoData)));
        Assert.False(StoreWebhookEvents.IsRecovery(Change(MetricStatus.NoData, MetricStatus.Met)));
        Assert.Equal(WebhookEventTypes.SlaAtRisk, StoreWebhookEvents.TypeOf(Change(MetricStatus.Missed, MetricStatus.AtRisk)));
        Assert.Equal(WebhookEventTypes.SlaBreached, StoreWebhookEvents.TypeOf(Change(null, MetricStatus.Missed)));
        Assert.Null(StoreWebhookEvents.TypeOf(Change(MetricStatus.Missed, MetricStatus.NoData)));

        // Published on the bus for the gateway's dashboard alerts, like SlaBreached.
        var published = IntegrationEvents.Map(new Event<SlaStatusChanged>(fromAtRisk));
        var recovered = Assert.IsType<Contracts.SlaRecovered>(published);
        Assert.Equal(("s1", "2026-12", Metrics.MissedRate, MetricStatus.AtRisk), (recovered.StoreId, recovered.Month, recovered.Metric, recovered.PreviousStatus));
        Assert.IsType<Contracts.SlaBreached>(IntegrationEvents.Map(new Event<SlaStatusChanged>(Change(MetricStatus.Met, MetricStatus.Missed))));
    }

    [Fact]
    public void A_webhook_event_body_carries_type_timestamp_and_the_store()
    {
        var at = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        var change = new SlaStatusChanged("s1", "2026-12", Metrics.MissedRate, MetricStatus.Met, MetricStatus.Missed, 0.05, 0.04, at);

        var body = System.Text.Json.JsonDocument.Parse(StoreWebhookEvents.Of(change)!.Serialize()).RootElement;

        Assert.Equal("sla.breached", body.GetProperty("type").GetString());
        Assert.Equal(at, body.GetProperty("timestamp").GetDateTimeOffset());
        var data = body.GetProperty("data");
        Assert.Equal(("s1", "2026-12", "missedRate", "missed", "met"), (data.GetProperty("storeId").GetString(), data.GetProperty("month").GetString(),
            data.GetProperty("metric").GetString(), data.GetProperty("status").GetString(), data.GetProperty("previousStatus").GetString()));
        Assert.Equal(0.04, data.GetProperty("target").GetDouble());
    }

    [Fact]
    public void Report_ready_is_due_for_the_last_store_local_month_that_ended_after_registration()
    {
        var shanghai = ServiceCalendar.AlwaysOpen();
        var registered = new DateTimeOffset(2026, 11, 15, 3, 0, 0, TimeSpan.Zero);

        // 2026-11-30 23:59 in Shanghai: November has not ended there.
        Assert.Null(StoreWebhookEvents.EndedMonth(shanghai, registered, new DateTimeOffset(2026, 11, 30, 15, 59, 0, TimeSpan.Zero)));
        // 2026-12-01 00:00 in Shanghai (still November in UTC): November's report is ready.
        Assert.Equal("2026-11", StoreWebhookEvents.EndedMonth(shanghai, registered, new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-11", StoreWebhookEvents.EndedMonth(shanghai, registered, new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-12", StoreWebhookEvents.EndedMonth(shanghai, registered, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        // Registered after October ended: October is not announced.
        Assert.Null(StoreWebhookEvents.EndedMonth(shanghai, registered, new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero)));
        // In New York the same instant is still 30 November.
        Assert.Null(StoreWebhookEvents.EndedMonth(ServiceCalendar.AlwaysOpen("America/New_York"), registered,
            new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Events_must_be_known_types_and_at_least_one()
    {
        var errors = new Errors();
        Assert.Equal(["sla.breached", "test"], WebhookDecisions.CheckEvents(["sla.breached", "test", "sla.breached"], errors));
        Assert.False(errors.Any);

        var unknown = new Errors();
        Assert.Null(WebhookDecisions.CheckEvents(["sla.breached", "sla.exploded"], unknown));
        Assert.Contains("events[1]", unknown.ToDecision().Errors.Keys);

        var empty = new Errors();
        Assert.Null(WebhookDecisions.CheckEvents([], empty));
        Assert.Contains("events", empty.ToDecision().Errors.Keys);
    }

    [Fact]
    public void A_secret_is_a_standard_webhooks_secret_of_32_random_bytes()
    {
        var secret = WebhookDecisions.NewSecret();

        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);
        Assert.NotEqual(secret, WebhookDecisions.NewSecret());
        // The package's own signer accepts it; a receiver verifies what it signs.
        var signer = new StandardWebhooks.StandardWebhook(secret);
        var at = DateTimeOffset.UtcNow;
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary
        {
            ["webhook-id"] = "msg_1", ["webhook-timestamp"] = at.ToUnixTimeSeconds().ToString(), ["webhook-signature"] = signer.Sign("msg_1", at, "{\"a\":1}"),
        };
        signer.Verify("{\"a\":1}", headers);
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => signer.Verify("{\"a\":2}", headers));
    }
}
