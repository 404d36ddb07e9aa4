using Vendor.Agreements.Sla;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.ServiceContracts;

public sealed record HeadcountInput(int? Presales, int? Aftersales, int? Hotline);

public sealed record TargetInput(string? Metric, double? Target, decimal? AllocationPercent);

/// <summary>The body of PUT /api/sla/stores/{storeId}/contract. <c>effectiveOn</c> dates an amendment (default: today).</summary>
public sealed record PutContract(decimal? MonthlyFee, string? Currency, decimal? AtRiskPercent, decimal? WarningMarginPercent,
    DateOnly? StartsOn, DateOnly? EndsOn, double? AttributionHours, HeadcountInput? Headcount, IReadOnlyList<TargetInput>? Targets,
    DateOnly? EffectiveOn);

public sealed record RenewContract(DateOnly? EndsOn);

public sealed record SuspendContract(string? Reason);

public sealed record TerminateContract(string? Reason, DateOnly? EffectiveOn);

public static class ContractDecisions
{
    public const decimal DefaultWarningMarginPercent = 10;
    public const double DefaultAttributionHours = 48;
    public const decimal MaxMonthlyFee = 1_000_000_000_000m;

    /// <summary>Activates a contract where none is in force, else amends the active one from <c>effectiveOn</c>.</summary>
    public static Decision Put(ServiceContract? existing, string storeId, PutContract command, DateOnly today, DateTimeOffset now)
    {
        var errors = new Errors();
        var terms = Terms(command, errors);
        if (errors.Any) return errors.ToDecision();

        if (existing is null || existing.Status == ContractStatus.Terminated)
        {
            var number = existing is null ? 1 : int.Parse(existing.ContractId[(existing.ContractId.LastIndexOf('-') + 1)..]) + 1;
            return Decision.Of(new ContractActivated(storeId, $"{storeId}-{number}", terms!, now));
        }
        var effectiveOn = command.EffectiveOn ?? today;
        var current = existing.CurrentVersions;
        if (effectiveOn < current[0].EffectiveOn)
            return new Errors().Add("effectiveOn", "An amendment cannot take effect before the contract started.").ToDecision();
        // Re-putting the terms already in force from that date (with nothing later) is a no-op.
        var inForce = current.LastOrDefault(v => v.EffectiveOn <= effectiveOn);
        return inForce is not null && current.All(v => v.EffectiveOn <= effectiveOn) && inForce.Terms.SameAs(terms!)
            ? new Decision.Unchanged()
            : Decision.Of(new ContractAmended(storeId, terms!, effectiveOn, now));
    }

    public static Decision Renew(ServiceContract? contract, RenewContract command, DateTimeOffset now) => contract switch
    {
        null or { Status: ContractStatus.Terminated } => new Decision.Conflict("No contract in force to renew."),
        _ when command.EndsOn is not { } endsOn => new Errors().Add("endsOn", "Required: the new end date.").ToDecision(),
        _ when !InRange(command.EndsOn) => new Errors().Add("endsOn", $"A date from {SupportedDates.Span}.").ToDecision(),
        _ when command.EndsOn <= contract.Terms.EndsOn =>
            new Errors().Add("endsOn", $"A renewal ends after the current end ({contract.Terms.EndsOn:yyyy-MM-dd}).").ToDecision(),
        _ => Decision.Of(new ContractRenewed(contract.StoreId, command.EndsOn!.Value, now)),
    };

    public static Decision Suspend(ServiceContract? contract, SuspendContract command, DateTimeOffset now) => contract switch
    {
        null or { Status: ContractStatus.Terminated } => new Decision.Conflict("No contract in force to suspend."),
        { Status: ContractStatus.Suspended } => new Decision.Unchanged(),
        _ when string.IsNullOrWhiteSpace(command.Reason) => new Errors().Add("reason", "Say why the contract is suspended.").ToDecision(),
        _ => Decision.Of(new ContractSuspended(contract.StoreId, command.Reason!.Trim(), now)),
    };

    public static Decision Resume(ServiceContract? contract, DateTimeOffset now) => contract switch
    {
        null or { Status: ContractStatus.Terminated } => new Decision.Conflict("No contract in force to resume."),
        { Status: ContractStatus.Active } => new Decision.Unchanged(),
        _ => Decision.Of(new ContractResumed(contract.StoreId, now)),
    };

