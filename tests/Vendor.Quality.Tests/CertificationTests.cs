using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;
using Vendor.Testing;
using static Vendor.Quality.Tests.CourseAndPathTests;

namespace Vendor.Quality.Tests;

/// <summary>Certification per store and skill: requirements, granting on progress, re-certification after a revocation.</summary>
public class CertificationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyDictionary<string, CatalogueCourse> Courses =
        CatalogueWith(Course("tmall-products", storeId: "tmall-1"), Course("tmall-exam", CourseCategories.ProductKnowledge, "tmall-1", passMark: 70));

    private static readonly CertificationRequirement Presales = Requirement("tmall-1", "presales");

    private static CertificationRequirement Requirement(string storeId, string skill) =>
        CertificationRequirement.Of(new CertificationRequirementDefined(storeId, skill, ["tmall-products"], "tmall-exam", Now), 1);

    private static TrainingPlan Do(TrainingPlan plan, Decision decision) =>
        TrainingPlan.Fold(plan, plan.AgentId, Assert.IsType<Decision.Append>(decision).Events);

    [Fact]
    public void A_requirement_names_known_courses_and_an_exam_course_and_a_known_skill()
    {
        var errors = Assert.IsType<Decision.Invalid>(CertificationDecisions.Define(null, "tmall-1", "chat",
            new DefineRequirement(["tmall-products", "nope"], "tmall-products"), Courses, Now)).Errors;

        Assert.Equal(["courses", "exam", "skill"], errors.Keys.Order(StringComparer.Ordinal));
        var defined = Assert.IsType<CertificationRequirementDefined>(Assert.Single(Assert.IsType<Decision.Append>(CertificationDecisions.Define(null,
            "tmall-1", "presales", new DefineRequirement(["tmall-products", "tmall-exam", "tmall-products"], "tmall-exam"), Courses, Now)).Events));
        Assert.Equal(["tmall-products"], defined.Courses);
        Assert.IsType<Decision.Unchanged>(CertificationDecisions.Define(Presales, "tmall-1", "presales",
            new DefineRequirement(["tmall-products"], "tmall-exam"), Courses, Now));
    }

    [Fact]
    public void An_agent_is_certified_once_the_courses_are_done_and_the_exam_is_passed_for_each_requirement_met()
    {
        var requirements = new[] { Presales, Requirement("tmall-1", "aftersales"), Requirement("jd-1", "presales") with { Exam = "onboarding-exam" } };
        var plan = Hired();

        plan = Do(plan, TrainingDecisions.Exam(plan, Courses["tmall-exam"], new TakeExam(95), Now));
        Assert.Empty(CertificationDecisions.Evaluate(plan, null, requirements, Now)); // the course is not done yet
        plan = Do(plan, TrainingDecisions.Start(plan, Courses["tmall-products"], Now));
        Assert.Empty(CertificationDecisions.Evaluate(plan, null, requirements, Now));
        plan = Do(plan, TrainingDecisions.Complete(plan, Courses["tmall-products"], Now));

        var granted = CertificationDecisions.Evaluate(plan, null, requirements, Now).Cast<CertificationGranted>().ToList();
        Assert.Equal([("tmall-1", "aftersales"), ("tmall-1", "presales")], granted.Select(g => (g.StoreId, g.Skill)));
        var held = AgentCertifications.Fold(null, "a-1", granted);
        Assert.Equal(AgentCertifications.StreamKey("a-1"), held.Id);
        Assert.Equal(2, held.Held.Count);
        Assert.Empty(CertificationDecisions.Evaluate(plan, held, requirements, Now)); // held: nothing new
    }

    [Fact]
    public void A_failed_exam_does_not_certify()
    {
        var plan = Hired();
        plan = Do(plan, TrainingDecisions.Complete(plan, Courses["tmall-products"], Now));
        plan = Do(plan, TrainingDecisions.Exam(plan, Courses["tmall-exam"], new TakeExam(69.9), Now));

        Assert.Empty(CertificationDecisions.Evaluate(plan, null, [Presales], Now));
    }

    [Fact]
    public void After_a_revocation_only_a_new_pass_certifies_again()
    {
        var plan = Hired();
        plan = Do(plan, TrainingDecisions.Complete(plan, Courses["tmall-products"], Now));
        plan = Do(plan, TrainingDecisions.Exam(plan, Courses["tmall-exam"], new TakeExam(80), Now));
        var held = AgentCertifications.Fold(null, "a-1", CertificationDecisions.Evaluate(plan, null, [Presales], Now));
        held = AgentCertifications.Fold(held, "a-1", [new CertificationRevoked("a-1", "tmall-1", "presales", "critical errors", ["r-1", "r-2"], Now.AddDays(1))]);

        Assert.Empty(held.Held);
        Assert.Equal([CertificationChanges.Certified, CertificationChanges.Revoked], held.History!.Select(h => h.Change));
        Assert.Empty(CertificationDecisions.Evaluate(plan, held, [Presales], Now.AddDays(2)));

        plan = Do(plan, TrainingDecisions.Exam(plan, Courses["tmall-exam"], new TakeExam(50), Now.AddDays(2)));
        Assert.Empty(CertificationDecisions.Evaluate(plan, held, [Presales], Now.AddDays(2)));
        plan = Do(plan, TrainingDecisions.Exam(plan, Courses["tmall-exam"], new TakeExam(88), Now.AddDays(3)));
        var again = Assert.IsType<CertificationGranted>(Assert.Single(CertificationDecisions.Evaluate(plan, held, [Presales], Now.AddDays(3))));
        Assert.Equal(Now.AddDays(3), again.At);
    }

    [Fact]
    public void Grants_and_revocations_leave_the_service_as_AgentCertified_and_AgentCertificationRevoked_with_the_skill()
    {
        var certified = Assert.IsType<Contracts.AgentCertified>(IntegrationEvents.Map(new JasperFx.Events.Event<CertificationGranted>(
            new CertificationGranted("a-1", "tmall-1", "presales", Now))));
        var revoked = Assert.IsType<Contracts.AgentCertificationRevoked>(IntegrationEvents.Map(new JasperFx.Events.Event<CertificationRevoked>(
            new CertificationRevoked("a-1", "tmall-1", "hotline", "two critical errors", ["r-1", "r-2"], Now))));

        Assert.Equal(new Contracts.AgentCertified("a-1", "tmall-1", Now, "presales"), certified);
        Assert.Equal(new Contracts.AgentCertificationRevoked("a-1", "tmall-1", "two critical errors", Now, "hotline"), revoked);
    }
}

