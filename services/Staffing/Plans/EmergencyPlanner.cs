using System.Diagnostics;
using Google.OrTools.Sat;
using LinearSolver = Google.OrTools.LinearSolver.Solver;

namespace Vendor.Staffing.Plans;

/// <param name="TimeLimit">The whole solve: model, LP bound, then CP-SAT for what is left (STACK.md: at most 4 s on two cores).</param>
/// <param name="StopAtGapPercent">The search stops as soon as a plan is within this of the bound.</param>
/// <param name="Trace">Where to tell how the time went (the benchmark prints it); null for silence.</param>
public sealed record PlannerSettings(TimeSpan TimeLimit, double StopAtGapPercent = 0.5, Action<string>? Trace = null)
{
    public static readonly PlannerSettings Default = new(TimeSpan.FromSeconds(4));
}

/// <summary>
/// The emergency plan as an optimisation (STACK.md "Emergency plans"): the candidates of <see cref="PlanModel"/> as a 0/1
/// program minimising weighted shortfall plus the cost of the changes. GLOP solves its LP relaxation first: a proven lower
/// bound within a fraction of a percent of the optimum, where CP-SAT's own bound stalls. CP-SAT (the LP-heavy settings
/// measured on two cores) then searches the candidates the LP uses — a small model, usually solved to the bound at once —
/// and, if that plan is not within <see cref="PlannerSettings.StopAtGapPercent"/> of the bound, all candidates for the
/// time left. The best plan found wins, the first-fit plan included, so a hard instance never gets worse than first fit.
/// Pure apart from the clock reading that enforces the time limit.
/// </summary>
public static class EmergencyPlanner
{
    private const double LpTolerance = 1e-6;
    private static readonly TimeSpan MinSearch = TimeSpan.FromMilliseconds(200);

    public static PlanSolution Solve(PlanProblem problem, PlannerSettings? settings = null)
    {
        settings ??= PlannerSettings.Default;
        var clock = Stopwatch.StartNew();
        var model = PlanModel.Build(problem);
        var trace = settings.Trace ?? (_ => { });
        trace($"model {clock.Elapsed.TotalSeconds:F2} s: {model.Candidates.Count:N0} candidates, {model.Rows.Count:N0} coverage rows");
        if (model.Rows.All(r => r.In.Count == 0))
            return Finish(model, [], [], [], model.FixedCost, PlanStatus.NothingToDo, clock);

        // Costs below exclude the fixed part (rows no candidate touches); Finish adds it back.
        var best = FirstFitPlanner.Choose(model);
        var (bestCost, status) = (model.Cost(best), PlanStatus.FirstFit);
        var lp = Relax(model, settings.TimeLimit - clock.Elapsed);
        var bound = lp?.Bound ?? model.UnavoidableCost - model.FixedCost;
        trace($"first fit and LP {clock.Elapsed.TotalSeconds:F2} s: first fit {bestCost + model.FixedCost:N0}, bound {bound + model.FixedCost:N0}" +
              (lp is null ? " (GLOP did not finish: the unavoidable shortfall instead)" : ""));
        bool CloseEnough() => bestCost - bound <= settings.StopAtGapPercent / 100 * (bestCost + model.FixedCost);
        void Keep((bool[]? Chosen, CpSolverStatus Status, long Bound) found, string phase)
        {
            if (found.Chosen is null) return;
            var cost = model.Cost(found.Chosen);
            trace($"{phase} {clock.Elapsed.TotalSeconds:F2} s: {found.Status}, {cost + model.FixedCost:N0}");
            if (cost < bestCost) (best, bestCost, status) = (found.Chosen, cost, PlanStatus.Feasible);
        }

        if (lp is not null && !CloseEnough() && settings.TimeLimit - clock.Elapsed > MinSearch)
        {
            var used = lp.Values.Select(v => v > LpTolerance).ToArray();
            Keep(Search(model, used, bound, (settings.TimeLimit - clock.Elapsed) / 2, settings.StopAtGapPercent), "CP-SAT on the LP's candidates");
        }
        if (!CloseEnough() && settings.TimeLimit - clock.Elapsed > MinSearch)
        {
            var full = Search(model, null, bound, settings.TimeLimit - clock.Elapsed, settings.StopAtGapPercent);
            Keep(full, "CP-SAT on all candidates");
            if (full.Chosen is not null) bound = Math.Max(bound, full.Bound); // only the full model's bound holds for every plan
            if (full.Status == CpSolverStatus.Optimal) bound = Math.Max(bound, bestCost);
        }
        var (moves, callIns, overtime) = model.Changes(c => best[c]);
        return Finish(model, moves, callIns, overtime, model.FixedCost + bound, status, clock);
    }

