using JasperFx.Events;
using Vendor.Staffing.Agents;

namespace Vendor.Staffing;

/// <summary>The one place domain events leave the service.</summary>
public static class IntegrationEvents
{
    public static object? Map(IEvent committed) => committed.Data switch
    {
        AgentHired e => new Contracts.AgentHired(e.AgentId, e.Name, e.Team, e.Skills, e.HiredOn, e.RegisteredAt),
        _ => null,
    };
}

/// <summary>Marker for the test hosts (WebApplicationFactory).</summary>
public sealed class StaffingApi;
