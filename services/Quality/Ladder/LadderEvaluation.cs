using System.Globalization;

namespace Vendor.Quality.Ladder;

/// <summary>Where an agent stands at the end of a review period: what the ladder's rules are checked against.</summary>
public sealed record Standing(string AgentId, string Tier, DateOnly HiredOn, DateOnly AsOf, double? Score, int MonthsWithData,
    IReadOnlyList<DateOnly> CriticalErrorDates, int Certifications);

/// <summary>One rule of one step: met (true), not met (false) or not decided by the data (null: a lead's approval, a score with no data).</summary>
public sealed record RuleResult(string Tier, string Rule, bool? Met, string Required, string? Actual, string Reason);

public static class Rules
{
    public const string Tenure = "tenure", Score = "score", CriticalFree = "criticalFree", Certifications = "certifications",
        Approval = "approval";
}

public static class Outcomes
{
    public const string Promote = "promote", Demote = "demote", Keep = "keep";
}

public sealed record Proposed(string From, string To, string Outcome, IReadOnlyList<RuleResult> Rules);

/// <summary>The ladder's rules as pure functions of an agent's standing.</summary>
public static class LadderEvaluation
{
    private static string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Whole months from hiring to the date (hired 2026-01-15: one month on 2026-02-15, not on 2026-02-14).</summary>
    public static int TenureMonths(DateOnly hiredOn, DateOnly asOf)
    {
        var months = (asOf.Year - hiredOn.Year) * 12 + asOf.Month - hiredOn.Month;
        // A hire on the 31st completes a month on the last day of a shorter month.
        var anniversaryDay = Math.Min(hiredOn.Day, DateTime.DaysInMonth(asOf.Year, asOf.Month));
        return Math.Max(0, asOf.Day < anniversaryDay ? months - 1 : months);
    }

    public static RuleResult TenureRule(LadderStep step, Standing s)
    {
        var months = TenureMonths(s.HiredOn, s.AsOf);
        return new(step.Tier, Rules.Tenure, months >= step.MinTenureMonths, $"≥ {step.MinTenureMonths} months", $"{months} months",
            months >= step.MinTenureMonths
                ? $"Hired on {s.HiredOn:yyyy-MM-dd}: {months} months by {s.AsOf:yyyy-MM-dd}."
                : $"Hired on {s.HiredOn:yyyy-MM-dd}: only {months} months by {s.AsOf:yyyy-MM-dd}, {step.MinTenureMonths} needed.");
    }

    /// <summary>For a promotion no score means not met; for staying on a tier it means not judged (an agent on leave all period is not demoted).</summary>
    public static RuleResult ScoreRule(LadderStep step, Standing s, bool toStay)
    {
        if (s.Score is not { } score)
            return new(step.Tier, Rules.Score, toStay ? null : false, $"≥ {F(step.MinScore)}%", null,
                toStay ? "No scorecard data in the period: not judged." : "No scorecard data in the period.");
        var met = score >= step.MinScore;
        return new(step.Tier, Rules.Score, met, $"≥ {F(step.MinScore)}%", $"{F(score)}%",
            $"Mean scorecard total over {s.MonthsWithData} month(s) with data is {F(score)}% of 115" + (met ? "." : $", below {F(step.MinScore)}%."));
    }

    public static RuleResult CriticalFreeRule(LadderStep step, Standing s)
    {
        if (step.CriticalFreeDays == 0)
            return new(step.Tier, Rules.CriticalFree, true, "none required", null, "No critical-free window on this step.");
        var since = s.AsOf.AddDays(-step.CriticalFreeDays + 1);
        var within = s.CriticalErrorDates.Where(d => d >= since && d <= s.AsOf).Order().ToList();
        return new(step.Tier, Rules.CriticalFree, within.Count == 0, $"no critical QC error in {step.CriticalFreeDays} days",
            within.Count == 0 ? "none" : $"{within.Count}, last on {within[^1]:yyyy-MM-dd}",
            within.Count == 0
                ? $"No critical QC error from {since:yyyy-MM-dd} to {s.AsOf:yyyy-MM-dd}."
                : $"{within.Count} critical QC error(s) from {since:yyyy-MM-dd} to {s.AsOf:yyyy-MM-dd}, the last on {within[^1]:yyyy-MM-dd}.");
    }

    public static RuleResult CertificationsRule(LadderStep step, Standing s) =>
        new(step.Tier, Rules.Certifications, s.Certifications >= step.MinCertifications, $"≥ {step.MinCertifications}", $"{s.Certifications}",
            s.Certifications >= step.MinCertifications
                ? $"Holds {s.Certifications} certification(s)."
                : $"Holds {s.Certifications} certification(s), {step.MinCertifications} needed.");

    public static RuleResult ApprovalRule(LadderStep step) => step.RequiresApproval
        ? new(step.Tier, Rules.Approval, null, "a team lead's approval", null, "Awaits a team lead's approval.")
        : new(step.Tier, Rules.Approval, true, "none", null, "This step needs no approval.");

    /// <summary>Every rule of the step to <paramref name="step"/>'s tier.</summary>
    public static IReadOnlyList<RuleResult> ToReach(LadderStep step, Standing s) =>
        [TenureRule(step, s), ScoreRule(step, s, toStay: false), CriticalFreeRule(step, s), CertificationsRule(step, s), ApprovalRule(step)];

    /// <summary>What it takes to stay on a tier: its score and its critical-free window (tenure and certifications are not lost).</summary>
    public static IReadOnlyList<RuleResult> ToStay(LadderStep step, Standing s) => [ScoreRule(step, s, toStay: true), CriticalFreeRule(step, s)];

    /// <summary>
    /// Promote one step when every rule of the next step but the lead's approval is met (the approval is what the review asks for);
    /// else demote one step when the current tier's score or critical-free rule is no longer met (never below probation); else keep.
    /// The results of both the next step and the current tier are returned.
    /// </summary>
    public static Proposed Propose(LadderRules rules, Standing s)
    {
        var next = Tiers.Above(s.Tier) is { } up ? rules.Step(up) : null;
        var current = rules.Step(s.Tier);
        var toReach = next is null ? [] : ToReach(next, s);
        var toStay = current is null ? [] : ToStay(current, s);
        IReadOnlyList<RuleResult> all = [.. toReach, .. toStay];
        if (next is not null && toReach.Where(r => r.Rule != Rules.Approval).All(r => r.Met == true))
            return new Proposed(s.Tier, next.Tier, Outcomes.Promote, all);
        if (current is not null && toStay.Any(r => r.Met == false))
            return new Proposed(s.Tier, Tiers.Below(s.Tier)!, Outcomes.Demote, all);
        return new Proposed(s.Tier, s.Tier, Outcomes.Keep, all);
    }

    /// <summary>The ladder's score: the mean of the monthly totals (months with data only) as a percentage of 115.</summary>
    public static double? Score(IEnumerable<double?> monthlyTotals)
    {
        var totals = monthlyTotals.OfType<double>().ToList();
        return totals.Count == 0 ? null : Math.Round(totals.Average() / Scorecards.Kpis.MaxTotal * 100, 2);
    }
}
