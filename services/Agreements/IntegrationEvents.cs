using JasperFx.Events;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;

namespace Vendor.Agreements;

/// <summary>Marker for the test hosts (WebApplicationFactory) and the one place domain events leave the service.</summary>
public static class IntegrationEvents
{
    public static object? Map(IEvent committed) => committed.Data switch
    {
        StoreOnboarded e => new Contracts.StoreOnboarded(e.StoreId, e.Name, e.Platform, e.TimeZone, e.OnboardedAt,
            e.Calendar is null ? null : Published(e.Calendar)),
        StoreCalendarChanged e => new Contracts.StoreCalendarChanged(e.StoreId, Published(e.Calendar), e.EffectiveFrom),
        ContractActivated e => StaffingTerms(e.StoreId, ContractStatus.Active, e.Terms, e.Terms.StartsOn, e.At),
        ContractAmended e => StaffingTerms(e.StoreId, ContractStatus.Active, e.Terms, e.EffectiveOn, e.At),
        ContractTerminated e => new Contracts.StoreContractChanged(e.StoreId, ContractStatus.Terminated, 0, 0, 0, null, e.EffectiveOn, e.At),
        ConversationsIngested e => new Contracts.ConversationsRecorded(e.StoreId, e.Conversations),
        SlaStatusChanged { To: MetricStatus.AtRisk } e => new Contracts.SlaAtRisk(e.StoreId, e.Month, e.Metric, e.Actual, e.Target, e.At),
        SlaStatusChanged { To: MetricStatus.Missed } e => new Contracts.SlaBreached(e.StoreId, e.Month, e.Metric, e.Actual, e.Target, e.At),
        SlaStatusChanged e when Webhooks.StoreWebhookEvents.IsRecovery(e) =>
            new Contracts.SlaRecovered(e.StoreId, e.Month, e.Metric, e.From!, e.Actual, e.Target, e.At),
        _ => null,
    };

    private static Contracts.StoreCalendar Published(ServiceCalendar c) =>
        new(c.TimeZone, c.ServiceHours.Select(b => new Contracts.ServiceHoursBlock(b.Start.ToString("HH:mm"), b.End.ToString("HH:mm"))).ToList(),
            c.OpenDays, c.Holidays, c.MakeUpWorkdays);

    private static Contracts.StoreContractChanged StaffingTerms(string storeId, string status, ContractTerms terms, DateOnly effectiveOn,
        DateTimeOffset at) =>
        new(storeId, status, terms.Headcount.Presales, terms.Headcount.Aftersales, terms.Headcount.Hotline,
            terms.Targets.FirstOrDefault(t => t.Metric == "threeMinuteResponseRate")?.Target, effectiveOn, at);
}

public sealed class AgreementsApi;
