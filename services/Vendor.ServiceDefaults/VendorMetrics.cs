using System.Diagnostics.Metrics;

namespace Vendor.ServiceDefaults;

/// <summary>
/// The platform's own figures beside the framework's (exported with them over OTLP): how fast conversations come in, how far
/// behind the consumers run, how long an alert takes to reach its channel, how many SLA targets are missed.
/// </summary>
public static class VendorMetrics
{
    public const string MeterName = "Vendor";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Conversations stored by ingestion (new or updated), counted when their transaction commits.</summary>
    public static readonly Counter<long> ConversationsIngested = Meter.CreateCounter<long>("vendor.conversations.ingested", "{conversation}",
        "Conversations stored by ingestion (new or updated), counted on commit.");

    /// <summary>Ingest requests of one store that collided with another on the same new conversation and were done again alone.</summary>
    public static readonly Counter<long> IngestCollisions = Meter.CreateCounter<long>("vendor.ingest.collisions", "{request}",
        "Ingest requests rolled back after colliding with a concurrent one on the same store, and retried.");

    /// <summary>From a message's sending to its consumer's commit, per message type.</summary>
    public static readonly Histogram<double> ConsumerLag = Meter.CreateHistogram<double>("vendor.consumer.lag", "s",
        "Seconds from an integration event's sending to its consumer's committed effect.");

    /// <summary>From an alert state change being written to a channel accepting it.</summary>
    public static readonly Histogram<double> AlertDeliveryLatency = Meter.CreateHistogram<double>("vendor.alert.delivery.latency", "s",
        "Seconds from an alert change to its delivery to a channel.");

    /// <summary>SLA metrics of a store's month crossing into missed, counted on commit.</summary>
    public static readonly Counter<long> SlaBreaches = Meter.CreateCounter<long>("vendor.sla.breaches", "{breach}",
        "SLA metrics crossing into missed for the current month, counted on commit.");
}
