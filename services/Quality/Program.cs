using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(new ServiceSetup("quality", "quality")
{
    Marten = TrainingModule.Configure,
    Consumers = bus => bus.AddConsumer<AgentHiredConsumer>(),
});

var app = builder.Build();
app.MapServiceDefaults();
app.MapTraining();
app.Run();

namespace Vendor.Quality
{
    /// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
    public sealed class QualityApi;
}
