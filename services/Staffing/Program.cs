using Vendor.Staffing;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Erlang;
using Vendor.Staffing.Stores;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("staffing", "staffing")
{
    Marten = options =>
    {
        StoresModule.Configure(options);
        AgentsModule.Configure(options);
    },
    Consumers = bus => bus.AddConsumer<StoreOnboardedConsumer>(),
    Outbox = IntegrationEvents.Map,
});

var app = builder.Build();
app.MapServiceDefaults();
app.MapStores();
app.MapAgents();
app.MapErlang();
app.Run();