    /// <summary>
    /// The plan's outcome recomputed from its changes, with the bound (an optimum proven is its own bound). The bound is not
    /// clamped to the objective: above it would mean the model priced plans differently from their outcome, which
    /// <see cref="PlanFeasibility"/> reports.
    /// </summary>
    internal static PlanSolution Finish(PlanModel model, List<PlanMove> moves, List<PlanCallIn> callIns, List<PlanOvertime> overtime, long bound,
        string status, Stopwatch clock)
    {
        var outcome = PlanOutcome.Of(model.Problem, moves, callIns, overtime);
        var objective = outcome.Objective;
        bound = status is PlanStatus.NothingToDo ? objective : Math.Max(bound, model.UnavoidableCost);
        if (status != PlanStatus.NothingToDo && bound == objective) status = PlanStatus.Optimal; // at the bound: proven optimal
        var avoidable = objective - model.UnavoidableCost;
        return new PlanSolution(moves, callIns, overtime, outcome.RemainingGap, objective, bound,
            objective == 0 ? 0 : Math.Round(100.0 * (objective - bound) / objective, 3), model.UnavoidableCost,
            avoidable <= 0 ? 0 : Math.Round(100.0 * (objective - bound) / avoidable, 3),
            outcome.ShortfallBefore, outcome.ShortfallAfter, status, Math.Round(clock.Elapsed.TotalSeconds, 3), model.Candidates.Count);
    }

    private sealed record Relaxation(long Bound, double[] Values);

    /// <summary>The LP relaxation: its optimum rounded up (every cost is whole) bounds every plan (fixed cost excluded); null when GLOP did not finish.</summary>
    private static Relaxation? Relax(PlanModel model, TimeSpan limit)
    {
        using var lp = LinearSolver.CreateSolver("GLOP");
        lp.SetTimeLimit((long)Math.Max(1, limit.TotalMilliseconds));
        var x = model.Candidates.Select(_ => lp.MakeNumVar(0, 1, "")).ToArray();
        var objective = lp.Objective();
        for (var c = 0; c < x.Length; c++) objective.SetCoefficient(x[c], model.Candidates[c].Cost);
        foreach (var row in model.Rows)
        {
            var missing = lp.MakeNumVar(0, double.PositiveInfinity, "");
            objective.SetCoefficient(missing, row.Penalty);
            var constraint = lp.MakeConstraint(row.Demand, double.PositiveInfinity, ""); // missing + in − out ≥ demand
            constraint.SetCoefficient(missing, 1);
            foreach (var c in row.In) constraint.SetCoefficient(x[c], 1);
            foreach (var c in row.Out) constraint.SetCoefficient(x[c], -1);
        }
        foreach (var lending in model.Limits)
        {
            var constraint = lp.MakeConstraint(double.NegativeInfinity, lending.Surplus, "");
            foreach (var c in lending.Out) constraint.SetCoefficient(x[c], 1);
        }
        foreach (var group in model.AtMostOne)
        {
            var constraint = lp.MakeConstraint(double.NegativeInfinity, 1, "");
            foreach (var c in group) constraint.SetCoefficient(x[c], 1);
        }
        foreach (var (later, earlier) in model.Steps)
        {
            var constraint = lp.MakeConstraint(double.NegativeInfinity, 0, "");
            constraint.SetCoefficient(x[later], 1);
            constraint.SetCoefficient(x[earlier], -1);
        }
        foreach (var (steps, budget) in model.HourBudgets)
        {
            var constraint = lp.MakeConstraint(double.NegativeInfinity, budget, "");
            foreach (var c in steps) constraint.SetCoefficient(x[c], 1);
        }
        objective.SetMinimization();
        if (lp.Solve() != LinearSolver.ResultStatus.OPTIMAL) return null;
        return new Relaxation((long)Math.Ceiling(objective.Value() - LpTolerance * Math.Max(1, Math.Abs(objective.Value()))),
            [.. x.Select(v => v.SolutionValue())]);
    }

