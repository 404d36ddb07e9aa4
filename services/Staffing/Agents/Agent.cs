using JasperFx.Events;

namespace Vendor.Staffing.Agents;

public sealed record AgentHired(string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    DateTimeOffset RegisteredAt);

public sealed record AgentProfileChanged(string AgentId, string Team, IReadOnlyList<string> Skills, int MaxConcurrentChats, bool Standby,
    DateTimeOffset At);

public sealed record AgentLeft(string AgentId, DateOnly LeftOn, string Reason, DateTimeOffset At);

public sealed record AgentStoreCertified(string AgentId, string StoreId, DateTimeOffset At);

public sealed record AgentStoreCertificationRevoked(string AgentId, string StoreId, string Reason, DateTimeOffset At);

public sealed record AgentTierUpdated(string AgentId, string Tier, DateTimeOffset At);

/// <summary>An agent (客服), event-sourced in stream <c>agent:{agentId}</c>; kept as an inline snapshot.</summary>
public sealed record Agent(string Id, string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    string Status, DateTimeOffset RegisteredAt, long Version, IReadOnlyList<string>? CertifiedStores = null, string Tier = Tiers.Probation,
    int MaxConcurrentChats = Agent.DefaultMaxConcurrentChats, bool Standby = false, DateOnly? LeftOn = null)
{
    public const int DefaultMaxConcurrentChats = 3;

    public static string StreamKey(string agentId) => $"agent:{agentId}";

    public static Agent Create(IEvent<AgentHired> e) =>
        new(e.StreamKey!, e.Data.AgentId, e.Data.Name, e.Data.Team, e.Data.Skills, e.Data.HiredOn, AgentStatus.Active,
            e.Data.RegisteredAt, e.Version);

    public Agent Apply(IEvent<AgentProfileChanged> e) => this with
    {
        Team = e.Data.Team, Skills = e.Data.Skills, MaxConcurrentChats = e.Data.MaxConcurrentChats, Standby = e.Data.Standby, Version = e.Version,
    };

    public Agent Apply(IEvent<AgentLeft> e) => this with { Status = AgentStatus.Left, LeftOn = e.Data.LeftOn, Version = e.Version };

    public Agent Apply(IEvent<AgentStoreCertified> e) =>
        this with { CertifiedStores = [.. Certified.Append(e.Data.StoreId).Distinct().Order(StringComparer.Ordinal)], Version = e.Version };

    public Agent Apply(IEvent<AgentStoreCertificationRevoked> e) =>
        this with { CertifiedStores = [.. Certified.Where(s => s != e.Data.StoreId)], Version = e.Version };

    public Agent Apply(IEvent<AgentTierUpdated> e) => this with { Tier = e.Data.Tier, Version = e.Version };

    public IReadOnlyList<string> Certified => CertifiedStores ?? [];

    /// <summary>May work on the date: hired by then and not yet left.</summary>
    public bool WorksOn(DateOnly date) => HiredOn <= date && (LeftOn is null || date < LeftOn);
}

public static class AgentStatus
{
    public const string Active = "active";
    public const string Left = "left";
}

public static class Tiers
{
    public const string Probation = "probation";
}

public static class Skills
{
    public static readonly IReadOnlyList<string> All = ["presales", "aftersales", "hotline"];
}
