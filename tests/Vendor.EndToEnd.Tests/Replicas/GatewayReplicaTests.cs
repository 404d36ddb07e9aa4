using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Vendor.Agreements;
using Vendor.Gateway;
using Vendor.Testing;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Vendor.EndToEnd.Tests.Replicas;

/// <summary>
/// Two in-process Agreements instances behind the gateway (YARP round robin, active health checks on /health/ready, passive
/// checks on transport failures): both take traffic; one that reports not-ready or stops is left out within the health-check
/// interval and nothing fails after the switch; one that is ready again takes traffic again.
/// </summary>
public sealed class GatewayReplicaTests : IAsyncLifetime
{
    private const string OpsKey = "replica-bootstrap-ops-key-0123456789";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    /// <summary>Two failed probes (the threshold) one interval apart (a failing one answers at once), and slack for a loaded machine.</summary>
    private static readonly TimeSpan Switch = TimeSpan.FromSeconds(10);

    private readonly List<IAsyncDisposable> _hosts = [];
    private Replica _a = null!, _b = null!;
    private ServiceHost<GatewayApi> _gateway = null!;
    private HttpClient _ops = null!;

    /// <summary>One Agreements instance: it counts the /api requests it served and its readiness can be switched off.</summary>
    private sealed class Replica(ServiceHost<AgreementsApi> host)
    {
        public ServiceHost<AgreementsApi> Host { get; } = host;
        public volatile bool Ready = true;
        private int _served;
        public int Served => Volatile.Read(ref _served);
        public void Count() => Interlocked.Increment(ref _served);
    }