/// <summary>Through the Quality host (real PostgreSQL and RabbitMQ): the API, and certification published on the bus.</summary>
public class CertificationApiTests(ServiceFixture<QualityApi> fixture) : IClassFixture<ServiceFixture<QualityApi>>
{
    private readonly ServiceHost<QualityApi> _host = fixture.Host;
    private readonly HttpClient _ops = fixture.Host.OpsClient();

    private async Task<string> HiredAgent(params string[] skills)
    {
        var agentId = $"a-{Guid.NewGuid():N}"[..14];
        await _host.Services.GetRequiredService<IBus>().Publish(new Contracts.AgentHired(agentId, "张敏", "tmall-presales",
            skills.Length == 0 ? ["presales"] : skills, new DateOnly(2026, 11, 20), DateTimeOffset.UtcNow));
        await Eventually.Until(() => _ops.GetAsync($"/api/quality/agents/{agentId}/training"), r => r.StatusCode == HttpStatusCode.OK,
            what: "training plan");
        return agentId;
    }

    [Fact]
    public async Task An_agent_who_passes_what_a_store_requires_is_certified_and_AgentCertified_is_published_with_the_skill()
    {
        var storeId = $"s-{Guid.NewGuid():N}"[..12];
        var received = new ConcurrentQueue<Contracts.AgentCertified>();
        var bus = _host.Services.GetRequiredService<IBus>();
        var handle = bus.ConnectReceiveEndpoint($"quality-test-certified-{Guid.NewGuid():N}", e =>
        {
            if (e is MassTransit.IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.AutoDelete = true;
            e.Handler<Contracts.AgentCertified>(c =>
            {
                received.Enqueue(c.Message);
                return Task.CompletedTask;
            });
        });
        await handle.Ready;
        var agentId = await HiredAgent();
        (await _ops.PutAsJsonAsync($"/api/quality/courses/{storeId}-products",
            new { title = "店铺商品知识", category = "productKnowledge", storeId })).EnsureSuccessStatusCode();
        var requirement = await _ops.PutAsJsonAsync($"/api/quality/certifications/{storeId}/presales",
            new { courses = new[] { $"{storeId}-products", "platform-rules" }, exam = "onboarding-exam" });
        Assert.Equal(HttpStatusCode.OK, requirement.StatusCode);

        (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/platform-rules/complete", null)).EnsureSuccessStatusCode();
        (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/{storeId}-products/start", null)).EnsureSuccessStatusCode();
        (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/{storeId}-products/complete", null)).EnsureSuccessStatusCode();
        var failed = await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/training/exams/onboarding-exam", new { score = 60 });
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        Assert.Empty((await Certifications(agentId)).GetProperty("held").EnumerateArray());

        var passed = await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/training/exams/onboarding-exam", new { score = 92 });

        var training = await passed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(training.GetProperty("received").EnumerateArray(), c => c.GetProperty("code").GetString() == "onboarding-exam");
        var exam = training.GetProperty("courses").EnumerateArray().Single(c => c.GetProperty("code").GetString() == "onboarding-exam");
        Assert.Equal(("passed", 2), (exam.GetProperty("status").GetString(), exam.GetProperty("attempts").GetArrayLength()));
        var held = Assert.Single((await Certifications(agentId)).GetProperty("held").EnumerateArray());
        Assert.Equal((storeId, "presales"), (held.GetProperty("storeId").GetString(), held.GetProperty("skill").GetString()));
        var published = await Eventually.Until(() => Task.FromResult(received.FirstOrDefault(m => m.AgentId == agentId)), m => m is not null,
            what: "AgentCertified on the bus");
        Assert.Equal((storeId, "presales"), (published!.StoreId, published.Skill));
        await handle.StopAsync();
    }

    [Fact]
    public async Task A_requirement_put_after_the_agent_qualified_certifies_at_once()
    {
        var storeId = $"s-{Guid.NewGuid():N}"[..12];
        var agentId = await HiredAgent("hotline");
        (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/hotline-etiquette/complete", null)).EnsureSuccessStatusCode();
        (await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/training/exams/onboarding-exam", new { score = 100 })).EnsureSuccessStatusCode();
        Assert.Empty((await Certifications(agentId)).GetProperty("held").EnumerateArray());

        (await _ops.PutAsJsonAsync($"/api/quality/certifications/{storeId}/hotline",
            new { courses = new[] { "hotline-etiquette" }, exam = "onboarding-exam" })).EnsureSuccessStatusCode();

        var held = Assert.Single((await Certifications(agentId)).GetProperty("held").EnumerateArray());
        Assert.Equal("hotline", held.GetProperty("skill").GetString());
        var listed = await _ops.GetFromJsonAsync<JsonElement>("/api/quality/certifications");
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("storeId").GetString() == storeId);
    }

    [Fact]
    public async Task Bad_input_is_a_400_with_the_fields_unknown_ids_are_404_and_refused_steps_409()
    {
        var agentId = await HiredAgent();

        var badCourse = await _ops.PutAsJsonAsync("/api/quality/courses/c-bad", new { title = "", category = "cooking", exam = new { passMark = 150 } });
        var badPath = await _ops.PutAsJsonAsync("/api/quality/paths/onboarding",
            new { common = new[] { "nope" }, bySkill = new { presales = new[] { "missing" } }, exam = "platform-rules", dueAfterDays = 30 });
        var badRequirement = await _ops.PutAsJsonAsync("/api/quality/certifications/s-1/presales", new { courses = new[] { "nope" } });
        var badScore = await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/training/exams/onboarding-exam", new { score = -1 });
        var malformed = await _ops.PostAsync($"/api/quality/agents/{agentId}/training/exams/onboarding-exam",
            new StringContent("{\"score\":\"many\"}", null, "application/json"));
        var badAssign = await _ops.PostAsJsonAsync($"/api/quality/agents/{agentId}/training/courses", new { code = "nope" });

        foreach (var (response, fields) in new[]
                 {
                     (badCourse, new[] { "title", "category", "exam.passMark" }), (badPath, ["common", "bySkill.presales", "exam"]),
                     (badRequirement, ["courses", "exam"]), (badScore, ["score"]), (badAssign, ["code", "reason"]),
                 })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.All(fields, f => Assert.True(errors.TryGetProperty(f, out _), $"{f} in {errors}"));
        }
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/nope/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsync("/api/quality/agents/nobody/training/courses/soft-skills/start", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/agents/nobody/certifications")).StatusCode);
        var conflict = await _ops.PostAsync($"/api/quality/agents/{agentId}/training/courses/onboarding-exam/complete", null);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("application/problem+json", conflict.Content.Headers.ContentType!.MediaType);
        var store = _host.ClientAs(new CallerIdentity("k", Roles.Store, "acme"));
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/quality/courses")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await store.PutAsJsonAsync("/api/quality/certifications/acme/presales",
            new { courses = Array.Empty<string>(), exam = "onboarding-exam" })).StatusCode);
    }

    [Fact]
    public async Task The_catalogue_lists_built_in_and_defined_courses_and_a_course_put_twice_is_created_once()
    {
        var code = $"c-{Guid.NewGuid():N}"[..12];
        var body = new { title = "抖音直播话术", category = "scripts", skill = "presales", exam = new { passMark = 75 } };

        var created = await _ops.PutAsJsonAsync($"/api/quality/courses/{code}", body);
        var again = await _ops.PutAsJsonAsync($"/api/quality/courses/{code}", body);
        var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/quality/courses/{code}") { Content = JsonContent.Create(body with { title = "x" }) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"7\""));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("\"1\"", again.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _ops.SendAsync(stale)).StatusCode);
        var courses = await _ops.GetFromJsonAsync<JsonElement>("/api/quality/courses");
        var listed = courses.EnumerateArray().Single(c => c.GetProperty("code").GetString() == code);
        Assert.Equal(75, listed.GetProperty("exam").GetProperty("passMark").GetInt32());
        Assert.Contains(courses.EnumerateArray(), c => c.GetProperty("code").GetString() == "remedial-quality" && c.GetProperty("builtIn").GetBoolean());
    }

    private async Task<JsonElement> Certifications(string agentId) =>
        await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/agents/{agentId}/certifications");
}

