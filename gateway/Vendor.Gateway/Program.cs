using Vendor.Gateway;
using Vendor.Gateway.Alerts;
using Vendor.Gateway.ApiKeys;
using Vendor.Gateway.Dashboard;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("gateway", "gateway")
{
    Marten = options =>
    {
        KeysModule.Configure(options);
        AlertsModule.Configure(options);
    },
    Consumers = AlertsModule.Consumers,
});
builder.Services.AddDashboardAlerts();
builder.Services.AddSingleton<KeyDirectory>();
builder.Services.AddHostedService<BootstrapKey>();
builder.AddDashboard();
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();
app.MapServiceDefaults(requireGatewayCallers: false);
app.UseDashboard();
app.UseMiddleware<ApiKeyAuthentication>();
app.MapKeys();
app.MapDashboard();
app.MapDashboardAlerts();
app.MapReverseProxy();
app.Run();

namespace Vendor.Gateway
{
    /// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
    public sealed class GatewayApi;
}