    public static Decision Terminate(ServiceContract? contract, TerminateContract command, DateOnly today, DateTimeOffset now) => contract switch
    {
        null => new Decision.Conflict("No contract to terminate."),
        { Status: ContractStatus.Terminated } => new Decision.Unchanged(),
        _ when string.IsNullOrWhiteSpace(command.Reason) => new Errors().Add("reason", "Say why the contract is terminated.").ToDecision(),
        _ when !InRange(command.EffectiveOn) => new Errors().Add("effectiveOn", $"A date from {SupportedDates.Span}.").ToDecision(),
        _ when (command.EffectiveOn ?? today) < contract.CurrentVersions[0].EffectiveOn =>
            new Errors().Add("effectiveOn", "A contract cannot end before it started.").ToDecision(),
        _ => Decision.Of(new ContractTerminated(contract.StoreId, command.Reason!.Trim(), command.EffectiveOn ?? today, now)),
    };

    private static bool InRange(DateOnly? date) => date is not { } d || SupportedDates.Contains(d);

    private static ContractTerms? Terms(PutContract c, Errors errors)
    {
        errors.Check(c.MonthlyFee is >= 0 and <= MaxMonthlyFee, "monthlyFee", "Required, not negative, at most 1,000,000,000,000.")
            .Check(c.Currency is null || c.Currency.Length == 3 && c.Currency.All(char.IsAsciiLetterUpper), "currency",
                "An ISO 4217 code such as CNY.")
            .Check(c.AtRiskPercent is >= 0 and <= 100, "atRiskPercent", "Required, a percent from 0 to 100 (10 is 10 %).")
            .Check(c.WarningMarginPercent is null or >= 0 and <= 100, "warningMarginPercent", "A percent from 0 to 100.")
            .Check(c.StartsOn is not null, "startsOn", "Required date.")
            .Check(c.EndsOn is not null, "endsOn", "Required date.")
            .Check(c.AttributionHours is null or > 0 and <= 720, "attributionHours", "Hours after the first customer message, 1 to 720.");
        if (c.StartsOn is { } s && c.EndsOn is { } e) errors.Check(e >= s, "endsOn", "Ends before it starts.");
        errors.Check(InRange(c.StartsOn) && InRange(c.EndsOn) && InRange(c.EffectiveOn), "dates", $"Dates from {SupportedDates.Span}.");
        if (c.Headcount is { } h)
            errors.Check(h.Presales is null or >= 0 && h.Aftersales is null or >= 0 && h.Hotline is null or >= 0, "headcount", "Not negative.");

        var targets = new List<SlaTarget>();
        foreach (var (t, i) in (c.Targets ?? []).Select((t, i) => (t ?? new TargetInput(null, null, null), i)))
        {
            var metric = Metrics.Find(t.Metric);
            if (metric is null)
            {
                errors.Add($"targets[{i}].metric", $"Unknown metric '{t.Metric}'; one of: {string.Join(", ", Metrics.All.Select(m => m.Name))}.");
                continue;
            }
            errors.Check(t.Target is { } v && v >= 0 && v <= metric.Max, $"targets[{i}].target",
                    metric.Max == 1 ? "A rate from 0 to 1 (0.95, not 95)." : metric.Max == 100 ? "A score from 0 to 100." : "Seconds, not negative.")
                .Check(t.AllocationPercent is >= 0 and <= 100, $"targets[{i}].allocationPercent", "A percent from 0 to 100.")
                .Check(targets.All(x => x.Metric != metric.Name), $"targets[{i}].metric", $"'{metric.Name}' is targeted twice.");
            if (t.Target is { } target && t.AllocationPercent is { } allocation) targets.Add(new SlaTarget(metric.Name, target, allocation));
        }
        errors.Check(targets.Sum(t => t.AllocationPercent) <= 100, "targets", "Allocations add up to more than 100 %.");
        if (errors.Any) return null;

        return new ContractTerms(c.MonthlyFee!.Value, c.Currency ?? "CNY", c.AtRiskPercent!.Value,
            c.WarningMarginPercent ?? DefaultWarningMarginPercent, c.StartsOn!.Value, c.EndsOn!.Value,
            c.AttributionHours ?? DefaultAttributionHours,
            new Headcount(c.Headcount?.Presales ?? 0, c.Headcount?.Aftersales ?? 0, c.Headcount?.Hotline ?? 0), targets);
    }
}
