using JasperFx.Events;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Plans;

/// <summary>Agreements reported a store's metric for a month at risk or breached, worse than Staffing knew.</summary>
public sealed record StoreSlaRiskRecorded(string StoreId, string Month, string Metric, string Risk, double? Actual, double Target,
    DateTimeOffset DetectedAt);

public sealed record MetricRisk(string Metric, string Risk, double? Actual, double Target, DateTimeOffset DetectedAt);

/// <summary>
/// A store's SLA risk in a month (yyyy-MM), stream <c>sla-risk:{storeId}:{month}</c>; an inline snapshot the planner reads
/// to weigh stores. The worst status per metric is kept: no "recovered" status is published yet.
/// </summary>
public sealed record StoreSlaRisk(string Id, string StoreId, string Month, string Risk, IReadOnlyList<MetricRisk> Metrics, long Version)
{
    public static string StreamKey(string storeId, string month) => $"sla-risk:{storeId}:{month}";

    public static StoreSlaRisk Create(IEvent<StoreSlaRiskRecorded> e) =>
        new StoreSlaRisk(e.StreamKey!, e.Data.StoreId, e.Data.Month, SlaRiskLevels.None, [], 0).Apply(e);

    public StoreSlaRisk Apply(IEvent<StoreSlaRiskRecorded> e) => this with
    {
        Risk = SlaRiskLevels.Worst(Risk, e.Data.Risk),
        Metrics = [.. Metrics.Where(m => m.Metric != e.Data.Metric), new MetricRisk(e.Data.Metric, e.Data.Risk, e.Data.Actual, e.Data.Target, e.Data.DetectedAt)],
        Version = e.Version,
    };

    public string RiskOf(string metric) => Metrics.FirstOrDefault(m => m.Metric == metric)?.Risk ?? SlaRiskLevels.None;
}

public static class SlaRiskRules
{
    /// <summary>Record a metric's status when it is worse than the one known for the month (a repeat or a milder one changes nothing).</summary>
    public static Decision Record(StoreSlaRisk? current, string storeId, string month, string metric, string risk, double? actual, double target,
        DateTimeOffset detectedAt) =>
        SlaRiskLevels.Rank(risk) <= SlaRiskLevels.Rank(current?.RiskOf(metric))
            ? new Decision.Unchanged()
            : Decision.Of(new StoreSlaRiskRecorded(storeId, month, metric, risk, actual, target, detectedAt));

    /// <summary>Stage the record in the consumer's session (a concurrent writer of the same month makes the save fail and the bus retry).</summary>
    public static async Task RecordAsync(IDocumentSession session, string storeId, string month, string metric, string risk, double? actual,
        double target, DateTimeOffset detectedAt, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<StoreSlaRisk>(StoreSlaRisk.StreamKey(storeId, month), ct);
        if (Record(stream.Aggregate, storeId, month, metric, risk, actual, target, detectedAt) is Decision.Append append) stream.AppendMany(append.Events);
    }
}

public sealed class SlaAtRiskConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<Contracts.SlaAtRisk>(session, clock)
{
    protected override Task Handle(Contracts.SlaAtRisk m, IDocumentSession session, CancellationToken ct) =>
        SlaRiskRules.RecordAsync(session, m.StoreId, m.Month, m.Metric, SlaRiskLevels.AtRisk, m.Actual, m.Target, m.DetectedAt, ct);
}

public sealed class SlaBreachedConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<Contracts.SlaBreached>(session, clock)
{
    protected override Task Handle(Contracts.SlaBreached m, IDocumentSession session, CancellationToken ct) =>
        SlaRiskRules.RecordAsync(session, m.StoreId, m.Month, m.Metric, SlaRiskLevels.Breached, m.Actual, m.Target, m.DetectedAt, ct);
}