    private sealed class CountApiRequests(Replica replica) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate following) =>
            {
                if (context.Request.Path.StartsWithSegments("/api")) replica.Count();
                await following(context);
            });
            next(app);
        };
    }

    private Replica StartReplica(Dictionary<string, string?> settings)
    {
        Replica replica = null!;
        var host = new ServiceHost<AgreementsApi>(settings, realPort: true, b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<IStartupFilter>(new CountApiRequests(replica));
            s.AddHealthChecks().AddCheck("test-readiness",
                () => replica.Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("switched off by the test"), tags: ["ready"]);
        }));
        replica = new Replica(host);
        _hosts.Add(host);
        return replica;
    }

    public async Task InitializeAsync()
    {
        var settings = await ServiceHost<GatewayApi>.SettingsAsync();
        (_a, _b) = (StartReplica(settings), StartReplica(settings));
        var (a, b) = (_a.Host.RealAddress(), _b.Host.RealAddress());
        var gateway = new Dictionary<string, string?>(settings)
        {
            ["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey,
            ["Gateway:RateLimit:TokensPerSecond"] = "10000",
            ["Gateway:RateLimit:Burst"] = "10000",
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0",
            // The shipped settings name one destination per service; more are added the way ./vendor up --replicas does (env).
            ["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = a.ToString(),
            ["ReverseProxy:Clusters:agreements:Destinations:replica2:Address"] = b.ToString(),
            ["ReverseProxy:Clusters:agreements:HealthCheck:Active:Interval"] = Interval.ToString(),
            // A not-ready or stopped instance answers its probe at once; a generous timeout keeps a probe slowed by a loaded machine
            // from taking a healthy instance out (which would skew the round robin the test counts).
            ["ReverseProxy:Clusters:agreements:HealthCheck:Active:Timeout"] = "00:00:05",
            ["ReverseProxy:Clusters:staffing:Destinations:primary:Address"] = "http://127.0.0.1:9/",
            ["ReverseProxy:Clusters:quality:Destinations:primary:Address"] = "http://127.0.0.1:9/",
        };
        _gateway = new ServiceHost<GatewayApi>(gateway, realPort: true);
        _hosts.Add(_gateway);
        _ops = _gateway.CreateClient();
        _ops.DefaultRequestHeaders.Add("X-Api-Key", OpsKey);
        await Eventually.Until(() => _ops.GetAsync("/api/sla/stores"), r => r.StatusCode == HttpStatusCode.OK, what: "the gateway and both replicas up");
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
    }

    /// <summary>Sends <paramref name="count"/> requests one after another; returns the failed answers and how many each replica served.</summary>
    private async Task<(List<HttpResponseMessage> Failed, int ToA, int ToB)> Send(int count)
    {
        var (a, b) = (_a.Served, _b.Served);
        var failed = new List<HttpResponseMessage>();
        for (var i = 0; i < count; i++)
        {
            var response = await _ops.GetAsync("/api/sla/stores");
            if (response.StatusCode != HttpStatusCode.OK) failed.Add(response);
        }
        return (failed, _a.Served - a, _b.Served - b);
    }

    /// <summary>Polls with batches until one whole batch went to A alone without a failure; returns the failures seen on the way.</summary>
    private async Task<List<HttpResponseMessage>> UntilAllGoToA(string what)
    {
        var seen = new List<HttpResponseMessage>();
        await Eventually.Until(async () =>
        {
            var batch = await Send(10);
            seen.AddRange(batch.Failed);
            return batch;
        }, batch => batch.Failed.Count == 0 && batch.ToB == 0 && batch.ToA == 10, Switch, what);
        return seen;
    }

    [Fact]
    public async Task Both_take_traffic_a_not_ready_one_is_left_out_without_failures_and_comes_back_when_ready()
    {
        var both = await Send(40);
        Assert.Empty(both.Failed);
        Assert.Equal(40, both.ToA + both.ToB);
        Assert.InRange(both.ToB, 15, 25); // round robin

        _b.Ready = false;
        var started = DateTime.UtcNow;
        var duringSwitch = await UntilAllGoToA("B left out once it reports not ready");
        var took = DateTime.UtcNow - started;
        // A not-ready instance still answers, so nothing failed while the gateway noticed.
        Assert.Empty(duringSwitch);
        Assert.True(took < Switch, $"the switch took {took}");
        var after = await Send(60);
        Assert.Empty(after.Failed);
        Assert.Equal((60, 0), (after.ToA, after.ToB));

        _b.Ready = true;
        await Eventually.Until(() => Send(10), batch => batch.ToB > 0, Switch, "B takes traffic again once ready");
        var back = await Send(40);
        Assert.Empty(back.Failed);
        Assert.InRange(back.ToB, 15, 25);

        // Both not ready (say PostgreSQL is down for everyone): HealthyOrPanic still forwards, so callers get the services' own
        // answers (here they still work; with PostgreSQL down, their 503 problem+json with Retry-After), never the gateway's 503.
        (_a.Ready, _b.Ready) = (false, false);
        var proxy = _gateway.Services.GetRequiredService<IProxyStateLookup>();
        await Eventually.Until(() => Task.FromResult(proxy.TryGetCluster("agreements", out var cluster)
                && cluster.Destinations.Values.All(d => d.Health.Active == DestinationHealth.Unhealthy)),
            unhealthy => unhealthy, Switch, "the gateway seeing both unhealthy");
        var panic = await Send(40);
        Assert.Empty(panic.Failed);
        Assert.InRange(panic.ToB, 15, 25);
    }

    [Fact]
    public async Task A_stopped_instance_is_left_out_within_the_interval_and_when_all_are_gone_the_answer_is_still_problem_json()
    {
        Assert.Empty((await Send(20)).Failed);

        await _b.Host.DisposeAsync();
        var started = DateTime.UtcNow;
        var duringSwitch = await UntilAllGoToA("B left out once it stopped");
        var took = DateTime.UtcNow - started;
        Assert.True(took < Switch, $"the switch took {took}");
        // Requests that reached the stopped instance before the gateway noticed failed as problems, never bare.
        foreach (var failed in duringSwitch)
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        }
        var after = await Send(100);
        Assert.Empty(after.Failed);
        Assert.Equal(100, after.ToA);

        // Every instance gone: HealthyOrPanic still tries them, and the gateway's answer is problem+json.
        await _a.Host.DisposeAsync();
        var none = await _ops.GetAsync("/api/sla/stores");
        Assert.True(none.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable, $"{none.StatusCode}");
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
    }
}
