using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Agents;

/// <summary>The body of POST /api/staffing/agents.</summary>
public sealed record HireAgent(string? AgentId, string? Name, string? Team, IReadOnlyList<string>? Skills, DateOnly? HiredOn);

public static class AgentDecisions
{
    /// <summary>Register a hired agent; re-posting the same agent is a no-op, a different one under the same id a conflict.</summary>
    public static Decision Hire(Agent? existing, HireAgent command, DateTimeOffset now)
    {
        var skills = (command.Skills ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var errors = new Errors()
            .Check(Ids.IsValid(command.AgentId), "agentId", $"Required: {Ids.Rule}.")
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Trim().Length <= 100, "name",
                "Required, at most 100 characters.")
            .Check(!string.IsNullOrWhiteSpace(command.Team) && command.Team.Trim().Length <= 100, "team",
                "Required, at most 100 characters.")
            .Check(skills.Count > 0 && skills.All(Skills.All.Contains), "skills",
                $"At least one of: {string.Join(", ", Skills.All)}.")
            .Check(command.HiredOn is not null, "hiredOn", "Required date, yyyy-MM-dd.");
        if (errors.Any) return errors.ToDecision();

        var hired = new AgentHired(command.AgentId!, command.Name!.Trim(), command.Team!.Trim(), skills, command.HiredOn!.Value, now);
        if (existing is null) return Decision.Of(hired);
        return existing.Name == hired.Name && existing.Team == hired.Team && existing.HiredOn == hired.HiredOn
               && existing.Skills.SequenceEqual(hired.Skills)
            ? new Decision.Unchanged()
            : new Decision.Conflict($"Agent '{existing.AgentId}' is already registered with other details.");
    }
}
