using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Vendor.ServiceDefaults;

namespace Vendor.Testing;

/// <summary>
/// One service (or the gateway) hosted in the test process against the real servers. With <c>realPort</c>
/// it listens on a loopback port so the gateway can proxy to it.
/// </summary>
public sealed class ServiceHost<TEntryPoint> : WebApplicationFactory<TEntryPoint> where TEntryPoint : class
{
    public const string GatewaySecret = "test-gateway-secret-0123456789";

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IWebHostBuilder>? _configure;

    /// <param name="configure">More for the host, e.g. a capturing logger provider or a fake clock.</param>
    public ServiceHost(IReadOnlyDictionary<string, string?> settings, bool realPort = false, Action<IWebHostBuilder>? configure = null)
    {
        _settings = settings;
        _configure = configure;
        if (realPort) UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
    }

    /// <summary>The settings every host of a test fixture shares: its database, broker prefix and gateway secret.</summary>
    public static async Task<Dictionary<string, string?>> SettingsAsync(string? database = null, string? busPrefix = null) => new()
    {
        ["ConnectionStrings:Postgres"] = database ?? await TestServers.NewDatabaseAsync(),
        ["ConnectionStrings:RabbitMq"] = await TestServers.RabbitMqAsync(),
        ["Vendor:BusPrefix"] = busPrefix ?? $"t{Guid.NewGuid():N}"[..12],
        ["Vendor:GatewaySecret"] = GatewaySecret,
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Development");
        _configure?.Invoke(builder);
    }

    /// <summary>The loopback address of a host started with a real port.</summary>
    public Uri RealAddress()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        return new Uri(addresses.Addresses.First());
    }

    /// <summary>A client that calls the service directly as if the gateway had authenticated this caller.</summary>
    public HttpClient ClientAs(CallerIdentity caller) => CreateDefaultClient(new GatewaySigningHandler(caller, GatewaySecret));

    public HttpClient OpsClient() => ClientAs(new CallerIdentity("test-ops", Roles.Ops, null));
}
