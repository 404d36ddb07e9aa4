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

public sealed record MetricFigure(string Metric, double? Actual, double? Target, string? Status, long Sample);

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