/// <summary>Its own host: configuring the onboarding path changes what every later hire of that host gets.</summary>
public class OnboardingPathApiTests(ServiceFixture<QualityApi> fixture) : IClassFixture<ServiceFixture<QualityApi>>
{
    [Fact]
    public async Task A_hire_after_the_path_is_configured_gets_the_new_path()
    {
        var ops = fixture.Host.OpsClient();
        var before = await ops.GetAsync("/api/quality/paths/onboarding");
        Assert.Equal("onboarding-exam", (await before.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("exam").GetString());
        (await ops.PutAsJsonAsync("/api/quality/courses/live-selling", new { title = "直播带货话术", category = "scripts" })).EnsureSuccessStatusCode();

        var put = new HttpRequestMessage(HttpMethod.Put, "/api/quality/paths/onboarding")
        {
            Content = JsonContent.Create(new
            {
                common = new[] { "platform-rules", "soft-skills" }, bySkill = new { presales = new[] { "live-selling" } },
                exam = "onboarding-exam", dueAfterDays = 14,
            }),
        };
        put.Headers.IfMatch.Add(before.Headers.ETag!);
        var configured = await ops.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, configured.StatusCode);
        Assert.Equal("\"1\"", configured.Headers.ETag!.Tag);

        await fixture.Host.Services.GetRequiredService<IBus>().Publish(new Contracts.AgentHired("a-path", "刘洋", "t", ["presales", "hotline"],
            new DateOnly(2026, 12, 1), DateTimeOffset.UtcNow));
        var plan = await Eventually.Until(() => ops.GetAsync("/api/quality/agents/a-path/training"), r => r.StatusCode == HttpStatusCode.OK,
            what: "training plan");
        var json = await plan.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["platform-rules", "soft-skills", "live-selling", "onboarding-exam"],
            json.GetProperty("next").EnumerateArray().Select(c => c.GetProperty("code").GetString()));
        Assert.Equal("2026-12-15", json.GetProperty("dueOn").GetString());
    }
}

