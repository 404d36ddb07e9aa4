using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using JasperFx.Events;
using Marten;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;

namespace Vendor.Agreements.Sla;

/// <summary>
/// A metric's month-to-date status changed; into atRisk or missed it is published (SlaAtRisk / SlaBreached), from atRisk or missed
/// back to met as SlaRecovered.
/// </summary>
public sealed record SlaStatusChanged(string StoreId, string Month, string Metric, string? From, string To, double? Actual, double Target,
    DateTimeOffset At);

/// <summary>The last status of each targeted metric of a store's month, stream <c>sla:{storeId}:{yyyy-MM}</c>.</summary>
public sealed record SlaMonth(string Id, IReadOnlyDictionary<string, string> Statuses)
{
    public static string StreamKey(string storeId, string month) => $"sla:{storeId}:{month}";

    public static SlaMonth Create(IEvent<SlaStatusChanged> e) => new(e.StreamKey!, new Dictionary<string, string> { [e.Data.Metric] = e.Data.To });

    public SlaMonth Apply(SlaStatusChanged e) => this with { Statuses = new Dictionary<string, string>(Statuses) { [e.Metric] = e.To } };
}

[Description("一个 SLA 指标在期间内的实际值、目标与状态。 / One SLA metric over the period: actual, target and status.")]
public sealed record MetricFigure(
    [property: Description("指标名：firstResponseSeconds、responseSeconds、threeMinuteResponseRate、missedRate、resolutionRate、inquiryConversionRate、satisfactionRate 或 qcScore。 / The metric: firstResponseSeconds, responseSeconds, threeMinuteResponseRate, missedRate, resolutionRate, inquiryConversionRate, satisfactionRate or qcScore.")] string Metric,
    [property: Description("实际值：比率为 0-1 的小数，时间为秒；无数据时为 null。 / The actual value: rates are fractions 0-1, times are seconds; null when there is nothing to measure.")] double? Actual,
    [property: Description("合同目标（合同未设目标时为 null）。 / The contract's target (null when the contract sets none).")] double? Target,
    [property: Description("状态：met、atRisk（达标但接近目标）、missed 或 noData；无目标时为 null。 / The status: met, atRisk (met but within the warning margin), missed or noData; null without a target.")] string? Status,
    [property: Description("计算所依据的对话（或评价、质检）数量。 / How many conversations (or ratings, reviews) the figure is measured over.")] long Sample);

public static class SlaWatch
{
    /// <summary>Every pinned metric over the sums, with target and status where the terms set one.</summary>
    public static IReadOnlyList<MetricFigure> Figures(DailyCounts counts, ContractTerms? terms) =>
        Metrics.All.Select(m =>
        {
            var exact = counts.Actual(m.Name);
            var target = terms?.Targets.FirstOrDefault(t => t.Metric == m.Name);
            // The status is decided on the exact figure; only the figure shown is rounded.
            return new MetricFigure(m.Name, exact is { } a ? Math.Round(a, 4) : null, target?.Target,
                target is null ? null : MetricStatus.Of(m.Name, exact, target.Target, terms!.WarningMarginPercent), counts.Sample(m.Name));
        }).ToList();

    /// <summary>The status changes between what was last recorded and the figures now (pure).</summary>
    public static IReadOnlyList<SlaStatusChanged> Changes(string storeId, string month, SlaMonth? last, IEnumerable<MetricFigure> figures,
        DateTimeOffset now) =>
        figures.Where(f => f.Status is not null && f.Target is not null)
            .Select(f => (Figure: f, Before: last?.Statuses.GetValueOrDefault(f.Metric)))
            .Where(x => x.Before != x.Figure.Status && !(x.Before is null && x.Figure.Status is MetricStatus.NoData or MetricStatus.Met))
            .Select(x => new SlaStatusChanged(storeId, month, x.Figure.Metric, x.Before, x.Figure.Status!, x.Figure.Actual, x.Figure.Target!.Value, now))
            .ToList();

    /// <summary>Re-checks the store's current month inside the caller's transaction and appends the status changes.</summary>
    public static async Task CheckCurrentMonthAsync(IDocumentSession session, Store store, ServiceContract? contract, DateTimeOffset now,
        CancellationToken ct)
    {
        var today = store.Calendar.LocalDate(now);
        var first = new DateOnly(today.Year, today.Month, 1);
        var terms = contract?.TermsForMonth(first);
        if (terms is null || terms.Targets.Count == 0) return;
        var days = await ConversationLedger.DailyAsync(session, store.StoreId, first, first.AddMonths(1).AddDays(-1), ct);
        var counts = days.Values.Aggregate(default(DailyCounts), (a, b) => a + b);
        var month = first.ToString("yyyy-MM");
        var key = SlaMonth.StreamKey(store.StoreId, month);
        var last = await session.LoadAsync<SlaMonth>(key, ct);
        var changes = Changes(store.StoreId, month, last, Figures(counts, terms), now);
        if (changes.Count == 0) return;
        session.Events.Append(key, changes.Cast<object>().ToArray());
        await Webhooks.StoreWebhookEvents.QueueAsync(session, store.StoreId, changes, now, ct);
    }
}
