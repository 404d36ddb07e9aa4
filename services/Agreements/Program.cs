using Vendor.Agreements;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("agreements", "agreements")
{
    Marten = StoresModule.Configure,
    Outbox = IntegrationEvents.Map,
});

var app = builder.Build();
app.MapServiceDefaults();
app.MapStores();
app.Run();
