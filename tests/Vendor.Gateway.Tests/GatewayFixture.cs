using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vendor.Testing;

namespace Vendor.Gateway.Tests;

/// <summary>The gateway alone (no services behind it) on its own database, with a clock the tests move.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string OpsKey = "gateway-tests-ops-key-0123456789";

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public ServiceHost<GatewayApi> Host { get; private set; } = null!;
    public Dictionary<string, string?> Settings { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Settings = await ServiceHost<GatewayApi>.SettingsAsync();
        Settings["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey;
        // Test clients share one address: only the tests of the per-source limit turn it on.
        Settings["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0";
        Settings["Gateway:RateLimit:TokensPerSecond"] = "10000";
        Settings["Gateway:RateLimit:Burst"] = "10000";
        Host = StartHost();
        Host.CreateClient();
    }

    /// <summary>Another gateway over the same database, with more settings.</summary>
    public ServiceHost<GatewayApi> StartHost(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return new ServiceHost<GatewayApi>(settings,
            configure: b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock)));
    }

    public HttpClient Client(string? apiKey = OpsKey)
    {
        var client = Host.CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public async Task<(string KeyId, string Secret)> IssueKey(string role, string? storeId, DateTimeOffset? expiresAt = null)
    {
        var response = await Client().PostAsJsonAsync("/api/keys", new { name = $"{role} {storeId}", role, storeId, expiresAt });
        response.EnsureSuccessStatusCode();
        var issued = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("secret").GetString()!);
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
