namespace Vendor.Contracts;

/// <summary>An agent (客服) was hired by Staffing. Published once per agent.</summary>
public sealed record AgentHired(
    string AgentId,
    string Name,
    string Team,
    IReadOnlyList<string> Skills,
    DateOnly HiredOn,
    DateTimeOffset RegisteredAt);
