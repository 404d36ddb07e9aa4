using Vendor.Gateway;
using Vendor.Gateway.Alerts;
using Vendor.Gateway.ApiKeys;
using Vendor.Gateway.Audit;
using Vendor.Gateway.Dashboard;
using Vendor.Gateway.Edge;
using Vendor.Gateway.StoreApi;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("gateway", "gateway")
{
    Marten = options =>
    {
        KeysModule.Configure(options);
        AuditModule.Configure(options);
        AlertsModule.Configure(options);
    },
    Consumers = AlertsModule.Consumers,
});
builder.Services.AddDashboardAlerts();
builder.Services.AddSingleton<KeyDirectory>();
builder.Services.AddHostedService<BootstrapKey>();
builder.Services.AddHostedService<KeyChangeListener>();
builder.AddGatewayEdge();
builder.AddDashboard();
builder.AddStoreApi();
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();
app.MapServiceDefaults(requireGatewayCallers: false);
// Order: headers on every answer; the per-source limit first, before anything touches PostgreSQL (a flood from one address
// must not turn into audit inserts); the audit sees everything after it (refusals included); the dashboard's cookie session
// before the key check (a signed-in user is an ops caller); body limits once the caller is known (audited with its caller).
app.UseGatewayHeaders();
app.UseSourceRateLimit();
app.UseMiddleware<AuditTrail>();
app.UseDashboard();
app.UseMiddleware<ApiKeyAuthentication>();
app.UseBodySizeLimits();
app.MapKeys();
app.MapAudit();
app.MapDashboard();
app.MapDashboardAlerts();
app.MapStoreApi();
app.MapReverseProxy();
app.Run();

namespace Vendor.Gateway
{
    /// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
    public sealed class GatewayApi;
}
