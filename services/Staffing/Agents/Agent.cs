using JasperFx.Events;

namespace Vendor.Staffing.Agents;

public sealed record AgentHired(string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    DateTimeOffset RegisteredAt);

/// <summary>An agent (客服), event-sourced in stream <c>agent:{agentId}</c>; kept as an inline snapshot.</summary>
public sealed record Agent(string Id, string AgentId, string Name, string Team, IReadOnlyList<string> Skills, DateOnly HiredOn,
    string Status, DateTimeOffset RegisteredAt, long Version)
{
    public static string StreamKey(string agentId) => $"agent:{agentId}";

    public static Agent Create(IEvent<AgentHired> e) =>
        new(e.StreamKey!, e.Data.AgentId, e.Data.Name, e.Data.Team, e.Data.Skills, e.Data.HiredOn, AgentStatus.Active,
            e.Data.RegisteredAt, e.Version);
}

public static class AgentStatus
{
    public const string Active = "active";
}

public static class Skills
{
    public static readonly IReadOnlyList<string> All = ["presales", "aftersales", "hotline"];
}
