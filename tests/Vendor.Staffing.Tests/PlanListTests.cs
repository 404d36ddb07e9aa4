using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Plans;
using Vendor.Staffing.Rosters;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

/// <summary>The emergency plans list the dashboard shows: summaries newest first, by date and status.</summary>
public class PlanListTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private static readonly DateTimeOffset At = new(2031, 3, 1, 2, 0, 0, TimeSpan.Zero);
    private readonly HttpClient _ops = fixture.Host.OpsClient();

    private static Shift Shift(string agentId) => new(agentId, "09:00", "17:00", "presales", At.AddHours(1), At.AddHours(9));

    private static PlanSolution Solution(int moves, int callIns) => new(
        [.. Enumerable.Range(0, moves).Select(i => new PlanMove($"m-{i}", "s-spare", "s-short", Shift($"m-{i}"), Shift($"m-{i}")))],
        [.. Enumerable.Range(0, callIns).Select(i => new PlanCallIn($"c-{i}", "s-short", Shift($"c-{i}")))],
        [], [], 1200, 1100, 8.3, 1000, 50, 12, 4, PlanStatus.Feasible, 3.9, 40);

    private async Task Propose(string planId, DateOnly date, DateTimeOffset at, PlanSolution solution, bool approve = false)
    {
        await using var session = fixture.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession();
        session.Events.StartStream<EmergencyPlan>(EmergencyPlan.StreamKey(planId),
            new EmergencyPlanProposed(planId, date, "Asia/Shanghai", ["s-short"], ["s-short", "s-spare"], [], solution, "ops-1", at));
        if (approve) session.Events.Append(EmergencyPlan.StreamKey(planId), new EmergencyPlanApproved(planId, "ops-2", at.AddMinutes(5)));
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task Plans_are_listed_newest_first_with_their_figures_and_counts_by_date_and_status()
    {
        var day = new DateOnly(2031, 3, 1);
        await Propose("ep-list-1", day, At, Solution(1, 2), approve: true);
        await Propose("ep-list-2", day, At.AddMinutes(30), Solution(0, 1));
        await Propose("ep-list-3", day.AddDays(1), At.AddMinutes(60), Solution(2, 0));

        var ofDay = (await _ops.GetFromJsonAsync<JsonElement>("/api/staffing/emergency-plans?date=2031-03-01")).EnumerateArray().ToList();
        Assert.Equal(["ep-list-2", "ep-list-1"], ofDay.Select(p => p.GetProperty("planId").GetString()));
        var approved = ofDay[1];
        Assert.Equal(("approved", "2031-03-01", 1, 2, 0), (approved.GetProperty("status").GetString(), approved.GetProperty("date").GetString(),
            approved.GetProperty("moves").GetInt32(), approved.GetProperty("callIns").GetInt32(), approved.GetProperty("overtime").GetInt32()));
        Assert.Equal((1200, 1100, 8.3, 12, 4), (approved.GetProperty("objective").GetInt64(), approved.GetProperty("bound").GetInt64(),
            approved.GetProperty("gapPercent").GetDouble(), approved.GetProperty("shortfallBefore").GetInt32(), approved.GetProperty("shortfallAfter").GetInt32()));
        Assert.Equal(At, approved.GetProperty("createdAt").GetDateTimeOffset());

        var all = (await _ops.GetFromJsonAsync<JsonElement>("/api/staffing/emergency-plans")).EnumerateArray().Select(p => p.GetProperty("planId").GetString());
        Assert.Equal(["ep-list-3", "ep-list-2", "ep-list-1"], all);
        var proposed = (await _ops.GetFromJsonAsync<JsonElement>("/api/staffing/emergency-plans?date=2031-03-01&status=proposed")).EnumerateArray();
        Assert.Equal(["ep-list-2"], proposed.Select(p => p.GetProperty("planId").GetString()));

        foreach (var bad in new[] { "?date=01.03.2031", "?date=2031-02-30", "?status=done" })
        {
            var response = await _ops.GetAsync($"/api/staffing/emergency-plans{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
        var store = fixture.Host.ClientAs(new CallerIdentity("k-store", Roles.Store, "s-short"));
        Assert.Equal(HttpStatusCode.Forbidden, (await store.GetAsync("/api/staffing/emergency-plans")).StatusCode);
    }
}
