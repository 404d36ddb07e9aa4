using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Contracts;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Erlang;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

/// <summary>Stores and certifications arrive as Agreements' and Quality's events on the real broker; rosters, coverage and no-shows through the API.</summary>
public class StaffingFlowTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);
    private readonly HttpClient _ops = fixture.Host.OpsClient();
    private IBus Bus => fixture.Host.Services.GetRequiredService<IBus>();

    private async Task<string> OnboardedStore(string hours = "08:00-23:00", int presales = 2)
    {
        var storeId = $"s-{Guid.NewGuid():N}"[..14];
        var blocks = hours.Split(',').Select(b => b.Split('-')).Select(p => new ServiceHoursBlock(p[0], p[1])).ToList();
        await Bus.Publish(new StoreOnboarded(storeId, "旗舰店", "tmall", "Asia/Shanghai", DateTimeOffset.UtcNow,
            new StoreCalendar("Asia/Shanghai", blocks, [1, 2, 3, 4, 5, 6, 7], [], [])));
        await Bus.Publish(new StoreContractChanged(storeId, "active", presales, 1, 0, 0.9, new DateOnly(2026, 11, 1), DateTimeOffset.UtcNow));
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : default),
            s => s.ValueKind == JsonValueKind.Object && s.GetProperty("headcount").GetProperty("presales").GetInt32() == presales, what: "store with headcount");
        return storeId;
    }

    private async Task<string> CertifiedAgent(string storeId, string skill = "presales", string? team = null)
    {
        var agentId = $"a-{Guid.NewGuid():N}"[..14];
        (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId, name = "王芳", team = team ?? "tmall-presales", skills = new[] { skill }, hiredOn = "2026-11-01" }))
            .EnsureSuccessStatusCode();
        await Bus.Publish(new AgentCertified(agentId, storeId, DateTimeOffset.UtcNow));
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{agentId}"),
            a => a.GetProperty("certifiedStores").EnumerateArray().Any(s => s.GetString() == storeId), what: "certification");
        return agentId;
    }

    [Fact]
    public async Task A_store_carries_the_calendar_headcount_and_target_Agreements_published_and_ops_campaigns()
    {
        var storeId = await OnboardedStore("08:00-12:00,20:00-02:00");
        await Bus.Publish(new StoreCalendarChanged(storeId, new StoreCalendar("Asia/Shanghai", [new ServiceHoursBlock("09:00", "21:00")], [1, 2, 3, 4, 5], [], []),
            DateTimeOffset.UtcNow.AddMinutes(-1)));
        var store = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}"),
            s => s.GetProperty("calendar").GetProperty("serviceHours").GetArrayLength() == 1, what: "calendar change");

        var campaigns = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/campaigns",
            new { campaigns = new[] { new { name = "双12", from = "2026-12-11", to = "2026-12-12", multiplier = 2.5 } } });
        var bad = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/campaigns",
            new { campaigns = new[] { new { name = "", from = "2026-12-12", to = "2026-12-11", multiplier = 0 } } });

        Assert.Equal(0.9, store.GetProperty("threeMinuteResponseTarget").GetDouble());
        Assert.Equal([1, 2, 3, 4, 5], store.GetProperty("calendar").GetProperty("openDays").EnumerateArray().Select(d => d.GetInt32()));
        Assert.Equal(HttpStatusCode.OK, campaigns.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("campaigns[0].name", problem);
        Assert.Contains("campaigns[0].to", problem);
        Assert.Contains("campaigns[0].multiplier", problem);
        var saved = await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}");
        Assert.Equal(2.5, saved.GetProperty("campaigns")[0].GetProperty("multiplier").GetDouble());
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/staffing/stores/no-such-store")).StatusCode);
    }

    [Fact]
    public async Task A_roster_takes_certified_agents_and_refuses_broken_rules_with_reasons()
    {
        var storeId = await OnboardedStore();
        var other = await OnboardedStore();
        var certified = await CertifiedAgent(storeId);
        await Bus.Publish(new AgentCertified(certified, other, DateTimeOffset.UtcNow));
        var stranger = $"a-{Guid.NewGuid():N}"[..14];
        (await _ops.PostAsJsonAsync("/api/staffing/agents", new { agentId = stranger, name = "赵敏", team = "t", skills = new[] { "presales" }, hiredOn = "2026-11-01" }))
            .EnsureSuccessStatusCode();
        await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/agents/{certified}"),
            a => a.GetProperty("certifiedStores").GetArrayLength() == 2, what: "second certification");

        var ok = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-14", new[] { new { agentId = certified, start = "09:00", end = "17:00" } });
        var refused = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-15",
            new { shifts = new[] { new { agentId = stranger, start = "09:00", end = "17:15" } } });
        var overlapElsewhere = await _ops.PutAsJsonAsync($"/api/staffing/stores/{other}/roster/2026-12-14", new[] { new { agentId = certified, start = "16:00", end = "20:00" } });
        var shortRest = await _ops.PutAsJsonAsync($"/api/staffing/stores/{other}/roster/2026-12-13", new[] { new { agentId = certified, start = "14:00", end = "23:30" } });
        var malformed = await _ops.PutAsync($"/api/staffing/stores/{storeId}/roster/2026-12-14", new StringContent("{\"shifts\": 3}", null, "application/json"));
        var badDate = await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/14-12-2026", Array.Empty<object>());

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var roster = await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}/roster/2026-12-14");
        var shift = roster.GetProperty("shifts")[0];
        Assert.Equal((certified, "presales"), (shift.GetProperty("agentId").GetString(), shift.GetProperty("skill").GetString()));
        Assert.Equal(new DateTimeOffset(2026, 12, 14, 9, 0, 0, Shanghai), shift.GetProperty("startsAt").GetDateTimeOffset());

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var reasons = await refused.Content.ReadAsStringAsync();
        Assert.Contains("not certified", reasons);
        Assert.Contains("shifts[0].end", reasons);
        Assert.Equal(HttpStatusCode.BadRequest, overlapElsewhere.StatusCode);
        Assert.Contains("overlapping", await overlapElsewhere.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, shortRest.StatusCode);
        Assert.Contains("rests 9.5 h", await shortRest.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Equal("application/problem+json", badDate.Content.Headers.ContentType!.MediaType);
        // The refused writes stored nothing.
        Assert.Equal(0, (await _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{other}/roster/2026-12-14")).GetProperty("shifts").GetArrayLength());
    }

    [Fact]
    public async Task Coverage_forecasts_recorded_demand_against_rostered_and_absent_agents()
    {
        var storeId = await OnboardedStore();
        var (a1, a2) = (await CertifiedAgent(storeId), await CertifiedAgent(storeId));
        // Two earlier Mondays with 60 and 40 conversations starting 10:00-10:30, five minutes each; re-deliveries and revisions count once.
        foreach (var (monday, count) in new[] { (new DateOnly(2026, 12, 7), 60), (new DateOnly(2026, 11, 30), 40) })
        {
            var conversations = Enumerable.Range(0, count).Select(i =>
            {
                var start = new DateTimeOffset(monday.ToDateTime(new TimeOnly(10, 0)), Shanghai).AddSeconds(i * 20);
                return new ConversationRecorded(storeId, $"c-{monday:MMdd}-{i}", 1, "chat", "presales", [a1], start, monday, 6, 30, [30], false,
                    false, true, null, false, start.AddMinutes(5));
            }).ToList();
            await Bus.Publish(new ConversationsRecorded(storeId, conversations));
            await Bus.Publish(new ConversationsRecorded(storeId, [conversations[0] with { Revision = 2 }]));
        }
        (await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-12-14",
            new[] { new { agentId = a1, start = "09:00", end = "17:00" }, new { agentId = a2, start = "09:00", end = "17:00" } })).EnsureSuccessStatusCode();
        (await _ops.PostAsJsonAsync("/api/staffing/absences", new { agentId = a2, kind = "sick", from = "2026-12-14T10:00:00+08:00", to = "2026-12-14T11:00:00+08:00" }))
            .EnsureSuccessStatusCode();

        var coverage = await Eventually.Until(() => _ops.GetFromJsonAsync<JsonElement>($"/api/staffing/stores/{storeId}/coverage?date=2026-12-14"),
            c => c.GetProperty("intervals")[20].GetProperty("forecastContacts").GetDouble() == 50, what: "demand history");

        var ten = coverage.GetProperty("intervals")[20];
        var expected = ErlangC.Solve(new ErlangRequest(100, 300, 0.9, 180, 3)).Agents;
        Assert.Equal(new DateTimeOffset(2026, 12, 14, 10, 0, 0, Shanghai), ten.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(300, ten.GetProperty("ahtSeconds").GetDouble());
        Assert.Equal(expected, ten.GetProperty("requiredAgents").GetInt32());
        Assert.Equal((2, 1), (ten.GetProperty("scheduledAgents").GetInt32(), ten.GetProperty("availableAgents").GetInt32()));
        Assert.Equal(Math.Max(0, expected - 1), ten.GetProperty("gap").GetInt32());
        var night = coverage.GetProperty("intervals")[6];
        Assert.False(night.GetProperty("open").GetBoolean());
        Assert.Equal(0, night.GetProperty("requiredAgents").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.GetAsync($"/api/staffing/stores/{storeId}/coverage?date=tomorrow")).StatusCode);
    }

    [Fact]
    public async Task A_shift_started_without_a_clock_in_becomes_one_no_show_after_the_grace_period()
    {
        var storeId = await OnboardedStore();
        var (late, punctual) = (await CertifiedAgent(storeId), await CertifiedAgent(storeId));
        (await _ops.PutAsJsonAsync($"/api/staffing/stores/{storeId}/roster/2026-11-20",
            new[] { new { agentId = late, start = "10:00", end = "18:00" }, new { agentId = punctual, start = "10:00", end = "18:00" } })).EnsureSuccessStatusCode();
        (await _ops.PostAsJsonAsync("/api/staffing/clock-ins", new { agentId = punctual, at = "2026-11-20T09:55:00+08:00" })).EnsureSuccessStatusCode();
        var documents = fixture.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        var start = new DateTimeOffset(2026, 11, 20, 10, 0, 0, Shanghai);

        var early = await AttendanceModule.DetectNoShowsAsync(documents, start.AddMinutes(9), AttendanceRules.DefaultGrace, default);
        var due = await AttendanceModule.DetectNoShowsAsync(documents, start.AddMinutes(10), AttendanceRules.DefaultGrace, default);
        var again = await AttendanceModule.DetectNoShowsAsync(documents, start.AddMinutes(11), AttendanceRules.DefaultGrace, default);

        Assert.Equal((0, 1, 0), (early, due, again));
        var absences = await _ops.GetFromJsonAsync<JsonElement>("/api/staffing/absences?from=2026-11-20T00:00:00%2B08:00&to=2026-11-21T00:00:00%2B08:00");
        var noShow = Assert.Single(absences.EnumerateArray(), a => a.GetProperty("agentId").GetString() == late);
        Assert.Equal(("noShow", "detected"), (noShow.GetProperty("kind").GetString(), noShow.GetProperty("source").GetString()));
        Assert.Equal(start, noShow.GetProperty("from").GetDateTimeOffset());
        Assert.DoesNotContain(absences.EnumerateArray(), a => a.GetProperty("agentId").GetString() == punctual);
    }

    [Fact]
    public async Task Absences_are_validated_and_idempotent_by_their_id()
    {
        var storeId = await OnboardedStore();
        var agent = await CertifiedAgent(storeId);
        var body = new { absenceId = $"abs-{Guid.NewGuid():N}"[..20], agentId = agent, kind = "leave", from = "2026-12-20T09:00:00+08:00", to = "2026-12-20T18:00:00+08:00", note = "事假" };

        var first = await _ops.PostAsJsonAsync("/api/staffing/absences", body);
        var repeat = await _ops.PostAsJsonAsync("/api/staffing/absences", body);
        var changed = await _ops.PostAsJsonAsync("/api/staffing/absences", body with { kind = "sick" });
        var invalid = await _ops.PostAsJsonAsync("/api/staffing/absences", new { agentId = "nobody", kind = "holiday", from = "2026-12-20T09:00:00+08:00", to = "2026-12-20T08:00:00+08:00" });

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Conflict), (first.StatusCode, repeat.StatusCode, changed.StatusCode));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var problem = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("\"agentId\"", problem);
        Assert.Contains("\"kind\"", problem);
        Assert.Contains("\"to\"", problem);
    }
}
