namespace Vendor.Agreements.Sla;

/// <summary>
/// What one conversation (or a store-day of them) adds to the SLA sums. Stored per conversation so that a re-posted
/// conversation replaces its old contribution in the per-store/day rollup instead of adding a second one.
/// </summary>
public readonly record struct DailyCounts(
    long Conversations, long WithCustomer, long FirstAnswered, double FrtSum, long TurnsAnswered, double ResponseSum,
    long Within3, long Missed, long Slow, long Resolved, long Rated, long Satisfied, long Presales, long Converted,
    long QcCount, double QcSum)
{
    public static readonly string[] Columns =
    [
        "conversations", "with_customer", "first_answered", "frt_sum", "turns_answered", "response_sum", "within3", "missed",
        "slow", "resolved", "rated", "satisfied", "presales", "converted", "qc_count", "qc_sum",
    ];

    public static DailyCounts Of(ConversationFacts facts, bool resolved, string? rating, bool presales) => new(
        Conversations: 1,
        WithCustomer: facts.HasCustomerMessage ? 1 : 0,
        FirstAnswered: facts.FirstTurnAnswered ? 1 : 0,
        FrtSum: facts.FirstResponseSeconds ?? 0,
        TurnsAnswered: facts.AnsweredResponseSeconds.Count,
        ResponseSum: facts.AnsweredResponseSeconds.Sum(),
        Within3: facts.HasCustomerMessage && facts.AnsweredWithinThreeMinutes ? 1 : 0,
        Missed: facts.Missed ? 1 : 0,
        Slow: facts.Slow ? 1 : 0,
        Resolved: resolved ? 1 : 0,
        Rated: rating is null ? 0 : 1,
        Satisfied: rating == "satisfied" ? 1 : 0,
        Presales: presales && facts.HasCustomerMessage ? 1 : 0,
        Converted: presales && facts.Converted ? 1 : 0,
        QcCount: 0,
        QcSum: 0);

    public static DailyCounts operator +(DailyCounts a, DailyCounts b) => new(
        a.Conversations + b.Conversations, a.WithCustomer + b.WithCustomer, a.FirstAnswered + b.FirstAnswered, a.FrtSum + b.FrtSum,
        a.TurnsAnswered + b.TurnsAnswered, a.ResponseSum + b.ResponseSum, a.Within3 + b.Within3, a.Missed + b.Missed,
        a.Slow + b.Slow, a.Resolved + b.Resolved, a.Rated + b.Rated, a.Satisfied + b.Satisfied, a.Presales + b.Presales,
        a.Converted + b.Converted, a.QcCount + b.QcCount, a.QcSum + b.QcSum);

    public static DailyCounts operator -(DailyCounts a) => new(
        -a.Conversations, -a.WithCustomer, -a.FirstAnswered, -a.FrtSum, -a.TurnsAnswered, -a.ResponseSum, -a.Within3, -a.Missed,
        -a.Slow, -a.Resolved, -a.Rated, -a.Satisfied, -a.Presales, -a.Converted, -a.QcCount, -a.QcSum);

    public static DailyCounts operator -(DailyCounts a, DailyCounts b) => a + -b;

    public object[] Values() =>
    [
        Conversations, WithCustomer, FirstAnswered, FrtSum, TurnsAnswered, ResponseSum, Within3, Missed, Slow, Resolved, Rated,
        Satisfied, Presales, Converted, QcCount, QcSum,
    ];

    public static DailyCounts From(Func<int, object> read) => new(
        Convert.ToInt64(read(0)), Convert.ToInt64(read(1)), Convert.ToInt64(read(2)), Convert.ToDouble(read(3)), Convert.ToInt64(read(4)),
        Convert.ToDouble(read(5)), Convert.ToInt64(read(6)), Convert.ToInt64(read(7)), Convert.ToInt64(read(8)), Convert.ToInt64(read(9)),
        Convert.ToInt64(read(10)), Convert.ToInt64(read(11)), Convert.ToInt64(read(12)), Convert.ToInt64(read(13)), Convert.ToInt64(read(14)),
        Convert.ToDouble(read(15)));

    /// <summary>The pinned metrics over these sums (DOMAIN.md); null where there is nothing to measure.</summary>
    public double? Actual(string metric) => metric switch
    {
        Metrics.FirstResponseSeconds => Ratio(FrtSum, FirstAnswered),
        Metrics.ResponseSeconds => Ratio(ResponseSum, TurnsAnswered),
        Metrics.ThreeMinuteResponseRate => Ratio(Within3, WithCustomer),
        Metrics.MissedRate => Ratio(Missed, WithCustomer),
        Metrics.ResolutionRate => Ratio(Resolved, Conversations),
        Metrics.InquiryConversionRate => Ratio(Converted, Presales),
        Metrics.SatisfactionRate => Ratio(Satisfied, Rated),
        Metrics.QcScore => Ratio(QcSum, QcCount),
        _ => throw new ArgumentException($"Unknown metric {metric}", nameof(metric)),
    };

    /// <summary>How many conversations (turns, ratings, reviews) the metric was measured over.</summary>
    public long Sample(string metric) => metric switch
    {
        Metrics.FirstResponseSeconds => FirstAnswered,
        Metrics.ResponseSeconds => TurnsAnswered,
        Metrics.ThreeMinuteResponseRate or Metrics.MissedRate => WithCustomer,
        Metrics.ResolutionRate => Conversations,
        Metrics.InquiryConversionRate => Presales,
        Metrics.SatisfactionRate => Rated,
        Metrics.QcScore => QcCount,
        _ => throw new ArgumentException($"Unknown metric {metric}", nameof(metric)),
    };

    private static double? Ratio(double sum, long count) => count == 0 ? null : sum / count;
}
