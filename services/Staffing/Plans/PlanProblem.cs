using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Coverage;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Plans;

/// <summary>
/// What an emergency plan is solved for: one store-local date on a grid of 30-minute intervals (the same instants for every
/// store of the problem), the stores with their shortfall and surplus per interval, and the agents who may work that day.
/// Immutable; built from coverage and rosters by <see cref="PlanProblems"/>, or by hand in tests.
/// </summary>
public sealed record PlanProblem(DateOnly Date, string TimeZone, IReadOnlyList<DateTimeOffset> IntervalStarts, IReadOnlyList<PlanStore> Stores,
    IReadOnlyList<PlanAgent> Agents)
{
    public DateTimeOffset IntervalEnd(int interval) =>
        interval + 1 < IntervalStarts.Count ? IntervalStarts[interval + 1] : IntervalStarts[interval].AddMinutes(OpeningHours.IntervalMinutes);

    public DateTimeOffset DayStart => IntervalStarts[0];
    public DateTimeOffset DayEnd => IntervalEnd(IntervalStarts.Count - 1);

    /// <summary>The intervals a shift covers (none outside the day).</summary>
    public IEnumerable<int> IntervalsOf(Shift shift) =>
        Enumerable.Range(0, IntervalStarts.Count).Where(i => shift.Covers(IntervalStarts[i], IntervalEnd(i)));

    /// <summary>The 48 interval instants of a store-local date (the coverage grid).</summary>
    public static IReadOnlyList<DateTimeOffset> Grid(DateOnly date, string timeZone)
    {
        var zone = OpeningHours.Zone(timeZone);
        return Enumerable.Range(0, OpeningHours.IntervalsPerDay)
            .Select(i => OpeningHours.Instant(date, TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(i * OpeningHours.IntervalMinutes)), zone)).ToList();
    }
}

/// <param name="Shortfall">Agents missing per interval (coverage gap: required minus available when short).</param>
/// <param name="Surplus">Available agents beyond the requirement per interval (closed intervals: every available agent).</param>
/// <param name="Target">The plan fills this store's gaps; a store that is not a target only lends agents from its surplus.</param>
/// <param name="Open">Which intervals the store serves (null: all): of two call-ins covering the same, the one in service hours is proposed.</param>
public sealed record PlanStore(StaffedStore Store, string SlaRisk, IReadOnlyList<int> Shortfall, IReadOnlyList<int> Surplus, bool Target = true,
    IReadOnlyList<bool>? Open = null)
{
    public bool IsOpen(int interval) => Open is null || Open[interval];

    public string StoreId => Store.StoreId;
    public IReadOnlyList<string> Skills => Store.ContractedHeadcount.Skills;
    public double Weight => StorePriority.Weight(SlaRisk, Store.ContractedHeadcount.Total);

    public static PlanStore Of(StaffedStore store, CoverageDay coverage, string slaRisk, bool target) =>
        new(store, slaRisk, [.. coverage.Intervals.Select(i => i.Gap)],
            [.. coverage.Intervals.Select(i => Math.Max(0, i.AvailableAgents - i.RequiredAgents))], target, [.. coverage.Intervals.Select(i => i.Open)]);
}

/// <param name="Shifts">The agent's shifts on every roster from the day before to the day after (the working-time rules look that far).</param>
/// <param name="Absences">The agent's absences around the day: no change of the plan may put the agent to work during one.</param>
public sealed record PlanAgent(Agent Profile, IReadOnlyList<OtherShift> Shifts, IReadOnlyList<Absence> Absences)
{
    public string AgentId => Profile.AgentId;

    public bool AbsentDuring(DateTimeOffset from, DateTimeOffset to) => Absences.Any(a => a.Overlaps(from, to));
}

public static class SlaRiskLevels
{
    public const string None = "none", AtRisk = "atRisk", Breached = "breached";

    public static int Rank(string? risk) => risk switch { Breached => 2, AtRisk => 1, _ => 0 };

    public static string Worst(string? a, string? b) => Rank(a) >= Rank(b) ? a ?? None : b ?? None;
}

/// <summary>
/// How much a missing agent-interval of a store costs: SLA risk first (breached 9, atRisk 3, none 1), then contracted
/// headcount (a factor 1 to 2, capped at 50 seats) — so a store at higher risk always outranks any store at lower risk.
/// </summary>
public static class StorePriority
{
    public const int HeadcountCap = 50;

    public static double Weight(string? slaRisk, int contractedHeadcount) =>
        SlaRiskLevels.Rank(slaRisk) switch { 2 => 9, 1 => 3, _ => 1 } * (1 + Math.Clamp(contractedHeadcount, 0, HeadcountCap) / (double)HeadcountCap);
}
