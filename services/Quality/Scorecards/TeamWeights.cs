using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Scorecards;

/// <summary>A team's scorecard weights from a date on; every KPI is listed (weight 0 = not scored), targets and floors resolved.</summary>
public sealed record ScorecardWeightsSet(string Team, DateOnly EffectiveFrom, IReadOnlyList<KpiSetting> Kpis, DateTimeOffset At);

/// <summary>One version of the weights; <see cref="EffectiveFrom"/> null is the built-in default in force before any change.</summary>
public sealed record WeightsVersion(DateOnly? EffectiveFrom, IReadOnlyList<KpiSetting> Kpis, DateTimeOffset? SetAt)
{
    public static readonly WeightsVersion Default = new(null, global::Vendor.Quality.Scorecards.Kpis.Defaults, null);
}

/// <summary>A team's weights history, stream <c>scorecard-weights:{team}</c>, kept as an inline snapshot.</summary>
public sealed record TeamWeights(string Id, string Team, IReadOnlyList<WeightsVersion> Versions, long Version)
{
    public static string StreamKey(string team) => $"scorecard-weights:{team}";

    public static TeamWeights Create(IEvent<ScorecardWeightsSet> e) =>
        new(e.StreamKey!, e.Data.Team, [new WeightsVersion(e.Data.EffectiveFrom, e.Data.Kpis, e.Data.At)], e.Version);

    // Setting the same date again replaces that version (a correction), so one date never has two versions.
    public TeamWeights Apply(IEvent<ScorecardWeightsSet> e) => this with
    {
        Versions = [.. Versions.Where(v => v.EffectiveFrom != e.Data.EffectiveFrom).Append(new WeightsVersion(e.Data.EffectiveFrom, e.Data.Kpis, e.Data.At))
            .OrderBy(v => v.EffectiveFrom)],
        Version = e.Version,
    };

    /// <summary>
    /// The version in force on the month's last day: a month is scored once, as a whole, so a change dated inside a month applies to
    /// all of it (and never splits one month's KPIs between two weightings).
    /// </summary>
    public static WeightsVersion InForce(TeamWeights? weights, DateOnly month) =>
        weights?.Versions.LastOrDefault(v => v.EffectiveFrom <= Months.Last(month)) ?? WeightsVersion.Default;
}

/// <summary>The body of PUT /api/quality/teams/{team}/weights.</summary>
public sealed record SetWeights(DateOnly? EffectiveFrom, IReadOnlyList<KpiWeightInput?>? Kpis);

public sealed record KpiWeightInput(string? Kpi, double? Weight, double? Target, double? Floor);

public static class WeightsDecisions
{
    public const int MaxTeamLength = 100;

    public static bool ValidTeam(string? team) => !string.IsNullOrWhiteSpace(team) && team.Length <= MaxTeamLength && team == team.Trim();

    /// <summary>
    /// KPIs not listed get weight 0 (not scored); the weights must total 115; a rate's or time's target and floor default to the
    /// built-in ones and must be ordered the KPI's way; counts are scored against the team's mean, so they take no target or floor.
    /// </summary>
    public static Decision Set(TeamWeights? current, string team, SetWeights command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(ValidTeam(team), "team", $"Required, at most {MaxTeamLength} characters, no surrounding spaces.")
            .Check(command.EffectiveFrom is not null, "effectiveFrom", "Required date, yyyy-MM-dd.");
        var inputs = command.Kpis ?? [];
        errors.Check(inputs.Count > 0, "kpis", $"Required: at least one of {string.Join(", ", Kpis.All.Select(k => k.Kpi))}.");
        var settings = new Dictionary<string, KpiSetting>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var field = $"kpis[{i}]";
            if (inputs[i] is not { } input)
            {
                errors.Add(field, "Required.");
                continue;
            }
            if (input.Kpi is null || !Kpis.ByName.TryGetValue(input.Kpi, out var kpi))
            {
                errors.Add($"{field}.kpi", $"Unknown KPI '{input.Kpi}'; one of {string.Join(", ", Kpis.All.Select(k => k.Kpi))}.");
                continue;
            }
            if (settings.ContainsKey(kpi.Kpi))
            {
                errors.Add($"{field}.kpi", $"'{kpi.Kpi}' is listed twice.");
                continue;
            }
            errors.Check(input.Weight is >= 0 and <= Kpis.MaxTotal, $"{field}.weight", $"Required, from 0 to {Kpis.MaxTotal}.");
            if (kpi.Scale == KpiScale.TeamRelative)
            {
                errors.Check(input.Target is null && input.Floor is null, field,
                    $"'{kpi.Kpi}' is scored against the team's mean that month: no target or floor.");
                settings[kpi.Kpi] = new KpiSetting(kpi.Kpi, input.Weight ?? 0, null, null);
                continue;
            }
            var target = input.Target ?? kpi.Target!.Value;
            var floor = input.Floor ?? kpi.Floor!.Value;
            errors.Check(target >= kpi.Min && target <= kpi.Max, $"{field}.target", $"From {kpi.Min} to {kpi.Max}.")
                .Check(floor >= kpi.Min && floor <= kpi.Max, $"{field}.floor", $"From {kpi.Min} to {kpi.Max}.");
            if (kpi.Scale == KpiScale.HigherIsBetter)
                errors.Check(target > floor, field, $"Higher is better for '{kpi.Kpi}': the target ({target}) must be above the floor ({floor}).");
            else
                errors.Check(target < floor, field, $"Lower is better for '{kpi.Kpi}': the target ({target}) must be below the floor ({floor}).");
            settings[kpi.Kpi] = new KpiSetting(kpi.Kpi, input.Weight ?? 0, target, floor);
        }
        var total = settings.Values.Sum(s => s.Weight);
        if (!errors.Any && Math.Abs(total - Kpis.MaxTotal) > 1e-6)
            errors.Add("kpis", $"The weights must total {Kpis.MaxTotal}; they total {total}.");
        if (errors.Any) return errors.ToDecision();

        // Every KPI listed, in catalogue order: an omitted KPI is weight 0 with the default target and floor.
        var resolved = Kpis.All.Select(k => settings.GetValueOrDefault(k.Kpi) ?? new KpiSetting(k.Kpi, 0, k.Target, k.Floor)).ToList();
        var effectiveFrom = command.EffectiveFrom!.Value;
        var same = current?.Versions.FirstOrDefault(v => v.EffectiveFrom == effectiveFrom);
        return same is not null && same.Kpis.SequenceEqual(resolved)
            ? new Decision.Unchanged()
            : Decision.Of(new ScorecardWeightsSet(team, effectiveFrom, resolved, now));
    }
}
