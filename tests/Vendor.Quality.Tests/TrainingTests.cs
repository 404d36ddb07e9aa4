using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

public class OnboardingPathTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_presales_hire_gets_the_common_courses_the_presales_course_and_the_exam()
    {
        var codes = OnboardingPath.For(["presales"]).Select(c => c.Code);

        Assert.Equal(["platform-rules", "product-knowledge", "service-scripts", "soft-skills", "presales-conversion", "onboarding-exam"], codes);
    }

    [Fact]
    public void Each_skill_adds_its_course_once_and_the_exam_comes_last()
    {
        var codes = OnboardingPath.For(["hotline", "aftersales", "hotline"]).Select(c => c.Code).ToList();

        Assert.Equal(["aftersales-refunds", "hotline-etiquette"], codes.Skip(4).Take(2));
        Assert.Equal("onboarding-exam", codes[^1]);
        Assert.Equal(7, codes.Count);
    }

    [Fact]
    public void A_hire_assigns_the_path_due_thirty_days_after_hiring_and_a_repeat_assigns_nothing()
    {
        var hired = new Contracts.AgentHired("a-1", "王小美", "t", ["presales"], new DateOnly(2026, 11, 1), Now);

        var assigned = Assert.IsType<OnboardingPathAssigned>(Assert.Single(TrainingDecisions.OnHired(null, hired, Now)));
        Assert.Equal(new DateOnly(2026, 12, 1), assigned.DueOn);
        Assert.Equal(6, assigned.Courses.Count);

        var plan = new TrainingPlan("training:a-1", "a-1", "王小美", "t", OnboardingPath.Name, [], assigned.DueOn, Now);
        Assert.Empty(TrainingDecisions.OnHired(plan, hired, Now.AddMinutes(1)));
    }
}

public class AgentHiredConsumerTests(ServiceFixture<QualityApi> fixture) : IClassFixture<ServiceFixture<QualityApi>>
{
    private readonly ServiceHost<QualityApi> _host = fixture.Host;

    [Fact]
    public async Task A_hired_agent_gets_one_training_plan_however_often_the_message_is_delivered()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        var hired = new Contracts.AgentHired("a-q1", "张敏", "douyin-presales", ["presales", "hotline"], new DateOnly(2026, 11, 20), DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();

        await bus.Publish(hired, c => c.MessageId = messageId);
        await bus.Publish(hired, c => c.MessageId = messageId);
        await bus.Publish(hired, c => c.MessageId = Guid.NewGuid());

        var client = _host.OpsClient();
        var plan = await Eventually.Until(() => client.GetAsync("/api/quality/agents/a-q1/training"),
            r => r.StatusCode == HttpStatusCode.OK, what: "training plan");
        var json = await plan.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("onboarding", json.GetProperty("path").GetString());
        Assert.Equal("2026-12-20", json.GetProperty("dueOn").GetString());
        Assert.Equal(7, json.GetProperty("courses").GetArrayLength());
        Assert.All(json.GetProperty("courses").EnumerateArray(), c => Assert.Equal("assigned", c.GetProperty("status").GetString()));

        var store = _host.Services.GetRequiredService<IDocumentStore>();
        await Eventually.Until(async () =>
        {
            await using var s = store.QuerySession();
            return await s.Query<ProcessedMessage>().CountAsync();
        }, n => n >= 2, what: "both message ids handled");
        await using var session = store.QuerySession();
        Assert.Single(await session.Events.FetchStreamAsync(TrainingPlan.StreamKey("a-q1")));
    }

    [Fact]
    public async Task An_unknown_agent_has_no_plan_and_only_ops_may_look()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _host.OpsClient().GetAsync("/api/quality/agents/nobody/training")).StatusCode);
        var store = _host.ClientAs(new CallerIdentity("k", Roles.Store, "acme"));
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/quality/agents/nobody/training")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.CreateClient().GetAsync("/api/quality/agents/nobody/training")).StatusCode);
    }
}
