using Vendor.ServiceDefaults;
using Vendor.Staffing;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Alerts;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Coverage;
using Vendor.Staffing.Demand;
using Vendor.Staffing.Erlang;
using Vendor.Staffing.Plans;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("staffing", "staffing")
{
    Marten = options =>
    {
        StoresModule.Configure(options);
        AgentsModule.Configure(options);
        RostersModule.Configure(options);
        AttendanceModule.Configure(options);
        AlertsModule.Configure(options);
        PlansModule.Configure(options);
    },
    Consumers = bus =>
    {
        bus.AddConsumer<StoreOnboardedConsumer>();
        bus.AddConsumer<StoreCalendarChangedConsumer>();
        bus.AddConsumer<StoreContractChangedConsumer>();
        bus.AddConsumer<AgentCertifiedConsumer>();
        bus.AddConsumer<AgentCertificationRevokedConsumer>();
        bus.AddConsumer<AgentTierChangedConsumer>();
        bus.AddConsumer<ConversationsRecordedConsumer>();
        bus.AddConsumer<ConversationArrivalsConsumer>();
        bus.AddConsumer<SlaAtRiskConsumer>();
        bus.AddConsumer<SlaBreachedConsumer>();
        bus.AddConsumer<StoreFeedbackOverdueConsumer>();
        bus.AddConsumer<StoreFeedbackSettledConsumer>();
    },
    Outbox = IntegrationEvents.Map,
});
builder.Services.AddAlerts(builder.Configuration);

var app = builder.Build();
await PlainTables.EnsureAsync(builder.Configuration.ConnectionString("Postgres"), "staffing-demand", DemandHistory.CreateTables);
app.MapServiceDefaults();
app.MapStores();
app.MapAgents();
app.MapRosters();
app.MapErlang();
app.MapCoverage();
app.MapAttendance();
app.MapAlerts();
app.MapPlans();
app.Run();
