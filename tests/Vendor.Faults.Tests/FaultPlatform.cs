using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Faults.Tests;

[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultPlatform>
{
    public const string Name = "faults";
}

/// <summary>
/// A private platform for the fault tests: its own PostgreSQL and RabbitMQ (<see cref="PrivateInfra"/>), the three services
/// and the gateway as real processes on free ports (N instances per service behind the gateway's YARP clusters, with active
/// and passive health checks set through the environment), local DingTalk/WeCom/webhook receivers for Staffing's alerts.
/// Everything it started is stopped and its data deleted when it is disposed, also when a test or the start failed.
/// </summary>
public sealed class FaultPlatform : IAsyncLifetime
{
    public const string OpsKey = "faults-bootstrap-ops-key-0123456789";
    public static readonly string[] Services = ["agreements", "staffing", "quality"];

    private static readonly Dictionary<string, (string Dir, string Assembly)> Projects = new()
    {
        ["agreements"] = ("services/Agreements", "Vendor.Agreements"),
        ["staffing"] = ("services/Staffing", "Vendor.Staffing"),
        ["quality"] = ("services/Quality", "Vendor.Quality"),
        ["gateway"] = ("gateway/Vendor.Gateway", "Vendor.Gateway"),
    };

    private readonly Dictionary<string, List<ServerProcess>> _instances = Services.ToDictionary(s => s, _ => new List<ServerProcess>());
    private readonly string _secret = $"faults-{Guid.NewGuid():N}";
    private int _gatewayInstances;

    public PrivateInfra Infra { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    public ServerProcess Gateway { get; private set; } = null!;
    public IReadOnlyList<ServerProcess> Instances(string service) => _instances[service];
    public IEnumerable<ServerProcess> AllServiceInstances => _instances.Values.SelectMany(i => i);
    public string LogDir => Path.Combine(Infra.StateDir, "logs");

    public async Task InitializeAsync()
    {
        try
        {
            Infra = new PrivateInfra(Repository.Root);
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            await Infra.StartAsync();
            Directory.CreateDirectory(LogDir);
            Receiver = await WebhookReceiver.StartAsync();
            Gateway = new ServerProcess("gateway", Dll("gateway"), Ports.Free(), new Dictionary<string, string>(), LogDir);
            await UseInstancesAsync(1);
            using var ops = Client(OpsKey);
            // Every agent-conversation is sampled: "sampled at most once" then has to be "exactly once" for each one.
            (await Retry.UntilAcknowledgedAsync(() => ops.PutAsJsonAsync("/api/quality/sampling", new { randomShare = 1.0 }))).EnsureSuccessStatusCode();
            foreach (var body in new object[]
                     {
                         new { kind = "dingtalk", url = Receiver.DingTalkUrl, secret = WebhookReceiver.DingTalkSecret, minSeverity = "warning" },
                         new { kind = "wecom", url = Receiver.WeComUrl },
                         new { kind = "webhook", url = Receiver.WebhookUrl, secret = "hook-secret" },
                     })
                Assert.Equal(HttpStatusCode.Created, (await Retry.UntilAcknowledgedAsync(() => ops.PostAsJsonAsync("/api/staffing/alert-channels", body))).StatusCode);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="count"/> instances of each service run (starting the missing, killing the extra ones) and the gateway
    /// proxy to exactly them; the gateway is restarted only when its destinations change or it is not running.
    /// </summary>
    public async Task UseInstancesAsync(int count)
    {
        var starting = new List<ServerProcess>();
        foreach (var service in Services)
        {
            var list = _instances[service];
            while (list.Count > count)
            {
                list[^1].Dispose();
                list.RemoveAt(list.Count - 1);
            }
            while (list.Count < count)
                list.Add(new ServerProcess($"{service}-{list.Count}", Dll(service), Ports.Free(), ServiceEnv(), LogDir));
            foreach (var instance in list.Where(i => !i.Running))
            {
                instance.Start();
                starting.Add(instance);
            }
        }
        foreach (var instance in starting) await instance.WaitReadyAsync();
        if (_gatewayInstances != count || !Gateway.Running)
        {
            Gateway.Kill();
            Gateway = new ServerProcess("gateway", Dll("gateway"), Gateway.Port, GatewayEnv(), LogDir);
            Gateway.Start();
            await Gateway.WaitReadyAsync();
            _gatewayInstances = count;
        }
    }

    private Dictionary<string, string> ServiceEnv() => new()
    {
        ["ConnectionStrings__Postgres"] = Infra.Postgres,
        ["ConnectionStrings__RabbitMq"] = Infra.RabbitMq,
        ["Vendor__GatewaySecret"] = _secret,
        ["Webhooks__AllowedHosts__0"] = "localhost",
        ["Webhooks__AllowedHosts__1"] = "127.0.0.1",
        // One absence in a one-agent team is a spike: each absence the test reports raises its own alert.
        ["Staffing__Alerts__SpikeMinAbsences"] = "1",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private Dictionary<string, string> GatewayEnv()
    {
        var env = ServiceEnv();
        env["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey;
        env["Gateway__RateLimit__TokensPerSecond"] = "1000000";
        env["Gateway__RateLimit__Burst"] = "1000000";
        env["Gateway__RateLimit__PerSource__TokensPerSecond"] = "0";
        foreach (var service in Services)
        {
            var cluster = $"ReverseProxy__Clusters__{service}";
            env[$"{cluster}__Destinations__primary__Address"] = _instances[service][0].Address.ToString();
            for (var i = 1; i < _instances[service].Count; i++)
                env[$"{cluster}__Destinations__replica{i}__Address"] = _instances[service][i].Address.ToString();
            // The health checks are the shipped ones (appsettings.json): active on /health/ready, passive on transport failures.
        }
        return env;
    }

    private static string Dll(string name)
    {
        var (dir, assembly) = Projects[name];
        return Repository.BuiltDll(dir, assembly);
    }

    /// <summary>A client of the gateway with an API key; connections are not kept long (instances come and go).</summary>
    public HttpClient Client(string apiKey)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = Gateway.Address,
            Timeout = TimeSpan.FromSeconds(20),
        };
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>A client that calls one service instance directly, signed as the gateway would sign an ops caller.</summary>
    public HttpClient DirectOpsClient(ServerProcess instance) =>
        new(new GatewaySigningHandler(new CallerIdentity("faults-ops", Roles.Ops, null), _secret) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = instance.Address,
            Timeout = TimeSpan.FromSeconds(20),
        };

    /// <summary>A store with a contract and an ingest key, and <paramref name="absentAgents"/> agents each in a team of their own.</summary>
    public async Task<Traffic> NewTrafficAsync(string name, int absentAgents = 30)
    {
        var storeId = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 40)];
        using var ops = Client(OpsKey);
        Created(await Retry.UntilAcknowledgedAsync(() => ops.PostAsJsonAsync("/api/sla/stores", new
        {
            storeId, name = storeId, platform = "tmall", serviceHours = new[] { new { start = "00:00", end = "00:00" } },
        })), HttpStatusCode.Created, HttpStatusCode.Conflict);
        Created(await Retry.UntilAcknowledgedAsync(() => ops.PutAsJsonAsync($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 100_000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-10-01", endsOn = "2027-09-30",
            targets = new object[] { new { metric = "firstResponseSeconds", target = 60, allocationPercent = 20 } },
        })), HttpStatusCode.Created, HttpStatusCode.OK);
        var key = await Retry.UntilAcknowledgedAsync(() => ops.PostAsJsonAsync("/api/keys", new { name = $"ingest {storeId}", role = Roles.Ingest, storeId }));
        Created(key, HttpStatusCode.Created, HttpStatusCode.OK);
        var secret = (await key.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var agents = new List<(string Agent, string Team)>();
        for (var i = 0; i < absentAgents; i++)
        {
            var (agentId, team) = ($"{storeId}-a{i:D2}", $"{storeId}-t{i:D2}");
            Created(await Retry.UntilAcknowledgedAsync(() => ops.PostAsJsonAsync("/api/staffing/agents",
                new { agentId, name = "故障测试", team, skills = new[] { "presales" }, hiredOn = "2026-01-01" })), HttpStatusCode.Created, HttpStatusCode.OK);
            agents.Add((agentId, team));
        }
        return new Traffic(storeId, Client(secret), Client(OpsKey), agents);
    }

    private static void Created(HttpResponseMessage response, params HttpStatusCode[] expected) =>
        Assert.True(expected.Contains(response.StatusCode), $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().Result}");

    public async Task WaitAllReadyAsync()
    {
        foreach (var instance in AllServiceInstances.Where(i => i.Running).Append(Gateway)) await instance.WaitReadyAsync(TimeSpan.FromSeconds(120));
    }

    private void OnProcessExit(object? sender, EventArgs e)
    {
        foreach (var instance in AllServiceInstances) instance.Kill();
        Gateway?.Kill();
        Infra?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    public async Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var instance in AllServiceInstances) instance.Dispose();
        Gateway?.Dispose();
        if (Receiver is not null) await Receiver.DisposeAsync();
        if (Infra is not null) await Infra.DisposeAsync();
    }
}
