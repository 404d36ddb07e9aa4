using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace Vendor.Faults.Tests;

/// <summary>
/// Issue 8's faults against the real servers, while conversations stream in through the gateway with an ingest key and
/// absences are reported to Staffing: kill -9 of each process, RabbitMQ and PostgreSQL each stopped for 30 seconds, and one of
/// two instances of each service killed. After each, <see cref="Totals.VerifyAsync"/> checks nothing was lost or doubled.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class FaultTests(FaultPlatform platform, ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    /// <summary>The rest of the 30-second outage (a timed wait: the outage itself, not waiting for an effect).</summary>
    private static Task WaitOutAsync(Stopwatch down) => Task.Delay(Outage - down.Elapsed is { Ticks: > 0 } left ? left : TimeSpan.Zero);

    /// <summary>The platform with <paramref name="instances"/> of each service, and traffic running that has been acknowledged for a while.</summary>
    private async Task<Traffic> StartTrafficAsync(int instances, string name)
    {
        await platform.UseInstancesAsync(instances);
        var traffic = await platform.NewTrafficAsync(name);
        traffic.Start();
        await traffic.WaitAcknowledgedAsync(150);
        return traffic;
    }

    [Theory]
    [InlineData("agreements")]
    [InlineData("staffing")]
    [InlineData("quality")]
    [InlineData("gateway")]
    public async Task Kill_9_of_a_process_mid_stream_then_a_restart_loses_nothing_and_doubles_nothing(string victim)
    {
        var clock = Stopwatch.StartNew();
        using var traffic = await StartTrafficAsync(1, $"kill-{victim}");

        var process = victim == "gateway" ? platform.Gateway : platform.Instances(victim)[0];
        process.Kill();
        var acknowledgedAtKill = traffic.Acknowledged.Count;
        // Down long enough for requests (and, for Staffing, absences) to fail and be retried.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await process.RestartAsync();
        await traffic.WaitAcknowledgedAsync(acknowledgedAtKill + 150);
        await traffic.StopAsync();

        await Totals.VerifyAsync(platform, traffic, output);
        output.WriteLine($"kill -9 {victim}: passed in {clock.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public async Task RabbitMQ_stopped_for_30_seconds_mid_stream_loses_nothing_and_doubles_nothing()
    {
        var clock = Stopwatch.StartNew();
        using var traffic = await StartTrafficAsync(1, "rabbit-down");

        await platform.Infra.StopRabbitMqAsync();
        var down = Stopwatch.StartNew();
        var acknowledgedAtStop = traffic.Acknowledged.Count;
        int duringOutage;
        try
        {
            await WaitOutAsync(down);
            duringOutage = traffic.Acknowledged.Count - acknowledgedAtStop;
        }
        finally
        {
            await platform.Infra.StartRabbitMqAsync();
        }
        await platform.WaitAllReadyAsync();
        await traffic.WaitAcknowledgedAsync(traffic.Acknowledged.Count + 150);
        await traffic.StopAsync();

        // Ingestion does not need the broker: the outbox is in PostgreSQL, published once the broker is back.
        Assert.True(duringOutage > 0, "conversations were acknowledged while RabbitMQ was down");
        await Totals.VerifyAsync(platform, traffic, output);
        output.WriteLine($"RabbitMQ down 30 s ({duringOutage} conversations acknowledged meanwhile): passed in {clock.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_30_seconds_mid_stream_gives_503_problems_not_ready_and_recovers_by_itself()
    {
        var clock = Stopwatch.StartNew();
        using var traffic = await StartTrafficAsync(1, "pg-down");
        var processes = platform.AllServiceInstances.Append(platform.Gateway).ToList();

        await platform.Infra.StopPostgresAsync();
        var seen = new List<string>();
        int acknowledgedBeforeRestart;
        try
        {
            var down = Stopwatch.StartNew();
            var probes = new Dictionary<string, string>
            {
                ["agreements"] = $"/api/sla/stores/{traffic.StoreId}/sla?from={Traffic.Day}&to={Traffic.Day}",
                ["staffing"] = "/api/staffing/alerts",
                ["quality"] = "/api/quality/sampling",
            };
            foreach (var service in FaultPlatform.Services)
            {
                var instance = platform.Instances(service)[0];
                using var direct = platform.DirectOpsClient(instance);
                // Each service answers its API with 503 problem+json and Retry-After, and is not ready.
                var answer = await Vendor.Testing.Eventually.Until(async () =>
                {
                    using var response = await direct.GetAsync(probes[service]);
                    return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter is not null);
                }, a => a.Item1 != 200, TimeSpan.FromSeconds(20), $"{service} noticing PostgreSQL is down");
                seen.Add($"{service} {answer}");
                Assert.Equal((503, "application/problem+json", true), answer);
                var ready = await Vendor.Testing.Eventually.Until(async () => (int)(await direct.GetAsync("/health/ready")).StatusCode,
                    s => s != 200, TimeSpan.FromSeconds(20), $"{service} not ready");
                Assert.Equal(503, ready);
            }
            // Through the gateway too: its own PostgreSQL-backed routes, and a write it cannot audit, are 503 problems, never 500.
            using (var ops = platform.Client(FaultPlatform.OpsKey))
            {
                using var keys = await ops.GetAsync("/api/keys");
                using var ingest = await ops.PostAsJsonAsync($"/api/sla/stores/{traffic.StoreId}/conversations", new { conversations = Array.Empty<object>() });
                foreach (var (what, response) in new[] { ("GET /api/keys", keys), ("POST conversations", ingest) })
                {
                    seen.Add($"gateway {what} {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
                    Assert.Equal((HttpStatusCode.ServiceUnavailable, "application/problem+json", true),
                        (response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter is not null));
                }
            }
            Assert.True(down.Elapsed < Outage, "the checks fit in the outage");
            await WaitOutAsync(down);
            acknowledgedBeforeRestart = traffic.Acknowledged.Count;
        }
        finally
        {
            await platform.Infra.StartPostgresAsync();
        }

        // Back by themselves: the same processes become ready and acknowledge again.
        await platform.WaitAllReadyAsync();
        Assert.All(processes, p => Assert.True(p.Running, $"{p.Name} still the same process"));
        await traffic.WaitAcknowledgedAsync(acknowledgedBeforeRestart + 150);
        await traffic.StopAsync();

        await Totals.VerifyAsync(platform, traffic, output);
        output.WriteLine($"PostgreSQL down 30 s; during it: {string.Join("; ", seen)}; passed in {clock.Elapsed.TotalSeconds:F0} s");
    }

    [Fact]
    public async Task With_two_instances_of_each_service_killing_one_of_each_mid_stream_loses_nothing_and_doubles_nothing()
    {
        var clock = Stopwatch.StartNew();
        using var traffic = await StartTrafficAsync(2, "replicas");

        foreach (var service in FaultPlatform.Services)
        {
            platform.Instances(service)[0].Kill();
            await traffic.WaitAcknowledgedAsync(traffic.Acknowledged.Count + 50);
        }
        var afterKills = traffic.Acknowledged.Count;
        await traffic.WaitAcknowledgedAsync(afterKills + 150);
        await traffic.StopAsync();

        await Totals.VerifyAsync(platform, traffic, output);
        output.WriteLine($"two instances each, one of each killed: passed in {clock.Elapsed.TotalSeconds:F0} s");
    }
}
