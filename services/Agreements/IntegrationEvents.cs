using JasperFx.Events;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;

namespace Vendor.Agreements;

/// <summary>Marker for the test hosts (WebApplicationFactory) and the one place domain events leave the service.</summary>
public static class IntegrationEvents
{
    public static object? Map(IEvent committed) => committed.Data switch
    {
        StoreOnboarded e => new Contracts.StoreOnboarded(e.StoreId, e.Name, e.Platform, e.TimeZone, e.OnboardedAt),
        ConversationsIngested e => new Contracts.ConversationsRecorded(e.StoreId, e.Conversations),
        SlaStatusChanged { To: MetricStatus.AtRisk } e => new Contracts.SlaAtRisk(e.StoreId, e.Month, e.Metric, e.Actual, e.Target, e.At),
        SlaStatusChanged { To: MetricStatus.Missed } e => new Contracts.SlaBreached(e.StoreId, e.Month, e.Metric, e.Actual, e.Target, e.At),
        _ => null,
    };
}

public sealed class AgreementsApi;
