using Vendor.Agreements;
using Vendor.Agreements.Explain;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.Reports;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;
using Vendor.Agreements.Webhooks;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("agreements", "agreements")
{
    Marten = options =>
    {
        StoresModule.Configure(options);
        ContractsModule.Configure(options);
        IngestionModule.Configure(options);
        SlaModule.Configure(options);
        WebhooksModule.Configure(options);
    },
    Consumers = bus => bus.AddConsumer<QcReviewCompletedConsumer>(),
    Outbox = IntegrationEvents.Map,
});

builder.AddWebhooks();
builder.Services.AddSingleton<RecordedOutboxPublisher>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RecordedOutboxPublisher>());

var app = builder.Build();
await PlainTables.EnsureAsync(builder.Configuration.ConnectionString("Postgres"), "agreements-ledger",
    ConversationLedger.CreateTables + RecordedOutbox.CreateTables);
await PlainTables.EnsureAsync(builder.Configuration.ConnectionString("Postgres"), "agreements-webhooks", WebhookDeliveries.CreateTables);
app.MapServiceDefaults();
app.MapStores();
app.MapContracts();
app.MapIngestion();
app.MapSla();
app.MapDailySla();
app.MapReports();
app.MapWebhooks();
app.MapConversationExplanations();
app.Run();
