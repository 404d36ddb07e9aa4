using JasperFx.Events;

namespace Vendor.Staffing.Agents;

public sealed record AgentHired(string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    DateTimeOffset RegisteredAt);

public sealed record AgentProfileChanged(string AgentId, string Team, IReadOnlyList<string> Skills, int MaxConcurrentChats, bool Standby,
    DateTimeOffset At);

public sealed record AgentLeft(string AgentId, DateOnly LeftOn, string Reason, DateTimeOffset At);

/// <summary>Quality certified the agent on a store: for one <see cref="Skill"/>, or (no skill, as in older events) for all of them.</summary>
public sealed record AgentStoreCertified(string AgentId, string StoreId, DateTimeOffset At, string? Skill = null);

/// <summary>Quality revoked the agent's certification on a store: one <see cref="Skill"/>, or (no skill) the whole store.</summary>
public sealed record AgentStoreCertificationRevoked(string AgentId, string StoreId, string Reason, DateTimeOffset At, string? Skill = null);

/// <summary>What the agent is certified for on one store: every skill (a certification without a skill), or the listed ones.</summary>
public sealed record StoreCertification(string StoreId, bool AllSkills, IReadOnlyList<string> Skills)
{
    public bool Covers(string skill) => AllSkills || Skills.Contains(skill);

    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> SkillList => AllSkills ? Agents.Skills.All : Skills;
}

public sealed record AgentTierUpdated(string AgentId, string Tier, DateTimeOffset At);

/// <summary>An agent (客服), event-sourced in stream <c>agent:{agentId}</c>; kept as an inline snapshot.</summary>
public sealed record Agent(string Id, string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    string Status, DateTimeOffset RegisteredAt, long Version, IReadOnlyList<string>? CertifiedStores = null, string Tier = Tiers.Probation,
    int MaxConcurrentChats = Agent.DefaultMaxConcurrentChats, bool Standby = false, DateOnly? LeftOn = null,
    IReadOnlyList<StoreCertification>? Certifications = null)
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

    public Agent Apply(IEvent<AgentStoreCertified> e)
    {
        var current = CertificationOf(e.Data.StoreId);
        var next = e.Data.Skill is not { } skill || current is { AllSkills: true }
            ? new StoreCertification(e.Data.StoreId, true, [])
            : new StoreCertification(e.Data.StoreId, false, [.. (current?.Skills ?? []).Append(skill).Distinct().Order(StringComparer.Ordinal)]);
        return WithCertification(e.Data.StoreId, next, e.Version);
    }

    /// <summary>A revocation of one skill of a whole-store certification leaves the store's other skills.</summary>
    public Agent Apply(IEvent<AgentStoreCertificationRevoked> e)
    {
        var current = CertificationOf(e.Data.StoreId);
        var left = e.Data.Skill is not { } skill || current is null ? [] : current.SkillList.Where(s => s != skill).ToList();
        return WithCertification(e.Data.StoreId, left.Count == 0 ? null : new StoreCertification(e.Data.StoreId, false, left), e.Version);
    }

    public Agent Apply(IEvent<AgentTierUpdated> e) => this with { Tier = e.Data.Tier, Version = e.Version };

    public IReadOnlyList<string> Certified => CertifiedStores ?? [];

    /// <summary>Per store, the certified skills; an agent stored before skills were tracked holds its stores for every skill.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<StoreCertification> CertifiedSkills =>
        Certifications ?? [.. Certified.Select(s => new StoreCertification(s, true, []))];

    public StoreCertification? CertificationOf(string storeId) => CertifiedSkills.FirstOrDefault(c => c.StoreId == storeId);

    /// <summary>Certified on the store for this skill (the per-skill check a roster can make on top of <see cref="Certified"/>).</summary>
    public bool CertifiedFor(string storeId, string skill) => CertificationOf(storeId)?.Covers(skill) == true;

    // The store stays in CertifiedStores while any of its skills is certified.
    private Agent WithCertification(string storeId, StoreCertification? certification, long version)
    {
        var all = CertifiedSkills.Where(c => c.StoreId != storeId).Concat(certification is null ? [] : [certification])
            .OrderBy(c => c.StoreId, StringComparer.Ordinal).ToList();
        return this with { Certifications = all, CertifiedStores = [.. all.Select(c => c.StoreId)], Version = version };
    }

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
