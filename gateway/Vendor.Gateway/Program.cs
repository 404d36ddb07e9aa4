using Vendor.Gateway;
using Vendor.Gateway.ApiKeys;
using Vendor.Gateway.Edge;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("gateway", "gateway")
{
    Marten = KeysModule.Configure,
});
builder.Services.AddSingleton<KeyDirectory>();
builder.Services.AddHostedService<BootstrapKey>();
builder.Services.AddHostedService<KeyChangeListener>();
builder.AddGatewayEdge();
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();
app.MapServiceDefaults(requireGatewayCallers: false);
// Order: headers on every answer; the per-source limit before any key lookup; body limits once the caller is known.
app.UseGatewayHeaders();
app.UseSourceRateLimit();
app.UseMiddleware<ApiKeyAuthentication>();
app.UseBodySizeLimits();
app.MapKeys();
app.MapReverseProxy();
app.Run();

namespace Vendor.Gateway
{
    /// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
    public sealed class GatewayApi;
}
