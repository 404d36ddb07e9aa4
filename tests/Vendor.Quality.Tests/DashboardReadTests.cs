using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

/// <summary>An agent's training at a glance: counts by status, and path courses overdue once the path's due date has passed.</summary>
public class TrainingProgressTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Courses_are_counted_by_what_is_left_to_do_and_path_courses_are_overdue_after_the_due_date()
    {
        var plan = CourseAndPathTests.Hired("a-1");
        var codes = plan.Courses.Select(c => c.Code).Where(c => c != "onboarding-exam").Take(2).ToList();
        plan = plan.Step(new CourseStarted("a-1", codes[0], Now)).Step(new CourseStarted("a-1", codes[1], Now)).Step(new CourseCompleted("a-1", codes[1], Now));
        var total = plan.Courses.Count;

        var onTime = TrainingProgress.Of(plan, plan.DueOn);
        Assert.Equal(("a-1", total - 2, 1, 1, 0), (onTime.AgentId, onTime.Assigned, onTime.InProgress, onTime.Completed, onTime.Overdue));
        Assert.Equal(plan.DueOn, onTime.DueOn);
        Assert.Equal(total - 1, TrainingProgress.Of(plan, plan.DueOn.AddDays(1)).Overdue);
    }

    [Fact]
    public void A_failed_exam_is_still_in_progress_and_courses_outside_the_path_are_never_overdue()
    {
        var plan = TrainingPlan.Fold(null, "a-2", [
            new CourseAssigned("a-2", new Course("remedial-quality", "Remedial", "quality"), CourseSources.Remedial, "score 40", "r-1", "acme", Now),
            new ExamTaken("a-2", "remedial-quality", 40, 60, false, Now),
        ]);
        var progress = TrainingProgress.Of(plan, new DateOnly(2030, 1, 1));
        Assert.Equal((0, 1, 0, 0, (DateOnly?)null), (progress.Assigned, progress.InProgress, progress.Completed, progress.Overdue, progress.DueOn));
    }
}

/// <summary>The dashboard's reads of Quality: training progress per agent and the tier distribution.</summary>
public class DashboardReadApiTests(ServiceFixture<QualityApi> fixture) : IClassFixture<ServiceFixture<QualityApi>>
{
    private readonly ServiceHost<QualityApi> _host = fixture.Host;

    private async Task<string> Hire(string team, DateOnly hiredOn)
    {
        var agentId = $"a-{Guid.NewGuid():N}"[..14];
        await _host.Services.GetRequiredService<IBus>().Publish(
            new Contracts.AgentHired(agentId, "张敏", team, ["presales"], hiredOn, DateTimeOffset.UtcNow));
        await Eventually.Until(() => _host.OpsClient().GetAsync($"/api/quality/agents/{agentId}/training"), r => r.StatusCode == HttpStatusCode.OK,
            what: "training plan");
        return agentId;
    }

    [Fact]
    public async Task Training_progress_per_agent_of_a_team()
    {
        var team = $"t-{Guid.NewGuid():N}"[..10];
        var late = await Hire(team, new DateOnly(2025, 1, 1));
        var fresh = await Hire(team, DateOnly.FromDateTime(DateTime.UtcNow));
        await Hire("other-team", new DateOnly(2025, 1, 1));
        var ops = _host.OpsClient();
        var plan = await ops.GetFromJsonAsync<JsonElement>($"/api/quality/agents/{late}/training");
        var courses = plan.GetProperty("courses").GetArrayLength();
        var code = plan.GetProperty("courses")[0].GetProperty("code").GetString();
        (await ops.PostAsync($"/api/quality/agents/{late}/training/courses/{code}/start", null)).EnsureSuccessStatusCode();

        var progress = (await ops.GetFromJsonAsync<JsonElement>($"/api/quality/training/progress?team={team}")).EnumerateArray().ToList();
        Assert.Equal(new[] { late, fresh }.Order(StringComparer.Ordinal), progress.Select(p => p.GetProperty("agentId").GetString()));
        var lateLine = progress.Single(p => p.GetProperty("agentId").GetString() == late);
        Assert.Equal((courses - 1, 1, 0, courses), (lateLine.GetProperty("assigned").GetInt32(), lateLine.GetProperty("inProgress").GetInt32(),
            lateLine.GetProperty("completed").GetInt32(), lateLine.GetProperty("overdue").GetInt32()));
        var freshLine = progress.Single(p => p.GetProperty("agentId").GetString() == fresh);
        Assert.Equal((courses, 0), (freshLine.GetProperty("assigned").GetInt32(), freshLine.GetProperty("overdue").GetInt32()));
        Assert.True((await ops.GetFromJsonAsync<JsonElement>("/api/quality/training/progress")).GetArrayLength() >= 3);

        var tooLong = await ops.GetAsync($"/api/quality/training/progress?team={new string('x', 101)}");
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("application/problem+json", tooLong.Content.Headers.ContentType!.MediaType);
        var store = _host.ClientAs(new CallerIdentity("k", Roles.Store, "acme"));
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/quality/training/progress")).StatusCode);
    }

    [Fact]
    public async Task The_tier_distribution_counts_every_tier_and_lists_each_agent_with_its_pay_coefficient()
    {
        var agentId = await Hire($"t-{Guid.NewGuid():N}"[..10], new DateOnly(2026, 1, 1));
        var ops = _host.OpsClient();
        // The agent's Quality record comes from its own consumer of AgentHired, not the training plan's: wait for it too.
        var tiers = await Eventually.Until(() => ops.GetFromJsonAsync<JsonElement>("/api/quality/tiers"),
            t => t.GetProperty("agents").EnumerateArray().Any(a => a.GetProperty("agentId").GetString() == agentId), what: "the agent in the tiers");
        Assert.Equal(["probation", "iron", "bronze", "silver", "gold"], tiers.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("tier").GetString()));
        var agents = tiers.GetProperty("agents").EnumerateArray().ToList();
        Assert.Equal(agents.Count, tiers.GetProperty("tiers").EnumerateArray().Sum(t => t.GetProperty("count").GetInt32()));
        var line = agents.Single(a => a.GetProperty("agentId").GetString() == agentId);
        var ladder = await ops.GetFromJsonAsync<JsonElement>("/api/quality/ladder");
        var probationPay = ladder.GetProperty("tiers").EnumerateArray().Single(t => t.GetProperty("tier").GetString() == "probation")
            .GetProperty("payCoefficient").GetDouble();
        Assert.Equal(("probation", probationPay), (line.GetProperty("tier").GetString(), line.GetProperty("payCoefficient").GetDouble()));

        var store = _host.ClientAs(new CallerIdentity("k", Roles.Store, "acme"));
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/quality/tiers")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.CreateClient().GetAsync("/api/quality/tiers")).StatusCode);
    }
}
