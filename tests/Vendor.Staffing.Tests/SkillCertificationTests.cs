using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Contracts;
using Vendor.Staffing.Agents;
using Vendor.Testing;
using AgentHired = Vendor.Staffing.Agents.AgentHired;

namespace Vendor.Staffing.Tests;

/// <summary>Quality certifies per store and skill; a certification without a skill (older publishers) covers the whole store.</summary>
public class SkillCertificationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private static Agent Hired() => Agent.Create(new JasperFx.Events.Event<AgentHired>(
        new AgentHired("a-1", "王芳", "t", ["presales", "hotline"], new DateOnly(2026, 11, 1), Now)) { StreamKey = "agent:a-1", Version = 1 });

    private static Agent Apply(Agent agent, object e) => e switch
    {
        AgentStoreCertified c => agent.Apply(new JasperFx.Events.Event<AgentStoreCertified>(c) { Version = agent.Version + 1 }),
        AgentStoreCertificationRevoked r => agent.Apply(new JasperFx.Events.Event<AgentStoreCertificationRevoked>(r) { Version = agent.Version + 1 }),
        _ => agent,
    };

    private static Agent Given(params object[] events) => events.Aggregate(Hired(), Apply);

    [Fact]
    public void Skills_certified_one_by_one_accumulate_per_store()
    {
        var agent = Given(new AgentStoreCertified("a-1", "s-1", Now, "presales"), new AgentStoreCertified("a-1", "s-1", Now, "hotline"),
            new AgentStoreCertified("a-1", "s-2", Now, "presales"));

        Assert.Equal(["s-1", "s-2"], agent.Certified);
        Assert.Equal(["hotline", "presales"], agent.CertificationOf("s-1")!.Skills);
        Assert.True(agent.CertifiedFor("s-2", "presales"));
        Assert.False(agent.CertifiedFor("s-2", "hotline"));
        Assert.Equal(4, agent.Version);
    }

    [Fact]
    public void A_revocation_of_one_skill_keeps_the_store_while_another_skill_remains()
    {
        var agent = Given(new AgentStoreCertified("a-1", "s-1", Now, "presales"), new AgentStoreCertified("a-1", "s-1", Now, "hotline"),
            new AgentStoreCertificationRevoked("a-1", "s-1", "critical errors", Now, "presales"));

        Assert.Equal(["s-1"], agent.Certified);
        Assert.Equal(["hotline"], agent.CertificationOf("s-1")!.Skills);

        var none = Apply(agent, new AgentStoreCertificationRevoked("a-1", "s-1", "critical errors", Now, "hotline"));
        Assert.Empty(none.Certified);
        Assert.Null(none.CertificationOf("s-1"));
    }

    [Fact]
    public void Without_a_skill_a_certification_covers_every_skill_and_a_revocation_the_whole_store()
    {
        var whole = Given(new AgentStoreCertified("a-1", "s-1", Now));
        Assert.All(Skills.All, s => Assert.True(whole.CertifiedFor("s-1", s)));
        // A skill added to a whole-store certification changes nothing; one skill revoked leaves the others.
        Assert.True(Apply(whole, new AgentStoreCertified("a-1", "s-1", Now, "presales")).CertificationOf("s-1")!.AllSkills);
        var partial = Apply(whole, new AgentStoreCertificationRevoked("a-1", "s-1", "r", Now, "hotline"));
        Assert.Equal(["presales", "aftersales"], partial.CertificationOf("s-1")!.Skills);

        var revoked = Given(new AgentStoreCertified("a-1", "s-1", Now, "presales"), new AgentStoreCertified("a-1", "s-2", Now, "presales"),
            new AgentStoreCertificationRevoked("a-1", "s-1", "left the account", Now));
        Assert.Equal(["s-2"], revoked.Certified);
    }

    [Fact]
    public void An_agent_stored_before_skills_were_tracked_holds_its_stores_for_every_skill()
    {
        const string stored = """
            {"id":"agent:a-1","agentId":"a-1","name":"王芳","team":"t","skills":["presales"],"hiredOn":"2026-11-01","status":"active",
             "registeredAt":"2026-11-01T00:00:00+00:00","version":3,"certifiedStores":["s-1"],"tier":"probation","maxConcurrentChats":3,"standby":false}
            """;
        var agent = JsonSerializer.Deserialize<Agent>(stored, JsonSerializerOptions.Web)!;
        var oldEvent = JsonSerializer.Deserialize<AgentStoreCertified>("""{"agentId":"a-1","storeId":"s-2","at":"2026-11-02T00:00:00+00:00"}""",
            JsonSerializerOptions.Web)!;

        Assert.True(agent.CertifiedFor("s-1", "hotline"));
        Assert.Null(oldEvent.Skill);
        var after = Apply(agent, new AgentStoreCertificationRevoked("a-1", "s-1", "r", Now, "presales"));
        Assert.Equal(["s-1"], after.Certified);
        Assert.False(after.CertifiedFor("s-1", "presales"));
    }
}

