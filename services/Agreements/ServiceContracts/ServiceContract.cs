using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using JasperFx.Events;

namespace Vendor.Agreements.ServiceContracts;

[Description("承诺的客服人数。 / The committed headcount.")]
public sealed record Headcount(
    [property: Description("售前人数。 / Pre-sales agents.")] int Presales,
    [property: Description("售后人数。 / After-sales agents.")] int Aftersales,
    [property: Description("热线人数。 / Hotline agents.")] int Hotline);

[Description("合同中的一个 SLA 目标。 / One SLA target of the contract.")]
public sealed record SlaTarget(
    [property: Description("指标名。 / The metric's name.")] string Metric,
    [property: Description("目标值：比率为 0-1，时间为秒。 / The target: rates 0-1, times in seconds.")] double Target,
    [property: Description("未达标时扣除的风险金百分比。 / The share of the at-risk pool a miss costs, in percent.")] decimal AllocationPercent);

/// <summary>The terms of a service contract (服务合同). Percent fields are percents: 10 is 10 %.</summary>
public sealed record ContractTerms(
    decimal MonthlyFee,
    string Currency,
    decimal AtRiskPercent,
    decimal WarningMarginPercent,
    DateOnly StartsOn,
    DateOnly EndsOn,
    double AttributionHours,
    Headcount Headcount,
    IReadOnlyList<SlaTarget> Targets)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public decimal AtRiskPool => Math.Round(MonthlyFee / 100m * AtRiskPercent, 2);

    public bool SameAs(ContractTerms other) => this with { Targets = other.Targets } == other && Targets.SequenceEqual(other.Targets);
}

public sealed record ContractActivated(string StoreId, string ContractId, ContractTerms Terms, DateTimeOffset At);
public sealed record ContractAmended(string StoreId, ContractTerms Terms, DateOnly EffectiveOn, DateTimeOffset At);
public sealed record ContractRenewed(string StoreId, DateOnly EndsOn, DateTimeOffset At);
public sealed record ContractSuspended(string StoreId, string Reason, DateTimeOffset At);
public sealed record ContractResumed(string StoreId, DateTimeOffset At);
public sealed record ContractTerminated(string StoreId, string Reason, DateOnly EffectiveOn, DateTimeOffset At);

/// <param name="ContractId">Which contract the version belongs to (absent on versions stored before it was recorded: the current one).</param>
public sealed record TermsVersion(DateOnly EffectiveOn, ContractTerms Terms, string? ContractId = null);

public static class ContractStatus
{
    public const string Active = "active";
    public const string Suspended = "suspended";
    public const string Terminated = "terminated";
}

/// <summary>A store's service contract, stream <c>contract:{storeId}</c>: the active one and every version of its terms.</summary>
public sealed record ServiceContract(string Id, string StoreId, string ContractId, string Status, IReadOnlyList<TermsVersion> Versions,
    DateOnly? TerminatedOn, long Version)
{
    public static string StreamKey(string storeId) => $"contract:{storeId}";

    [System.Text.Json.Serialization.JsonIgnore]
    public ContractTerms Terms => Versions[^1].Terms;

    public static ServiceContract Create(IEvent<ContractActivated> e) =>
        new(e.StreamKey!, e.Data.StoreId, e.Data.ContractId, ContractStatus.Active,
            [new TermsVersion(e.Data.Terms.StartsOn, e.Data.Terms, e.Data.ContractId)], null, e.Version);

    /// <summary>The versions of the contract now in the stream (earlier, terminated contracts keep theirs for their months).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<TermsVersion> CurrentVersions => Versions.Where(v => (v.ContractId ?? ContractId) == ContractId).ToList();

    // A new contract after a termination: its versions follow the earlier contract's, which stay for their months.
    public ServiceContract Apply(IEvent<ContractActivated> e) => this with
    {
        ContractId = e.Data.ContractId,
        Status = ContractStatus.Active,
        Versions = [.. Versions.Select(v => v with { ContractId = v.ContractId ?? ContractId }),
            new TermsVersion(e.Data.Terms.StartsOn, e.Data.Terms, e.Data.ContractId)],
        TerminatedOn = null,
        Version = e.Version,
    };

    public ServiceContract Apply(IEvent<ContractAmended> e) => this with
    {
        Versions = [.. Versions.Where(v => v.EffectiveOn < e.Data.EffectiveOn || (v.ContractId ?? ContractId) != ContractId),
            new TermsVersion(e.Data.EffectiveOn, e.Data.Terms, ContractId)],
        Version = e.Version,
    };

    public ServiceContract Apply(IEvent<ContractRenewed> e) => this with
    {
        Versions = [.. Versions.SkipLast(1), Versions[^1] with { Terms = Terms with { EndsOn = e.Data.EndsOn } }],
        Version = e.Version,
    };

    public ServiceContract Apply(IEvent<ContractSuspended> e) => this with { Status = ContractStatus.Suspended, Version = e.Version };

    public ServiceContract Apply(IEvent<ContractResumed> e) => this with { Status = ContractStatus.Active, Version = e.Version };

    // The contract's terms end on the termination date (also one in the future: the notice period keeps its terms).
    public ServiceContract Apply(IEvent<ContractTerminated> e) => this with
    {
        Status = ContractStatus.Terminated,
        TerminatedOn = e.Data.EffectiveOn,
        Versions = Versions.Select(v => (v.ContractId ?? ContractId) != ContractId || v.Terms.EndsOn <= e.Data.EffectiveOn
            ? v
            : v with { Terms = v.Terms with { EndsOn = e.Data.EffectiveOn } }).ToList(),
        Version = e.Version,
    };

    /// <summary>The contract whose terms were in force on a date.</summary>
    public string? ContractIdOn(DateOnly day) => VersionOn(day) is { } v ? v.ContractId ?? ContractId : null;

    private TermsVersion? VersionOn(DateOnly day)
    {
        var version = Versions.LastOrDefault(v => v.EffectiveOn <= day) ?? Versions[0];
        return day < version.Terms.StartsOn || day > version.Terms.EndsOn ? null : version;
    }

    /// <summary>The terms in force on a date: the latest version effective by then, while its contract covers that date.</summary>
    public ContractTerms? TermsOn(DateOnly day) => VersionOn(day)?.Terms;

    /// <summary>The terms in force for a month: those on its last covered day.</summary>
    public ContractTerms? TermsForMonth(DateOnly firstDay) => LastCoveredDay(firstDay) is { } day ? TermsOn(day) : null;

    public string? ContractIdForMonth(DateOnly firstDay) => LastCoveredDay(firstDay) is { } day ? ContractIdOn(day) : null;

    private DateOnly? LastCoveredDay(DateOnly firstDay)
    {
        for (var day = firstDay.AddMonths(1).AddDays(-1); day >= firstDay; day = day.AddDays(-1))
            if (VersionOn(day) is not null) return day;
        return null;
    }
}
