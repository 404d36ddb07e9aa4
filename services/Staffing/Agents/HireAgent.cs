using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Agents;

/// <summary>The body of POST /api/staffing/agents.</summary>
public sealed record HireAgent(string? AgentId, string? Name, string? Team, IReadOnlyList<string>? Skills, DateOnly? HiredOn);

/// <summary>The body of PATCH /api/staffing/agents/{agentId}: only the fields given change.</summary>
public sealed record ChangeAgent(string? Team, IReadOnlyList<string>? Skills, int? MaxConcurrentChats, bool? Standby);

/// <summary>The body of POST /api/staffing/agents/{agentId}/leave.</summary>
public sealed record AgentLeaves(DateOnly? LeftOn, string? Reason);

public static class AgentDecisions
{
    public const int MaxConcurrentChatsLimit = 10;

    /// <summary>Register a hired agent; re-posting the same agent is a no-op, a different one under the same id a conflict.</summary>
    public static Decision Hire(Agent? existing, HireAgent command, DateTimeOffset now)
    {
        var skills = (command.Skills ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var errors = new Errors()
            .Check(Ids.IsValid(command.AgentId), "agentId", $"Required: {Ids.Rule}.")
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Trim().Length <= 100, "name",
                "Required, at most 100 characters.")
            .Check(ValidTeam(command.Team), "team", "Required, at most 100 characters.")
            .Check(ValidSkills(skills), "skills", $"At least one of: {string.Join(", ", Skills.All)}.")
            .Check(command.HiredOn is not null, "hiredOn", "Required date, yyyy-MM-dd.");
        if (errors.Any) return errors.ToDecision();

        var hired = new AgentHired(command.AgentId!, command.Name!.Trim(), command.Team!.Trim(), skills, command.HiredOn!.Value, now);
        if (existing is null) return Decision.Of(hired);
        return existing.Name == hired.Name && existing.Team == hired.Team && existing.HiredOn == hired.HiredOn
               && existing.Skills.SequenceEqual(hired.Skills)
            ? new Decision.Unchanged()
            : new Decision.Conflict($"Agent '{existing.AgentId}' is already registered with other details.");
    }

    /// <summary>Change team, skills, chat concurrency or standby-pool membership of an agent who has not left.</summary>
    public static Decision Change(Agent? agent, ChangeAgent command, DateTimeOffset now)
    {
        if (agent is null) return new Decision.Conflict("Unknown agent.");
        if (agent.Status == AgentStatus.Left) return new Decision.Conflict($"Agent '{agent.AgentId}' has left.");
        var skills = command.Skills?.Distinct().Order(StringComparer.Ordinal).ToList() ?? [.. agent.Skills];
        var errors = new Errors()
            .Check(command.Team is null || ValidTeam(command.Team), "team", "At most 100 characters, not blank.")
            .Check(ValidSkills(skills), "skills", $"At least one of: {string.Join(", ", Skills.All)}.")
            .Check(command.MaxConcurrentChats is null or >= 1 and <= MaxConcurrentChatsLimit, "maxConcurrentChats",
                $"From 1 to {MaxConcurrentChatsLimit}.");
        if (errors.Any) return errors.ToDecision();
        var changed = new AgentProfileChanged(agent.AgentId, command.Team?.Trim() ?? agent.Team, skills,
            command.MaxConcurrentChats ?? agent.MaxConcurrentChats, command.Standby ?? agent.Standby, now);
        return changed.Team == agent.Team && changed.Skills.SequenceEqual(agent.Skills) && changed.MaxConcurrentChats == agent.MaxConcurrentChats
               && changed.Standby == agent.Standby
            ? new Decision.Unchanged()
            : Decision.Of(changed);
    }

    public static Decision Leave(Agent? agent, AgentLeaves command, DateTimeOffset now)
    {
        if (agent is null) return new Decision.Conflict("Unknown agent.");
        var errors = new Errors()
            .Check(command.LeftOn is not null && command.LeftOn >= agent.HiredOn, "leftOn", "Required date, not before hiring.")
            .Check(!string.IsNullOrWhiteSpace(command.Reason) && command.Reason.Trim().Length <= 500, "reason", "Required, at most 500 characters.");
        if (errors.Any) return errors.ToDecision();
        if (agent.Status == AgentStatus.Left)
            return agent.LeftOn == command.LeftOn ? new Decision.Unchanged() : new Decision.Conflict($"Agent '{agent.AgentId}' left on {agent.LeftOn}.");
        return Decision.Of(new AgentLeft(agent.AgentId, command.LeftOn!.Value, command.Reason!.Trim(), now));
    }

    private static bool ValidTeam(string? team) => !string.IsNullOrWhiteSpace(team) && team.Trim().Length <= 100;

    private static bool ValidSkills(IReadOnlyList<string> skills) => skills.Count > 0 && skills.All(Skills.All.Contains);
}
