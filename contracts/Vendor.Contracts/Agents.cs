namespace Vendor.Contracts;

/// <summary>An agent (客服) was hired by Staffing. Published once per agent.</summary>
public sealed record AgentHired(
    string AgentId,
    string Name,
    string Team,
    IReadOnlyList<string> Skills,
    DateOnly HiredOn,
    DateTimeOffset RegisteredAt);

/// <summary>
/// Quality certified an agent for a store (and, from Quality's certifications per skill, the <paramref name="Skill"/> certified;
/// absent from older publishers): Staffing may roster the agent there.
/// </summary>
public sealed record AgentCertified(string AgentId, string StoreId, DateTimeOffset CertifiedAt, string? Skill = null);

/// <summary>Quality revoked an agent's certification for a store (for one <paramref name="Skill"/> when given, else all of them).</summary>
public sealed record AgentCertificationRevoked(string AgentId, string StoreId, string Reason, DateTimeOffset RevokedAt, string? Skill = null);

/// <summary>An agent's tier on the ladder (probation, iron, bronze, silver, gold) changed in Quality.</summary>
public sealed record AgentTierChanged(string AgentId, string Tier, DateTimeOffset ChangedAt);

/// <summary>Staffing raised (or changed the severity of) an alert: absences of a team or store far above their baseline.</summary>
public sealed record AbsenceSpikeDetected(string AlertId, string Scope, string Severity, int Absences, double BaselinePerDay,
    DateTimeOffset WindowFrom, DateTimeOffset WindowTo, string Summary, DateTimeOffset DetectedAt);

/// <summary>Staffing raised (or changed the severity of) an alert: a store's available agents below the Erlang C requirement in coming intervals.</summary>
public sealed record CoverageGapDetected(string AlertId, string StoreId, string Severity, int ShortIntervals, int MissingAgentIntervals,
    DateTimeOffset WindowFrom, DateTimeOffset WindowTo, string Summary, DateTimeOffset DetectedAt);

/// <summary>
/// A Staffing alert was acknowledged, escalated or resolved (<paramref name="Change"/>: acknowledged, escalated, resolved). Newer publishers
/// add what the alert is about after the change, so a consumer needs no other message to show it: <paramref name="Kind"/> (absenceSpike,
/// coverageGap, feedbackOverdue), <paramref name="Severity"/> (warning, critical), <paramref name="Scope"/> (<c>store:{id}</c>,
/// <c>team:{name}</c>, <c>store:{id}:feedback:{feedbackId}</c>), its <paramref name="StoreId"/> or <paramref name="Team"/>, the one-line
/// <paramref name="Title"/>, and who acknowledged it (<paramref name="By"/>). All absent from older publishers.
/// </summary>
public sealed record StaffingAlertChanged(string AlertId, string Change, DateTimeOffset At, string? Kind = null, string? Severity = null,
    string? Scope = null, string? StoreId = null, string? Team = null, string? Title = null, string? By = null);

/// <summary>An approved emergency plan changed a store's roster of a store-local date: the agents whose shifts there moved, were added or extended.</summary>
public sealed record RosterAdjusted(string PlanId, string StoreId, DateOnly Date, IReadOnlyList<string> AgentIds, DateTimeOffset At);
