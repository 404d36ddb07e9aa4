using Vendor.Contracts;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Plans;

/// <summary>
/// A seeded, realistic emergency instance for the benchmark and the tests (the service never uses it): stores in clusters of
/// ten whose agents are cross-certified, 8-hour shifts from 08:00 to midnight, rest constraints from yesterday's and
/// tomorrow's shifts, one agent in ten on standby, some agents off sick, and demand peaking in the evening so that some
/// stores are short while neighbours have agents to spare.
/// </summary>
public static class SyntheticPlanProblem
{
    public const string TimeZone = "Asia/Shanghai";
    private static readonly int[] ShiftStarts = [16, 20, 24, 28, 32]; // 08:00 to 16:00, in intervals
    private static readonly DateTimeOffset Onboarded = new(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(8));

    public static PlanProblem Generate(int agents, int stores, int seed, DateOnly? date = null)
    {
        var day = date ?? new DateOnly(2026, 11, 16);
        var random = new Random(seed);
        var grid = PlanProblem.Grid(day, TimeZone);
        var n = grid.Count;
        var storeList = Enumerable.Range(0, stores).Select(s => Store(s, random)).ToList();
        var clusterSize = Math.Min(10, stores);

        var planAgents = new List<PlanAgent>();
        var scheduled = storeList.Select(_ => new int[n]).ToArray();
        var available = storeList.Select(_ => new int[n]).ToArray();
        for (var a = 0; a < agents; a++)
        {
            var standby = a % 10 == 9;
            var home = standby ? random.Next(stores) : a % stores;
            var cluster = home / clusterSize * clusterSize;
            var homeStore = storeList[home];
            var skills = new HashSet<string> { homeStore.Store.ContractedHeadcount.Skills[random.Next(homeStore.Skills.Count)] };
            foreach (var skill in Skills.All) if (random.NextDouble() < 0.4) skills.Add(skill);
            var certified = new HashSet<string> { homeStore.StoreId };
            for (var k = random.Next(standby ? 3 : 2, standby ? 6 : 5); k > 0; k--)
                certified.Add(storeList[Math.Min(stores - 1, cluster + random.Next(clusterSize))].StoreId);

            var id = $"a-{a:D4}";
            var profile = new Agent(Agent.StreamKey(id), id, id, $"team-{cluster / clusterSize}", [.. skills.Order()], day.AddYears(-1),
                AgentStatus.Active, Onboarded, 1, [.. certified.Order(StringComparer.Ordinal)], Standby: standby);
            // Rosters as published keep the rules: 11 h of rest means yesterday's start at most 5 h after today's, tomorrow's at most 5 h before.
            var start = ShiftStarts[random.Next(ShiftStarts.Length)];
            int Around(int limit, int sign)
            {
                var starts = ShiftStarts.Where(s => sign * (s - start) <= limit).ToArray(); // never empty: the start itself
                return starts[random.Next(starts.Length)];
            }
            var shifts = new List<OtherShift>();
            if (random.NextDouble() < (standby ? 0.5 : 0.8)) shifts.Add(ShiftOn(homeStore, day.AddDays(-1), id, skills, Around(10, +1)));
            if (random.NextDouble() < (standby ? 0.5 : 0.8)) shifts.Add(ShiftOn(homeStore, day.AddDays(1), id, skills, Around(10, -1)));
            var absences = new List<Absence>();
            if (!standby)
            {
                var today = ShiftOn(homeStore, day, id, skills, start);
                shifts.Add(today);
                var sick = random.NextDouble() < 0.06;
                if (sick) absences.Add(new Absence($"absence:sick-{id}", $"sick-{id}", id, profile.Team, AbsenceKinds.Sick, grid[0], grid[0].AddDays(1), null,
                    AbsenceSources.Reported, grid[0]));
                for (var i = 0; i < n; i++)
                    if (today.Shift.Covers(grid[i], grid[i].AddMinutes(OpeningHours.IntervalMinutes)))
                    {
                        scheduled[home][i]++;
                        if (!sick) available[home][i]++;
                    }
            }
            planAgents.Add(new PlanAgent(profile, shifts, absences));
        }

        var planStores = storeList.Select((s, k) => Demand(s, scheduled[k], available[k], random)).ToList();
        return new PlanProblem(day, TimeZone, grid, planStores, planAgents);
    }

    private static PlanStore Store(int s, Random random)
    {
        var headcount = new Headcount(random.Next(2, 21), random.NextDouble() < 0.6 ? random.Next(1, 11) : 0, random.NextDouble() < 0.15 ? random.Next(1, 4) : 0);
        var store = new StaffedStore(StaffedStore.StreamKey($"s-{s:D3}"), $"s-{s:D3}", $"store {s}", "tmall", TimeZone, Onboarded,
            [new CalendarVersion(Onboarded, new StoreCalendar(TimeZone, [new ServiceHoursBlock("08:00", "00:00")], [1, 2, 3, 4, 5, 6, 7], [], []))],
            "active", headcount);
        var risk = random.NextDouble() switch { < 0.10 => SlaRiskLevels.Breached, < 0.25 => SlaRiskLevels.AtRisk, _ => SlaRiskLevels.None };
        return new PlanStore(store, risk, [], []);
    }

    /// <summary>Required agents: the rostered profile bent by the day's curve (quiet mornings, evening peak) and a per-store bias, open 08:00 to midnight.</summary>
    private static PlanStore Demand(PlanStore store, int[] scheduled, int[] available, Random random)
    {
        var bias = random.Next(-4, 3); // more stores with agents to spare than short ones, as on an ordinary day
        var shortfall = new int[scheduled.Length];
        var surplus = new int[scheduled.Length];
        for (var i = 0; i < scheduled.Length; i++)
        {
            var hour = i / 2.0;
            var curve = hour < 8 ? 0 : hour < 12 ? 0.8 : hour < 19 ? 1.0 : 1.2;
            var required = curve == 0 ? 0 : Math.Max(0, (int)Math.Round(scheduled[i] * curve + bias + random.Next(-1, 2)));
            shortfall[i] = Math.Max(0, required - available[i]);
            surplus[i] = Math.Max(0, available[i] - required);
        }
        return store with { Shortfall = shortfall, Surplus = surplus, Open = [.. Enumerable.Range(0, scheduled.Length).Select(i => i >= 16)] };
    }

    private static OtherShift ShiftOn(PlanStore store, DateOnly date, string agentId, HashSet<string> skills, int start)
    {
        var zone = OpeningHours.Zone(TimeZone);
        var (from, to) = (TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(start * 30)), TimeOnly.FromTimeSpan(TimeSpan.FromMinutes((start + 16) % 48 * 30)));
        var startsAt = OpeningHours.Instant(date, from, zone);
        var skill = store.Skills.FirstOrDefault(skills.Contains) ?? skills.First();
        return new OtherShift(store.StoreId, date, new Shift(agentId, from.ToString("HH:mm"), to.ToString("HH:mm"), skill, startsAt, startsAt.AddHours(8)));
    }
}