/// <summary>A clock that stands still, injected as the host's TimeProvider.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>Quality with its clock fixed, so the times it records are known.</summary>
public sealed class FixedClockQuality : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(8));
    private ServiceHost<QualityApi> _factory = null!;
    public Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<QualityApi> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _factory = new ServiceHost<QualityApi>(await ServiceHost<QualityApi>.SettingsAsync());
        Host = _factory.WithWebHostBuilder(b => Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(b,
            s => s.AddSingleton<TimeProvider>(new FixedClock(Now))));
        Host.CreateClient();
    }

    // Signed at the fixed time: the service checks the signature's age against its own clock.
    public HttpClient Ops() => Host.CreateDefaultClient(new GatewaySigningHandler(new CallerIdentity("ops", Roles.Ops, null),
        ServiceHost<QualityApi>.GatewaySecret, () => Now));

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _factory.DisposeAsync();
    }
}

public class FixedClockCertificationTests(FixedClockQuality quality) : IClassFixture<FixedClockQuality>
{
    [Fact]
    public async Task Plans_attempts_and_certifications_carry_the_injected_clocks_time()
    {
        var ops = quality.Ops();
        await quality.Host.Services.GetRequiredService<IBus>().Publish(new Contracts.AgentHired("a-clock", "周杰", "t", ["aftersales"],
            new DateOnly(2026, 11, 1), FixedClockQuality.Now));
        await Eventually.Until(() => ops.GetAsync("/api/quality/agents/a-clock/training"), r => r.StatusCode == HttpStatusCode.OK, what: "plan");
        (await ops.PutAsJsonAsync("/api/quality/certifications/jd-clock/aftersales",
            new { courses = new[] { "aftersales-refunds" }, exam = "onboarding-exam" })).EnsureSuccessStatusCode();

        (await ops.PostAsync("/api/quality/agents/a-clock/training/courses/aftersales-refunds/complete", null)).EnsureSuccessStatusCode();
        var exam = await ops.PostAsJsonAsync("/api/quality/agents/a-clock/training/exams/onboarding-exam", new { score = 80 });

        var training = await exam.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(FixedClockQuality.Now, training.GetProperty("assignedAt").GetDateTimeOffset());
        var attempt = training.GetProperty("courses").EnumerateArray().Single(c => c.GetProperty("code").GetString() == "onboarding-exam")
            .GetProperty("attempts")[0];
        Assert.Equal(FixedClockQuality.Now, attempt.GetProperty("at").GetDateTimeOffset());
        var held = (await ops.GetFromJsonAsync<JsonElement>("/api/quality/agents/a-clock/certifications")).GetProperty("held")[0];
        Assert.Equal(("jd-clock", "aftersales", FixedClockQuality.Now),
            (held.GetProperty("storeId").GetString(), held.GetProperty("skill").GetString(), held.GetProperty("certifiedAt").GetDateTimeOffset()));
    }
}
