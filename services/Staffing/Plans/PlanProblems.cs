using Marten;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Coverage;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Plans;

/// <param name="Skipped">Target stores whose day is on another time grid (time zone) than the plan's.</param>
public sealed record LoadedProblem(PlanProblem Problem, IReadOnlyList<string> Targets, IReadOnlyList<string> Skipped);

/// <summary>Turns what Staffing knows about a date — coverage, rosters, agents, absences, SLA risk — into a <see cref="PlanProblem"/>.</summary>
public static class PlanProblems
{
    /// <summary>
    /// Pure. The grid is the date in the time zone most target stores use; stores whose intervals fall elsewhere are left out.
    /// Every store lends from its surplus; only targets are helped. Agents: those employed on the date, with their shifts
    /// and absences around it.
    /// </summary>
    public static LoadedProblem Build(DateOnly date, IReadOnlyList<(StaffedStore Store, CoverageDay Coverage)> stores, IReadOnlySet<string> targets,
        IReadOnlyDictionary<string, string> slaRisk, IReadOnlyList<Agent> agents, IReadOnlyList<OtherShift> shiftsAround, IReadOnlyList<Absence> absences)
    {
        var zone = stores.Where(s => targets.Contains(s.Store.StoreId)).GroupBy(s => s.Store.TimeZone)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Key).FirstOrDefault()
            ?? "UTC";
        var grid = PlanProblem.Grid(date, zone);
        var onGrid = stores.Where(s => s.Coverage.Intervals.Select(i => i.Start).SequenceEqual(grid)).ToList();
        var skipped = targets.Except(onGrid.Select(s => s.Store.StoreId)).Order(StringComparer.Ordinal).ToList();

        var shiftsOf = shiftsAround.ToLookup(o => o.Shift.AgentId);
        var absencesOf = absences.ToLookup(a => a.AgentId);
        var planStores = onGrid.Select(s => PlanStore.Of(s.Store, s.Coverage, slaRisk.GetValueOrDefault(s.Store.StoreId) ?? SlaRiskLevels.None,
            targets.Contains(s.Store.StoreId))).ToList();
        var planAgents = agents.Where(a => a.WorksOn(date)).OrderBy(a => a.AgentId, StringComparer.Ordinal)
            .Select(a => new PlanAgent(a, [.. shiftsOf[a.AgentId]], [.. absencesOf[a.AgentId]])).ToList();
        return new LoadedProblem(new PlanProblem(date, zone, grid, planStores, planAgents),
            [.. planStores.Where(s => s.Target).Select(s => s.StoreId)], skipped);
    }

    /// <summary>Loads everything <see cref="Build"/> needs; <paramref name="storeIds"/> null means every store is a target.</summary>
    public static async Task<LoadedProblem> LoadAsync(IQuerySession session, DateOnly date, IReadOnlyList<string>? storeIds, DateTimeOffset now,
        CancellationToken ct)
    {
        var stores = await session.Query<StaffedStore>().ToListAsync(ct);
        var coverage = new List<(StaffedStore, CoverageDay)>(stores.Count);
        foreach (var store in stores.OrderBy(s => s.StoreId, StringComparer.Ordinal)) coverage.Add((store, await CoverageRules.LoadAsync(session, store, date, ct)));
        var targets = (storeIds ?? stores.Select(s => s.StoreId)).ToHashSet();

        // The SLA month that matters is the current one, where each store's contract is being measured now.
        var monthOf = stores.ToDictionary(s => s.StoreId, s => TimeZoneInfo.ConvertTime(now, OpeningHours.Zone(s.TimeZone)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
        var months = monthOf.Values.Distinct().ToList();
        var risks = await session.Query<StoreSlaRisk>().Where(r => months.Contains(r.Month)).ToListAsync(ct);
        var riskOf = risks.Where(r => monthOf.GetValueOrDefault(r.StoreId) == r.Month).ToDictionary(r => r.StoreId, r => r.Risk);

        var agents = await session.Query<Agent>().ToListAsync(ct);
        var around = await RostersModule.ShiftsAroundAsync(session, date, ct);
        var (from, to) = (OpeningHours.Instant(date.AddDays(-1), TimeOnly.MinValue, TimeZoneInfo.Utc), OpeningHours.Instant(date.AddDays(3), TimeOnly.MinValue, TimeZoneInfo.Utc));
        var absences = await AttendanceModule.AbsencesAsync(session, from, to, ct);
        return Build(date, coverage, targets, riskOf, agents, around, absences);
    }
}
