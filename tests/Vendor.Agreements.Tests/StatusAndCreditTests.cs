using Vendor.Agreements.Reports;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Tests;

public class StatusAndCreditTests
{
    [Theory]
    [InlineData("satisfactionRate", 0.5, 0.5, "atRisk")]     // met, within 10 % of the target
    [InlineData("satisfactionRate", 0.56, 0.5, "met")]
    [InlineData("satisfactionRate", 0.49, 0.5, "missed")]
    [InlineData("firstResponseSeconds", 30, 30, "atRisk")]  // lower is better
    [InlineData("firstResponseSeconds", 26.9, 30, "met")]
    [InlineData("firstResponseSeconds", 30.1, 30, "missed")]
    [InlineData("missedRate", 0.046, 0.05, "atRisk")]
    public void A_metric_is_met_at_risk_or_missed_by_its_direction(string metric, double actual, double target, string status) =>
        Assert.Equal(status, MetricStatus.Of(metric, actual, target, 10));

    [Fact]
    public void Nothing_measured_is_no_data() => Assert.Equal("noData", MetricStatus.Of("qcScore", null, 90, 10));

    private static ContractTerms Terms(params SlaTarget[] targets) =>
        new(100_000, "CNY", 10, 10, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), 48, new Headcount(1, 1, 0), targets);

    [Fact]
    public void A_missed_line_costs_pool_times_allocation_and_the_total_is_capped_at_the_pool()
    {
        // Every conversation missed: all rate targets missed.
        var counts = new DailyCounts(10, 10, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0);
        var terms = Terms(new SlaTarget("missedRate", 0.05, 60), new SlaTarget("threeMinuteResponseRate", 0.9, 40), new SlaTarget("resolutionRate", 0.8, 0));

        var report = MonthlyReports.Build("acme", "2026-11", "acme-1", terms, counts, []);

        Assert.Equal(10_000m, report.AtRiskPool);
        Assert.Equal([6_000m, 4_000m, 0m], report.Lines.Select(l => l.Credit));
        Assert.Equal(10_000m, report.TotalCredit);
    }

    [Fact]
    public void Credits_never_exceed_the_pool_even_when_allocations_round_up()
    {
        var counts = new DailyCounts(3, 3, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0);
        var terms = Terms(new SlaTarget("missedRate", 0.05, 33.335m), new SlaTarget("threeMinuteResponseRate", 0.9, 33.335m),
            new SlaTarget("resolutionRate", 0.9, 33.33m));

        Assert.Equal(10_000m, MonthlyReports.Build("acme", "2026-11", "acme-1", terms, counts, []).TotalCredit);
    }

    [Fact]
    public void The_trend_lists_up_to_three_earlier_months_with_data()
    {
        var some = new DailyCounts(1, 1, 1, 10, 1, 10, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0);
        var earlier = new List<(string, DailyCounts)> { ("2026-08", default), ("2026-09", some), ("2026-10", some) };

        var line = MonthlyReports.Build("acme", "2026-11", "acme-1", Terms(new SlaTarget("missedRate", 0.05, 10)), some, earlier).Lines[0];

        Assert.Equal(["2026-09", "2026-10"], line.Trend.Select(t => t.Month));
    }

    [Fact]
    public void Status_changes_are_reported_once_and_a_first_met_is_not_news()
    {
        var now = DateTimeOffset.UnixEpoch;
        MetricFigure Figure(string status) => new("missedRate", 0.1, 0.05, status, 10);

        Assert.Empty(SlaWatch.Changes("acme", "2026-11", null, [Figure("met")], now));
        var breached = Assert.Single(SlaWatch.Changes("acme", "2026-11", null, [Figure("missed")], now));
        var month = new SlaMonth("sla:acme:2026-11", new Dictionary<string, string> { ["missedRate"] = breached.To });
        Assert.Empty(SlaWatch.Changes("acme", "2026-11", month, [Figure("missed")], now));
        Assert.Equal("met", Assert.Single(SlaWatch.Changes("acme", "2026-11", month, [Figure("met")], now)).To);
    }
}
