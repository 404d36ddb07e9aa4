using Vendor.Quality;
using Vendor.Quality.Agents;
using Vendor.Quality.Conversations;
using Vendor.Quality.Ladder;
using Vendor.Quality.Scorecards;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("quality", "quality")
{
    Marten = options =>
    {
        AgentsModule.Configure(options);
        TrainingModule.Configure(options);
        ScorecardsModule.Configure(options);
        LadderModule.Configure(options);
    },
    Consumers = bus =>
    {
        bus.AddConsumer<AgentJoinedConsumer>();
        bus.AddConsumer<AgentHiredConsumer>();
    },
    Outbox = IntegrationEvents.Map,
});

var app = builder.Build();
await PlainTables.EnsureAsync(builder.Configuration.ConnectionString("Postgres"), "quality-conversations", ConversationFacts.CreateTables);
app.MapServiceDefaults();
app.MapTraining();
app.MapScorecards();
app.MapLadder();
app.Run();

namespace Vendor.Quality
{
    /// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
    public sealed class QualityApi;
}
