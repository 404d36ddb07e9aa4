using Vendor.Quality;
using Vendor.Quality.Agents;
using Vendor.Quality.Conversations;
using Vendor.Quality.Feedback;
using Vendor.Quality.Inspectors;
using Vendor.Quality.Knowledge;
using Vendor.Quality.Reviews;
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
        SamplingModule.Configure(options);
        InspectorsModule.Configure(options);
        ReviewsModule.Configure(options);
        CalibrationModule.Configure(options);
        ScorecardsModule.Configure(options);
        LadderModule.Configure(options);
        KnowledgeModule.Configure(options);
        FeedbackModule.Configure(options);
    },
    Consumers = bus =>
    {
        bus.AddConsumer<AgentJoinedConsumer>();
        bus.AddConsumer<AgentHiredConsumer>();
        bus.AddConsumer<ConversationsRecordedConsumer>();
        bus.AddConsumer<ConversationsRecordedV2Consumer>();
    },
    Outbox = IntegrationEvents.Map,
});
builder.Services.AddFeedback(builder.Configuration);
builder.Services.AddSingleton(_ => new KnowledgeSearchDatabase(KnowledgeSearch.DataSource(builder.Configuration.ConnectionString("Postgres")),
    builder.Configuration.GetValue("Quality:Knowledge:SearchConcurrency", Environment.ProcessorCount)));

var app = builder.Build();
await PlainTables.EnsureAsync(builder.Configuration.ConnectionString("Postgres"), "quality-conversations", ConversationFacts.CreateTables);
await PlainTables.EnsureAsync(builder.Configuration.ConnectionString("Postgres"), "quality-knowledge-search", KnowledgeSearch.CreateTables);
app.MapServiceDefaults();
app.MapTraining();
app.MapSampling();
app.MapInspectors();
app.MapReviews(TrainingOnReviews.OnReviewAsync);
app.MapCalibrations();
app.MapScorecards();
app.MapLadder();
app.MapKnowledge();
app.MapFeedback();
app.MapKnowledgeSearch();
app.Run();

namespace Vendor.Quality
{
    /// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
    public sealed class QualityApi;
}
