using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;

namespace Vendor.Staffing.Tests;

public class AgentDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly HiredOn = new(2026, 11, 1);

    private static HireAgent Command(params string[] skills) => new("a-1", " 王小美 ", "tmall-presales", skills, HiredOn);

    [Fact]
    public void Hiring_records_the_agent_with_sorted_distinct_skills()
    {
        var decision = AgentDecisions.Hire(null, Command("presales", "hotline", "presales"), Now);

        var hired = (AgentHired)Assert.Single(Assert.IsType<Decision.Append>(decision).Events);
        Assert.Equal("王小美", hired.Name);
        Assert.Equal(["hotline", "presales"], hired.Skills);
        Assert.Equal(HiredOn, hired.HiredOn);
        Assert.Equal(Now, hired.RegisteredAt);
    }

    [Fact]
    public void Unknown_or_missing_skills_and_fields_are_named()
    {
        var decision = AgentDecisions.Hire(null, new HireAgent("", null, " ", ["cooking"], null), Now);

        Assert.Equal(["agentId", "hiredOn", "name", "skills", "team"],
            Assert.IsType<Decision.Invalid>(decision).Errors.Keys.Order());
    }

    [Fact]
    public void No_skills_at_all_is_invalid()
    {
        var invalid = Assert.IsType<Decision.Invalid>(AgentDecisions.Hire(null, Command(), Now));

        Assert.Equal(["skills"], invalid.Errors.Keys);
    }

    [Fact]
    public void Re_posting_the_same_agent_changes_nothing_and_a_different_one_conflicts()
    {
        var existing = new Agent("agent:a-1", "a-1", "王小美", "tmall-presales", ["presales"], HiredOn, AgentStatus.Active, Now, 1);

        Assert.IsType<Decision.Unchanged>(AgentDecisions.Hire(existing, Command("presales"), Now.AddHours(1)));
        Assert.IsType<Decision.Conflict>(AgentDecisions.Hire(existing, Command("aftersales"), Now.AddHours(1)));
    }
}
