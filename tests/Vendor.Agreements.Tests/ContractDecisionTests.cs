using JasperFx.Events;
using Vendor.Agreements.ServiceContracts;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Tests;

public class ContractDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private static readonly DateOnly Today = new(2026, 11, 2);

    private static PutContract Body(decimal fee = 100_000, DateOnly? effectiveOn = null, params TargetInput[] targets) =>
        new(fee, "CNY", 10, null, new DateOnly(2026, 11, 1), new DateOnly(2027, 10, 31), null, new HeadcountInput(6, 4, 2),
            targets.Length > 0 ? targets : [new TargetInput("threeMinuteResponseRate", 0.9, 20), new TargetInput("firstResponseSeconds", 30, 30)],
            effectiveOn);

    private static ServiceContract Given(params object[] events)
    {
        ServiceContract? state = null;
        var version = 0;
        foreach (var e in events)
        {
            version++;
            state = e switch
            {
                ContractActivated a => state is null ? ServiceContract.Create(Wrap(a, version)) : state.Apply(Wrap(a, version)),
                ContractAmended a => state!.Apply(Wrap(a, version)),
                ContractRenewed r => state!.Apply(Wrap(r, version)),
                ContractSuspended s => state!.Apply(Wrap(s, version)),
                ContractResumed r => state!.Apply(Wrap(r, version)),
                ContractTerminated t => state!.Apply(Wrap(t, version)),
                _ => throw new ArgumentException(e.GetType().Name),
            };
        }
        return state!;
    }

    private static IEvent<T> Wrap<T>(T data, int version) where T : notnull =>
        new Event<T>(data) { StreamKey = "contract:acme", Version = version };

    private static T Single<T>(Decision decision) => (T)Assert.Single(Assert.IsType<Decision.Append>(decision).Events);

    [Fact]
    public void The_first_put_activates_with_defaults_and_the_pool_is_fee_times_at_risk_percent()
    {
        var activated = Single<ContractActivated>(ContractDecisions.Put(null, "acme", Body(), Today, Now));

        Assert.Equal("acme-1", activated.ContractId);
        Assert.Equal(10, activated.Terms.WarningMarginPercent);
        Assert.Equal(48, activated.Terms.AttributionHours);
        Assert.Equal(10_000m, activated.Terms.AtRiskPool);
    }

    [Fact]
    public void A_later_put_amends_from_its_effective_date_and_a_repeat_changes_nothing()
    {
        var contract = Given(Single<ContractActivated>(ContractDecisions.Put(null, "acme", Body(), Today, Now)));

        var amended = Single<ContractAmended>(ContractDecisions.Put(contract, "acme", Body(fee: 120_000, effectiveOn: new DateOnly(2026, 12, 1)), Today, Now));
        var after = Given(Single<ContractActivated>(ContractDecisions.Put(null, "acme", Body(), Today, Now)), amended);

        Assert.Equal(new DateOnly(2026, 12, 1), amended.EffectiveOn);
        Assert.Equal(100_000m, after.TermsForMonth(new DateOnly(2026, 11, 1))!.MonthlyFee);
        Assert.Equal(120_000m, after.TermsForMonth(new DateOnly(2026, 12, 1))!.MonthlyFee);
        Assert.IsType<Decision.Unchanged>(ContractDecisions.Put(after, "acme", Body(fee: 120_000, effectiveOn: new DateOnly(2026, 12, 1)), Today, Now));
        Assert.IsType<Decision.Unchanged>(ContractDecisions.Put(contract, "acme", Body(), Today, Now));
    }

    [Theory]
    [InlineData("uptime", 0.9, 10, "targets[0].metric")]
    [InlineData("missedRate", 5, 10, "targets[0].target")]
    [InlineData("missedRate", -0.1, 10, "targets[0].target")]
    [InlineData("qcScore", 101, 10, "targets[0].target")]
    [InlineData("qcScore", 90, -1, "targets[0].allocationPercent")]
    public void Bad_targets_are_400s_naming_the_target(string metric, double target, double allocation, string field)
    {
        var invalid = Assert.IsType<Decision.Invalid>(ContractDecisions.Put(null, "acme", Body(targets: new TargetInput(metric, target, (decimal)allocation)), Today, Now));

        Assert.Contains(field, invalid.Errors.Keys);
    }

    [Fact]
    public void Allocations_over_100_percent_negative_money_and_an_end_before_the_start_are_refused()
    {
        var overAllocated = ContractDecisions.Put(null, "acme",
            Body(targets: [new TargetInput("missedRate", 0.05, 60), new TargetInput("qcScore", 90, 41)]), Today, Now);
        var negative = ContractDecisions.Put(null, "acme", Body(fee: -1), Today, Now);
        var backwards = ContractDecisions.Put(null, "acme", Body() with { EndsOn = new DateOnly(2026, 10, 1) }, Today, Now);
        var twice = ContractDecisions.Put(null, "acme", Body(targets: [new TargetInput("missedRate", 0.05, 10), new TargetInput("missedRate", 0.04, 10)]), Today, Now);

        Assert.Contains("targets", Assert.IsType<Decision.Invalid>(overAllocated).Errors.Keys);
        Assert.Contains("monthlyFee", Assert.IsType<Decision.Invalid>(negative).Errors.Keys);
        Assert.Contains("endsOn", Assert.IsType<Decision.Invalid>(backwards).Errors.Keys);
        Assert.Contains("targets[1].metric", Assert.IsType<Decision.Invalid>(twice).Errors.Keys);
    }

    [Fact]
    public void Renew_suspend_resume_and_terminate_follow_the_lifecycle()
    {
        var active = Given(Single<ContractActivated>(ContractDecisions.Put(null, "acme", Body(), Today, Now)));

        var renewed = Single<ContractRenewed>(ContractDecisions.Renew(active, new RenewContract(new DateOnly(2028, 10, 31)), Now));
        Assert.IsType<Decision.Invalid>(ContractDecisions.Renew(active, new RenewContract(new DateOnly(2027, 1, 1)), Now));
        var suspended = Given(Single<ContractActivated>(ContractDecisions.Put(null, "acme", Body(), Today, Now)), renewed,
            Single<ContractSuspended>(ContractDecisions.Suspend(active, new SuspendContract("unpaid invoice"), Now)));
        Assert.Equal(ContractStatus.Suspended, suspended.Status);
        Assert.Equal(new DateOnly(2028, 10, 31), suspended.Terms.EndsOn);
        Assert.IsType<Decision.Unchanged>(ContractDecisions.Suspend(suspended, new SuspendContract("again"), Now));
        Assert.IsType<ContractResumed>(Single<ContractResumed>(ContractDecisions.Resume(suspended, Now)));

        var terminated = Single<ContractTerminated>(ContractDecisions.Terminate(active, new TerminateContract("store closed", new DateOnly(2027, 3, 31)), Today, Now));
        var ended = Given(Single<ContractActivated>(ContractDecisions.Put(null, "acme", Body(), Today, Now)), terminated);
        Assert.Null(ended.TermsOn(new DateOnly(2027, 4, 1)));
        Assert.NotNull(ended.TermsOn(new DateOnly(2027, 3, 31)));
        Assert.IsType<Decision.Conflict>(ContractDecisions.Renew(ended, new RenewContract(new DateOnly(2029, 1, 1)), Now));
        Assert.Equal("acme-2", Single<ContractActivated>(ContractDecisions.Put(ended, "acme", Body(), Today, Now)).ContractId);
    }

    [Fact]
    public void No_terms_apply_outside_the_contract_term()
    {
        var contract = Given(Single<ContractActivated>(ContractDecisions.Put(null, "acme", Body(), Today, Now)));

        Assert.Null(contract.TermsForMonth(new DateOnly(2026, 10, 1)));
        Assert.NotNull(contract.TermsForMonth(new DateOnly(2027, 10, 1)));
        Assert.Null(contract.TermsForMonth(new DateOnly(2027, 11, 1)));
    }
}
