using Vendor.Agreements;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("agreements", "agreements")
{
    Marten = options =>
    {
        StoresModule.Configure(options);
        ContractsModule.Configure(options);
    },
    Outbox = IntegrationEvents.Map,
});

var app = builder.Build();
app.MapServiceDefaults();
app.MapStores();
app.MapContracts();
app.Run();
