using System.Diagnostics;
using Vendor.Staffing.Plans;

/// <summary>
/// ./vendor bench staffing, part (3): the emergency planner in-process on generated realistic instances of 2,000 agents,
/// 200 stores and 48 intervals (seeded), against a greedy first-fit plan of the same instance in the same run.
/// Targets: under 5 s, gap to the proven bound under 1 %.
/// </summary>
static class PlanBench
{
    private const int Agents = 2000, Stores = 200, Instances = 5;

    public static Task<IReadOnlyList<BenchRow>> Run(Options o)
    {
        // Warm-up: JIT, the native OR-Tools library and its thread pool, on a small instance (not measured).
        EmergencyPlanner.Solve(SyntheticPlanProblem.Generate(200, 20, seed: 99));

        Console.WriteLine($"emergency plan: {Agents:N0} agents, {Stores} stores, 48 intervals, {Instances} seeded instances, " +
                          $"time limit {PlannerSettings.Default.TimeLimit.TotalSeconds:N0} s, {Environment.ProcessorCount} cores");
        var failures = 0;
        var rows = new List<(double Seconds, double Gap, double Ratio, double FirstFitSeconds)>();
        for (var seed = 1; seed <= Instances; seed++)
        {
            var problem = SyntheticPlanProblem.Generate(Agents, Stores, seed);
            var phases = new List<string>();
            var clock = Stopwatch.StartNew();
            var plan = EmergencyPlanner.Solve(problem, PlannerSettings.Default with { Trace = phases.Add });
            var seconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var firstFit = FirstFitPlanner.Solve(problem);
            var firstFitSeconds = clock.Elapsed.TotalSeconds;
            var violations = PlanFeasibility.Check(problem, plan).Count + PlanFeasibility.Check(problem, firstFit).Count;
            failures += violations;
            rows.Add((seconds, plan.GapPercent, (double)plan.Objective / firstFit.Objective, firstFitSeconds));

            Console.WriteLine($"  seed {seed}: {seconds:F2} s, {plan.Status}, objective {plan.Objective:N0}, bound {plan.Bound:N0}, " +
                              $"gap {plan.GapPercent:F2} % (avoidable part {plan.AvoidableGapPercent:F2} %), {plan.Candidates:N0} candidates; " +
                              $"missing agent-intervals {plan.ShortfallBefore:N0} -> {plan.ShortfallAfter:N0} " +
                              $"({plan.Moves.Count} moves, {plan.CallIns.Count} call-ins, {plan.Overtime.Count} overtime)" +
                              (violations > 0 ? $"; {violations} RULE VIOLATIONS" : ""));
            Console.WriteLine($"          where the time went: {string.Join("; ", phases)}");
            Console.WriteLine($"          first-fit baseline: {firstFitSeconds:F2} s, objective {firstFit.Objective:N0}, " +
                              $"missing {firstFit.ShortfallAfter:N0} ({firstFit.Moves.Count} moves, {firstFit.CallIns.Count} call-ins, " +
                              $"{firstFit.Overtime.Count} overtime); RATIO objective planner/first-fit = {(double)plan.Objective / firstFit.Objective:F3}");
        }
        Console.WriteLine($"emergency plan: worst {rows.Max(r => r.Seconds):F2} s (target < 5 s), worst gap {rows.Max(r => r.Gap):F2} % " +
                          $"(target < 1 %), objective planner/first-fit {rows.Min(r => r.Ratio):F3}-{rows.Max(r => r.Ratio):F3}");
        var (worst, gap) = (rows.Max(r => r.Seconds), rows.Max(r => r.Gap));
        IReadOnlyList<BenchRow> result =
        [
            new("staffing", $"emergency plan in-process, {Agents:N0} agents × {Stores} stores × 48 intervals, {Instances} seeded instances", "< 5 s, gap < 1 %",
                $"worst {worst:F2} s, worst gap {gap:F2} %", $"first-fit plan of the same candidates: {rows.Min(r => r.FirstFitSeconds):F2}–{rows.Max(r => r.FirstFitSeconds):F2} s",
                $"objective {rows.Min(r => r.Ratio):F2}–{rows.Max(r => r.Ratio):F2} of first fit's", worst < 5 && gap < 1,
                failures == 0 ? null : $"{failures} rule violations"),
        ];
        return Task.FromResult(result);
    }
}
