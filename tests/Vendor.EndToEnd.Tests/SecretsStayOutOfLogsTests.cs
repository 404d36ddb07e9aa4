using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Vendor.Agreements;
using Vendor.Gateway;
using Vendor.Quality;
using Vendor.ServiceDefaults;
using Vendor.Staffing;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>The platform with every log line (Debug and up, all categories) and every activity of every source captured.</summary>
public sealed class CapturedPlatform : IAsyncLifetime
{
    public const string OpsKey = "captured-bootstrap-ops-key-0123456789abcdef";

    private readonly List<IAsyncDisposable> _hosts = [];
    // One capture per host: each host's logger factory hands its own scopes to its provider.
    private readonly List<LogCapture> _logs = [];
    public IReadOnlyList<string> LogLines => _logs.SelectMany(l => l.Lines).ToList();
    public ActivityCapture Activities { get; } = new();
    public ServiceHost<GatewayApi> Gateway { get; private set; } = null!;

    private void Capture(IWebHostBuilder builder)
    {
        var capture = new LogCapture();
        _logs.Add(capture);
        builder.ConfigureLogging(l =>
        {
            l.AddProvider(capture);
            l.AddFilter<LogCapture>(null, LogLevel.Debug);
        });
    }

    public async Task InitializeAsync()
    {
        var settings = await ServiceHost<GatewayApi>.SettingsAsync();
        Uri Start<T>() where T : class
        {
            var host = new ServiceHost<T>(settings, realPort: true, configure: Capture);
            _hosts.Add(host);
            return host.RealAddress();
        }
        var (agreements, staffing, quality) = (Start<AgreementsApi>(), Start<StaffingApi>(), Start<QualityApi>());
        Gateway = new ServiceHost<GatewayApi>(new Dictionary<string, string?>(settings)
        {
            ["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey,
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0",
            ["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = agreements.ToString(),
            ["ReverseProxy:Clusters:staffing:Destinations:primary:Address"] = staffing.ToString(),
            ["ReverseProxy:Clusters:quality:Destinations:primary:Address"] = quality.ToString(),
        }, realPort: true, configure: Capture);
        _hosts.Add(Gateway);
        Gateway.CreateClient();
    }

    public HttpClient Client(string apiKey)
    {
        var client = Gateway.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
        Activities.Dispose();
    }
}

/// <summary>No secret, key or password in logs or traces, while keys are issued, rotated, used and revoked and the services are called.</summary>
public class SecretsStayOutOfLogsTests(CapturedPlatform platform) : IClassFixture<CapturedPlatform>
{
    private static async Task<string> Secret(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }

    private static async Task<(string KeyId, string Secret)> Issue(HttpClient ops, string role, string? storeId)
    {
        var response = await ops.PostAsJsonAsync("/api/keys", new { name = $"{role} key", role, storeId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var issued = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("secret").GetString()!);
    }

    [Fact]
    public async Task Issuing_rotating_using_and_revoking_keys_leaves_no_secret_in_any_log_line_or_activity()
    {
        var ops = platform.Client(CapturedPlatform.OpsKey);
        const string store = "e2e-secrets";
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores", new { storeId = store, name = "secrets", platform = "jd" })).StatusCode);
        var (storeKeyId, storeKey) = await Issue(ops, Roles.Store, store);
        var (_, ingestKey) = await Issue(ops, Roles.Ingest, store);
        var (opsKeyId, secondOps) = await Issue(ops, Roles.Ops, null);
        var rotatedOps = await Secret(await ops.PostAsJsonAsync($"/api/keys/{opsKeyId}/rotate", new { overlapSeconds = 60 }));
        const string unknown = "vnd_never-issued-but-presented-0123456789";

        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var ingest = await platform.Client(ingestKey).PostAsJsonAsync($"/api/sla/stores/{store}/conversations", new
        {
            conversations = new[]
            {
                new
                {
                    conversationId = "c-secret-1", channel = "chat", kind = "presales", rating = "satisfied", resolved = true,
                    messages = new object[]
                    {
                        new { at = now.ToString("o"), from = "customer", text = "发货了吗？" },
                        new { at = now.AddSeconds(20).ToString("o"), from = "agent", agentId = "a-1", text = "今天发货" },
                    },
                },
            },
        });
        Assert.True((int)ingest.StatusCode < 500);
        Assert.Equal(HttpStatusCode.OK, (await platform.Client(storeKey).GetAsync($"/api/sla/stores/{store}/sla?from=2026-11-01&to=2026-12-31")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await platform.Client(secondOps).GetAsync("/api/staffing/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await platform.Client(rotatedOps).GetAsync("/api/sla/stores")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Client(unknown).GetAsync("/api/sla/stores")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ops.DeleteAsync($"/api/keys/{storeKeyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Client(storeKey).GetAsync($"/api/sla/stores/{store}/sla")).StatusCode);
        Assert.Equal(1, (await ops.GetFromJsonAsync<JsonElement>($"/api/audit?storeId={store}")).GetProperty("items").GetArrayLength());

        var logs = platform.LogLines;
        var activities = platform.Activities.Lines;
        // The capture saw the traffic (else the assertions below would prove nothing).
        Assert.Contains(logs, l => l.Contains($"/api/keys/{opsKeyId}/rotate"));
        Assert.Contains(activities, a => a.Contains("/api/sla/stores"));
        string[] secrets = [CapturedPlatform.OpsKey, storeKey, ingestKey, secondOps, rotatedOps, unknown, ServiceHost<GatewayApi>.GatewaySecret];
        // Not even a part of one: every 16 characters in a row of each secret are looked for.
        foreach (var fragment in secrets.SelectMany(s => Enumerable.Range(0, s.Length - 15).Select(i => s.Substring(i, 16))))
        {
            Assert.DoesNotContain(logs, l => l.Contains(fragment, StringComparison.Ordinal));
            Assert.DoesNotContain(activities, a => a.Contains(fragment, StringComparison.Ordinal));
        }
        Assert.DoesNotContain(logs, l => l.Contains("X-Api-Key:", StringComparison.OrdinalIgnoreCase) || l.Contains("X-Api-Key=", StringComparison.OrdinalIgnoreCase));
    }
}
