using JasperFx.Events;
using Vendor.Agreements.Stores;

namespace Vendor.Agreements;

/// <summary>Marker for the test hosts (WebApplicationFactory) and the one place domain events leave the service.</summary>
public static class IntegrationEvents
{
    public static object? Map(IEvent committed) => committed.Data switch
    {
        StoreOnboarded e => new Contracts.StoreOnboarded(e.StoreId, e.Name, e.Platform, e.TimeZone, e.OnboardedAt),
        _ => null,
    };
}

public sealed class AgreementsApi;