/// <summary>Per-skill certifications arriving from Quality on the real broker, seen through the agent and the roster.</summary>
public class SkillCertificationFlowTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private readonly HttpClient _ops = fixture.Host.OpsClient();
    private IBus Bus => fixture.Host.Services.GetRequiredService<IBus>();

    [Fact]
    public async Task A_store_stays_rosterable_while_one_certified_skill_remains_and_not_after_the_last_is_revoked()
    {
        var storeId = $"s-{Guid.NewGuid():N}"[..14];
        await Bus.Publish(new StoreOnboarded(storeId, "旗舰店", "tmall", "Asia/Shanghai", DateTimeOffset.UtcNow,
            new StoreCalendar("Asia/Shanghai", [new ServiceHoursBlock("08:00", "23:00")], [1, 2, 3, 4, 5, 6, 7], [], [])));
        await Bus.Publish(new StoreContractChanged(storeId, "active", 2, 1, 0, 0.9, new DateOnly(2026, 11, 1), DateTimeOffset.UtcNow));
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : default),
            s => s.ValueKind == JsonValueKind.Object && s.GetProperty("headcount").GetProperty("presales").GetInt32() == 2, what: "store");
        var agentId = $"a-{Guid.NewGuid():N}"[..14];
        (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = "王芳", team = "t", skills = new[] { "presales", "aftersales" }, hiredOn = "2026-11-01" }))
            .EnsureSuccessStatusCode();

        await Bus.Publish(new AgentCertified(agentId, storeId, DateTimeOffset.UtcNow, "presales"));
        await Bus.Publish(new AgentCertified(agentId, storeId, DateTimeOffset.UtcNow, "aftersales"));
        var agent = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{agentId}"),
            a => a.GetProperty("certifiedSkills").TryGetProperty(storeId, out var skills) && skills.GetArrayLength() == 2, what: "two skills");
        Assert.Equal([storeId], agent.GetProperty("certifiedStores").EnumerateArray().Select(s => s.GetString()));

        await Bus.Publish(new AgentCertificationRevoked(agentId, storeId, "critical errors", DateTimeOffset.UtcNow, "presales"));
        agent = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{agentId}"),
            a => a.GetProperty("certifiedSkills").GetProperty(storeId).GetArrayLength() == 1, what: "one skill left");
        Assert.Equal("aftersales", agent.GetProperty("certifiedSkills").GetProperty(storeId)[0].GetString());
        var accepted = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-14",
            new[] { new { agentId, start = "09:00", end = "17:00", skill = "aftersales" } });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        await Bus.Publish(new AgentCertificationRevoked(agentId, storeId, "critical errors", DateTimeOffset.UtcNow, "aftersales"));
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{agentId}"),
            a => a.GetProperty("certifiedStores").GetArrayLength() == 0, what: "no store left");
        var refused = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-15",
            new[] { new { agentId, start = "09:00", end = "17:00", skill = "aftersales" } });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("not certified", await refused.Content.ReadAsStringAsync());
    }
}
