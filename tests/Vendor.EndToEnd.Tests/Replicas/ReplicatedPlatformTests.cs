using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Vendor.Agreements;
using Vendor.Gateway;
using Vendor.Quality;
using Vendor.ServiceDefaults;
using Vendor.Staffing;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests.Replicas;

/// <summary>
/// Two instances of each service behind the gateway on one database and broker prefix. Conversations stream in through the
/// gateway; mid-stream the first-started instance of each service (the likeliest leader of its daemon and timers) stops, draining
/// first (not ready, still serving), so no request fails. A batch the gateway did not acknowledge would be sent again, as an
/// ingest client would. Every acknowledged conversation is counted once in the SLA figures and decided once in Quality.
/// </summary>
public sealed class ReplicatedPlatformTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string OpsKey = "replicated-bootstrap-ops-key-0123456789";
    private const string StoreId = "replicated-store";
    private const int Batches = 30, PerBatch = 20;

    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly Dictionary<string, IAsyncDisposable> _first = [];
    private Dictionary<string, string?> _settings = null!;
    private ServiceHost<GatewayApi> _gateway = null!;

    private Uri Start<T>(string service, bool first) where T : class
    {
        // A stopping instance reports not ready and serves on for 10 s: the gateway (probing every second, out after two failures)
        // moves away first, with room for a probe slowed by a loaded machine.
        var host = new ServiceHost<T>(new Dictionary<string, string?>(_settings) { ["Vendor:ShutdownDrain"] = "00:00:10" }, realPort: true);
        _hosts.Add(host);
        if (first) _first[service] = host;
        return host.RealAddress();
    }

    public async Task InitializeAsync()
    {
        _settings = await ServiceHost<GatewayApi>.SettingsAsync();
        var gateway = new Dictionary<string, string?>(_settings)
        {
            ["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey,
            ["Gateway:RateLimit:TokensPerSecond"] = "10000",
            ["Gateway:RateLimit:Burst"] = "10000",
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0",
        };
        foreach (var first in new[] { true, false })
        {
            var destination = first ? "primary" : "replica2";
            gateway[$"ReverseProxy:Clusters:agreements:Destinations:{destination}:Address"] = Start<AgreementsApi>("agreements", first).ToString();
            gateway[$"ReverseProxy:Clusters:staffing:Destinations:{destination}:Address"] = Start<StaffingApi>("staffing", first).ToString();
            gateway[$"ReverseProxy:Clusters:quality:Destinations:{destination}:Address"] = Start<QualityApi>("quality", first).ToString();
        }
        foreach (var cluster in new[] { "agreements", "staffing", "quality" })
            gateway[$"ReverseProxy:Clusters:{cluster}:HealthCheck:Active:Interval"] = "00:00:01";
        _gateway = new ServiceHost<GatewayApi>(gateway, realPort: true);
        _hosts.Add(_gateway);
        _gateway.CreateClient();
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
    }

    private HttpClient Client(string key)
    {
        var client = _gateway.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static object Conversation(string id, int day, int reply) => new
    {
        conversationId = id, channel = "chat", kind = "aftersales", resolved = true,
        messages = new object[]
        {
            new { at = $"2026-11-{day:00}T10:00:00+08:00", from = "customer", text = "在吗？" },
            new { at = $"2026-11-{day:00}T10:00:{reply:00}+08:00", from = "agent", agentId = "a-1", text = "亲，在的" },
        },
    };

    [Fact]
    public async Task Stopping_one_instance_of_each_service_mid_stream_loses_and_doubles_nothing()
    {
        var ops = Client(OpsKey);
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores", new
        {
            storeId = StoreId, name = StoreId, platform = "tmall", serviceHours = new[] { new { start = "09:00", end = "18:00" } },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await ops.PutAsJsonAsync($"/api/sla/stores/{StoreId}/contract", new
        {
            monthlyFee = 100_000, currency = "CNY", atRiskPercent = 10, startsOn = "2026-10-01", endsOn = "2027-09-30", attributionHours = 24,
            targets = new object[] { new { metric = "missedRate", target = 0.05, allocationPercent = 30 } },
        })).StatusCode);
        var issued = await (await ops.PostAsJsonAsync("/api/keys", new { name = "ingest", role = Roles.Ingest, storeId = StoreId })).Content
            .ReadFromJsonAsync<JsonElement>();
        var ingest = Client(issued.GetProperty("secret").GetString()!);

        var acknowledged = new HashSet<string>();
        var resent = 0;
        Task? stopping = null;
        for (var b = 0; b < Batches; b++)
        {
            if (b == Batches / 3)
                stopping = Task.WhenAll(_first.Values.Select(h => h.DisposeAsync().AsTask()));
            // The last third goes only to the remaining instances.
            if (b == 2 * Batches / 3) await stopping!;
            var ids = Enumerable.Range(0, PerBatch).Select(i => $"c-{b:00}-{i:00}").ToList();
            var body = new { conversations = ids.Select((id, i) => Conversation(id, 2 + (b + i) % 20, 5 + i)).ToArray() };
            await Eventually.Until(async () =>
            {
                var response = await ingest.PostAsJsonAsync($"/api/sla/stores/{StoreId}/conversations", body);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    // Never a bare error: what the gateway or a service refuses is problem+json, and the client sends it again.
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    resent++;
                }
                return response.StatusCode;
            }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), $"batch {b} acknowledged");
            acknowledged.UnionWith(ids);
        }
        output.WriteLine($"{resent} batches sent again");
        Assert.Equal(Batches * PerBatch, acknowledged.Count);

        // Agreements' figures count each acknowledged conversation once (the remaining instance leads the daemon now).
        var figures = await Eventually.Until(() => ops.GetFromJsonAsync<JsonElement>($"/api/sla/stores/{StoreId}/sla?from=2026-11-01&to=2026-11-30"),
            f => f.GetProperty("conversations").GetInt64() >= acknowledged.Count, TimeSpan.FromSeconds(60), "every conversation in the SLA figures");
        Assert.Equal(acknowledged.Count, figures.GetProperty("conversations").GetInt64());

        // Quality decided each one once (one row per conversation and answering agent), whichever instance consumed it.
        var decided = await Eventually.Until(() => QualityRows(), rows => rows.Total >= acknowledged.Count, TimeSpan.FromSeconds(60),
            "every conversation decided in Quality");
        Assert.Equal((acknowledged.Count, acknowledged.Count), decided);
        // With the drain the gateway had moved away before any instance closed its port: nothing had to be sent again.
        Assert.Equal(0, resent);
    }

    private async Task<(long Total, long Distinct)> QualityRows()
    {
        await using var connection = new NpgsqlConnection(_settings["ConnectionStrings:Postgres"]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(DISTINCT conversation_id) FROM quality.agent_conversations WHERE store_id = $1", connection)
        {
            Parameters = { new() { Value = StoreId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
