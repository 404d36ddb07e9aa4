using System.Net.Http.Json;
using Vendor.Agreements;
using Vendor.Gateway;
using Vendor.Quality;
using Vendor.Staffing;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>
/// The whole platform in one test process against real PostgreSQL and RabbitMQ: the three services on loopback
/// ports, and the gateway proxying to them, all sharing one database (own schemas) and one broker prefix.
/// </summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public const string OpsKey = "e2e-bootstrap-ops-key-0123456789";

    private readonly List<IAsyncDisposable> _hosts = [];
    public Dictionary<string, string?> Settings { get; private set; } = null!;
    public Uri AgreementsAddress { get; private set; } = null!;
    public ServiceHost<GatewayApi> Gateway { get; private set; } = null!;

    /// <summary>More for the Agreements host (settings, replaced services), set by a test's own fixture before it starts.</summary>
    public Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? ConfigureAgreements { get; init; }

    public async Task InitializeAsync()
    {
        Settings = await ServiceHost<GatewayApi>.SettingsAsync();
        AgreementsAddress = Start(new ServiceHost<AgreementsApi>(Settings, realPort: true, ConfigureAgreements)).RealAddress();
        var staffing = Start(new ServiceHost<StaffingApi>(Settings, realPort: true)).RealAddress();
        var quality = Start(new ServiceHost<QualityApi>(Settings, realPort: true)).RealAddress();
        Gateway = StartGateway(AgreementsAddress, staffing, quality, tokensPerSecond: 1000, burst: 1000);
        Gateway.CreateClient();
        GatewayAddresses = (AgreementsAddress, staffing, quality);
    }

    public (Uri Agreements, Uri Staffing, Uri Quality) GatewayAddresses { get; private set; }

    /// <summary>Another gateway replica over the same key store, with its own rate limits (and any other settings).</summary>
    public ServiceHost<GatewayApi> StartGateway(double tokensPerSecond, int burst, IReadOnlyDictionary<string, string?>? settings = null) =>
        StartGateway(GatewayAddresses.Agreements, GatewayAddresses.Staffing, GatewayAddresses.Quality, tokensPerSecond, burst, settings);

    private ServiceHost<GatewayApi> StartGateway(Uri agreements, Uri staffing, Uri quality, double tokensPerSecond, int burst,
        IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey,
            ["Gateway:RateLimit:TokensPerSecond"] = tokensPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:RateLimit:Burst"] = burst.ToString(),
            ["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = agreements.ToString(),
            ["ReverseProxy:Clusters:staffing:Destinations:primary:Address"] = staffing.ToString(),
            ["ReverseProxy:Clusters:quality:Destinations:primary:Address"] = quality.ToString(),
            // Every test client shares one address: only the tests of the per-source limit turn it on.
            ["Gateway:RateLimit:PerSource:TokensPerSecond"] = "0",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return Start(new ServiceHost<GatewayApi>(settings, realPort: true));
    }

    public HttpClient Client(string apiKey)
    {
        var client = Gateway.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Issues a key through the gateway's own API and returns its secret.</summary>
    public async Task<(string KeyId, string Secret)> IssueKey(string role, string? storeId)
    {
        var response = await Client(OpsKey).PostAsJsonAsync("/api/keys", new { name = $"{role} {storeId}", role, storeId });
        response.EnsureSuccessStatusCode();
        var issued = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("secret").GetString()!);
    }

    private T Start<T>(T host) where T : IAsyncDisposable
    {
        _hosts.Add(host);
        return host;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
    }
}