    /// <summary>
    /// CP-SAT over the model, or over the <paramref name="allowed"/> candidates only (the others fixed at 0): the chosen
    /// candidates, the status and the search's own bound (fixed cost excluded; a bound for every plan only when all are allowed).
    /// </summary>
    private static (bool[]? Chosen, CpSolverStatus Status, long Bound) Search(PlanModel model, bool[]? allowed, long lpBound, TimeSpan limit,
        double stopAtGapPercent)
    {
        var cp = new CpModel();
        var x = model.Candidates.Select((_, c) => allowed is null || allowed[c] ? cp.NewBoolVar("") : (ILiteral)cp.FalseLiteral()).ToArray();
        var objective = LinearExpr.NewBuilder(x.Length + model.Rows.Count);
        for (var c = 0; c < x.Length; c++) objective.AddTerm(x[c], model.Candidates[c].Cost);
        foreach (var row in model.Rows)
        {
            var missing = cp.NewIntVar(0, Math.Max(0, row.Demand) + row.Out.Count, "");
            objective.AddTerm(missing, row.Penalty);
            var expression = LinearExpr.NewBuilder(1 + row.In.Count + row.Out.Count).Add(missing);
            foreach (var c in row.In) expression.Add(x[c]);
            foreach (var c in row.Out) expression.AddTerm(x[c], -1);
            cp.AddLinearConstraint(expression, row.Demand, long.MaxValue);
        }
        foreach (var lending in model.Limits) cp.AddLinearConstraint(LinearExpr.Sum(lending.Out.Select(c => x[c])), 0, lending.Surplus);
        foreach (var group in model.AtMostOne) cp.AddAtMostOne(group.Select(c => x[c]));
        foreach (var (later, earlier) in model.Steps) cp.AddImplication(x[later], x[earlier]);
        foreach (var (steps, budget) in model.HourBudgets) cp.AddLinearConstraint(LinearExpr.Sum(steps.Select(c => x[c])), 0, budget);
        cp.Minimize(objective);

        var solver = new CpSolver
        {
            // STACK.md, measured on two cores: the LP-heavy worker proves a bound; probing and symmetry detection cost more than they give here.
            StringParameters = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"num_workers:2, subsolvers:\"max_lp\", cp_model_probing_level:0, symmetry_level:0, max_time_in_seconds:{limit.TotalSeconds:0.###}"),
        };
        var status = solver.Solve(cp, new StopNearBound(model.FixedCost, lpBound, stopAtGapPercent));
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible)) return (null, status, 0);
        var chosen = x.Select(v => solver.BooleanValue(v)).ToArray();
        return (chosen, status, (long)Math.Ceiling(solver.BestObjectiveBound - LpTolerance));
    }

    /// <summary>Stops CP-SAT at the first plan close enough to the better of the LP's and its own bound.</summary>
    private sealed class StopNearBound(long fixedCost, long lpBound, double stopAtGapPercent) : CpSolverSolutionCallback
    {
        public override void OnSolutionCallback()
        {
            var objective = fixedCost + ObjectiveValue();
            var bound = fixedCost + Math.Max(lpBound, BestObjectiveBound());
            if (objective - bound <= stopAtGapPercent / 100 * objective) StopSearch();
        }
    }
}
