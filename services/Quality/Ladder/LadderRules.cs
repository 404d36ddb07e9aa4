using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Ladder;

/// <summary>The tier ids Staffing already consumes (Contracts.AgentTierChanged), bottom to top, with their Chinese names.</summary>
public static class Tiers
{
    public const string Probation = "probation", Iron = "iron", Bronze = "bronze", Silver = "silver", Gold = "gold";

    public static readonly IReadOnlyList<string> Ladder = [Probation, Iron, Bronze, Silver, Gold];

    private static readonly Dictionary<string, string> Names = new()
    {
        [Probation] = "试用", [Iron] = "铁牌", [Bronze] = "铜牌", [Silver] = "银牌", [Gold] = "金牌",
    };

    public static string Name(string tier) => Names.GetValueOrDefault(tier, tier);

    public static int Rank(string tier) => Ladder.ToList().IndexOf(tier);

    public static string? Above(string tier) => Rank(tier) is var r && r >= 0 && r < Ladder.Count - 1 ? Ladder[r + 1] : null;

    public static string? Below(string tier) => Rank(tier) > 0 ? Ladder[Rank(tier) - 1] : null;
}

/// <summary>
/// What it takes to reach a tier (and, for the score and the critical-free window, to stay on it). The score is the mean monthly
/// scorecard total over the review period as a percentage of 115.
/// </summary>
public sealed record LadderStep(string Tier, int MinTenureMonths, double MinScore, int CriticalFreeDays, int MinCertifications,
    bool RequiresApproval);

public sealed record LadderConfigured(IReadOnlyList<LadderStep> Steps, IReadOnlyDictionary<string, double> PayCoefficients, DateTimeOffset At);

/// <summary>The ladder's rules, one stream <c>ladder:rules</c> kept as an inline snapshot; <see cref="Default"/> until first configured.</summary>
public sealed record LadderRules(string Id, IReadOnlyList<LadderStep> Steps, IReadOnlyDictionary<string, double> PayCoefficients,
    DateTimeOffset? ConfiguredAt, long Version)
{
    public const string StreamKey = "ladder:rules";

    /// <summary>
    /// Iron follows seed 001 (两个月, 没有不良记录, 考核满80分, 领导批准): two months, no critical QC error in the last 60 days, score 80, a lead's
    /// approval. The steps above tighten each rule; coefficients rise with the tier (iron = 1.0, the regular employee's pay).
    /// </summary>
    public static readonly LadderRules Default = new(StreamKey,
    [
        new(Tiers.Iron, 2, 80, 60, 0, true),
        new(Tiers.Bronze, 6, 85, 90, 1, true),
        new(Tiers.Silver, 12, 88, 120, 2, true),
        new(Tiers.Gold, 24, 92, 180, 3, true),
    ],
    new Dictionary<string, double> { [Tiers.Probation] = 0.8, [Tiers.Iron] = 1.0, [Tiers.Bronze] = 1.1, [Tiers.Silver] = 1.25, [Tiers.Gold] = 1.5 },
    null, 0);

    public static LadderRules Create(IEvent<LadderConfigured> e) => new(e.StreamKey!, e.Data.Steps, e.Data.PayCoefficients, e.Data.At, e.Version);

    public LadderRules Apply(IEvent<LadderConfigured> e) =>
        this with { Steps = e.Data.Steps, PayCoefficients = e.Data.PayCoefficients, ConfiguredAt = e.Data.At, Version = e.Version };

    public LadderStep? Step(string tier) => Steps.FirstOrDefault(s => s.Tier == tier);

    public double PayCoefficient(string tier) => PayCoefficients.GetValueOrDefault(tier, 1.0);
}

/// <summary>The body of PUT /api/quality/ladder: the whole ladder (one step per tier above probation, a coefficient per tier).</summary>
public sealed record SetLadder(IReadOnlyList<LadderStepInput?>? Steps, IReadOnlyDictionary<string, double?>? PayCoefficients);

public sealed record LadderStepInput(string? Tier, int? MinTenureMonths, double? MinScore, int? CriticalFreeDays, int? MinCertifications,
    bool? RequiresApproval);

public static class LadderDecisions
{
    public static Decision Configure(LadderRules? current, SetLadder command, DateTimeOffset now)
    {
        var errors = new Errors();
        var inputs = command.Steps ?? [];
        var steps = new Dictionary<string, LadderStep>();
        var above = Tiers.Ladder.Skip(1).ToList();
        for (var i = 0; i < inputs.Count; i++)
        {
            var field = $"steps[{i}]";
            if (inputs[i] is not { } s)
            {
                errors.Add(field, "Required.");
                continue;
            }
            if (s.Tier is null || !above.Contains(s.Tier))
            {
                errors.Add($"{field}.tier", $"One of {string.Join(", ", above)} (probation is where everyone starts: it has no step).");
                continue;
            }
            if (steps.ContainsKey(s.Tier))
            {
                errors.Add($"{field}.tier", $"'{s.Tier}' is listed twice.");
                continue;
            }
            errors.Check(s.MinTenureMonths is >= 0 and <= 600, $"{field}.minTenureMonths", "Required, from 0 to 600.")
                .Check(s.MinScore is >= 0 and <= 100, $"{field}.minScore", "Required, from 0 to 100 (percent of the 115-point scorecard).")
                .Check(s.CriticalFreeDays is >= 0 and <= 366, $"{field}.criticalFreeDays", "Required, from 0 to 366.")
                .Check(s.MinCertifications is >= 0 and <= 100, $"{field}.minCertifications", "Required, from 0 to 100.")
                .Check(s.RequiresApproval is not null, $"{field}.requiresApproval", "Required, true or false.");
            steps[s.Tier] = new LadderStep(s.Tier, s.MinTenureMonths ?? 0, s.MinScore ?? 0, s.CriticalFreeDays ?? 0, s.MinCertifications ?? 0,
                s.RequiresApproval ?? true);
        }
        foreach (var missing in above.Where(t => !steps.ContainsKey(t)))
            errors.Add("steps", $"The step to '{missing}' is missing: the ladder is set as a whole.");

        var pay = command.PayCoefficients ?? new Dictionary<string, double?>();
        foreach (var unknown in pay.Keys.Where(k => !Tiers.Ladder.Contains(k)))
            errors.Add($"payCoefficients.{unknown}", $"Unknown tier; one of {string.Join(", ", Tiers.Ladder)}.");
        var payValid = true;
        foreach (var tier in Tiers.Ladder)
        {
            var ok = pay.GetValueOrDefault(tier) is > 0 and <= 10;
            errors.Check(ok, $"payCoefficients.{tier}", "Required, above 0 and at most 10.");
            payValid &= ok;
        }
        if (payValid)
        {
            // A higher tier never pays less: a promotion that cuts pay would be a demotion in disguise.
            for (var i = 1; i < Tiers.Ladder.Count; i++)
                errors.Check(pay[Tiers.Ladder[i]] >= pay[Tiers.Ladder[i - 1]], $"payCoefficients.{Tiers.Ladder[i]}",
                    $"Must not be below {Tiers.Ladder[i - 1]}'s coefficient.");
        }
        if (errors.Any) return errors.ToDecision();

        var ordered = above.Select(t => steps[t]).ToList();
        var coefficients = Tiers.Ladder.ToDictionary(t => t, t => pay[t]!.Value);
        return current is not null && current.Steps.SequenceEqual(ordered)
               && Tiers.Ladder.All(t => current.PayCoefficients.GetValueOrDefault(t) == coefficients[t])
            ? new Decision.Unchanged()
            : Decision.Of(new LadderConfigured(ordered, coefficients, now));
    }
}
