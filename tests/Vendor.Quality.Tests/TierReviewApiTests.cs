using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

public class TierReviewApiTests(QualityWorld world) : IClassFixture<QualityWorld>
{
    private readonly HttpClient _ops = world.Ops();

    private static JsonElement Proposal(JsonElement review, string agentId) =>
        review.GetProperty("proposals").EnumerateArray().Single(p => p.GetProperty("agentId").GetString() == agentId);

    private static JsonElement Rule(JsonElement proposal, string tier, string rule) =>
        proposal.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("tier").GetString() == tier && r.GetProperty("rule").GetString() == rule);

    private async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<(ConcurrentQueue<Contracts.AgentTierChanged> Seen, HostReceiveEndpointHandle Handle)> ObserveTierChanges()
    {
        var seen = new ConcurrentQueue<Contracts.AgentTierChanged>();
        var bus = world.Host.Services.GetRequiredService<IBus>();
        var handle = bus.ConnectReceiveEndpoint($"tier-observer-{Guid.NewGuid():N}", e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) (rabbit.AutoDelete, rabbit.Durable) = (true, false);
            e.Handler<Contracts.AgentTierChanged>(c =>
            {
                seen.Enqueue(c.Message);
                return Task.CompletedTask;
            });
        });
        await handle.Ready;
        return (seen, handle);
    }

    [Fact]
    public async Task Half_yearly_reviews_promote_and_demote_once_a_lead_approves_and_Staffing_hears_of_each_change()
    {
        var (seen, observer) = await ObserveTierChanges();
        try
        {
            await world.Hire("r-1", "lad-a", new DateOnly(2026, 3, 1));
            await world.Hire("r-2", "lad-a", new DateOnly(2026, 12, 1));
            await world.Hire("r-3", "lad-a", new DateOnly(2025, 1, 1));
            await world.Conversations("r-3", new DateOnly(2026, 5, 10), 5);
            await world.Review("lr-1", "r-3", new DateOnly(2026, 5, 11), 95);

            // 2026-H1: r-3 has an excellent May and is promoted to iron; r-1 has no data yet; r-2 was not hired yet.
            var h1 = await Json(await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2026-H1", team = "lad-a" }), HttpStatusCode.Created);
            Assert.Equal(("2026-H1.lad-a", "2026-06-30"), (h1.GetProperty("reviewId").GetString(), h1.GetProperty("asOf").GetString()));
            Assert.Equal(["r-1", "r-3"], h1.GetProperty("proposals").EnumerateArray().Select(p => p.GetProperty("agentId").GetString()));
            Assert.Equal("keep", Proposal(h1, "r-1").GetProperty("outcome").GetString());
            Assert.False(Rule(Proposal(h1, "r-1"), "iron", "score").GetProperty("met").GetBoolean());
            var promote = Proposal(h1, "r-3");
            Assert.Equal(("promote", "iron", "铁牌", 100.0, "pending"), (promote.GetProperty("outcome").GetString(), promote.GetProperty("to").GetString(),
                promote.GetProperty("toName").GetString(), promote.GetProperty("score").GetDouble(), promote.GetProperty("status").GetString()));
            Assert.Equal(JsonValueKind.Null, Rule(promote, "iron", "approval").GetProperty("met").ValueKind);

            var approved = await Json(await _ops.PostAsJsonAsync("/api/quality/tier-reviews/2026-H1.lad-a/agents/r-3/approve",
                new { leadId = "lead-1", talkNotes = "面谈：升铁牌，下半年重点提升转化率。" }), HttpStatusCode.OK);
            Assert.Equal(("approved", "lead-1"), (approved.GetProperty("status").GetString(), approved.GetProperty("decidedBy").GetString()));
            await Eventually.Until(() => Task.FromResult(seen.ToArray()), s => s.Any(m => m is { AgentId: "r-3", Tier: "iron" }), what: "AgentTierChanged iron");

            var ladder = await Json(await _ops.GetAsync("/api/quality/ladder"), HttpStatusCode.OK);
            var tier = await Json(await _ops.GetAsync("/api/quality/agents/r-3/tier"), HttpStatusCode.OK);
            Assert.Equal(("iron", "铁牌"), (tier.GetProperty("tier").GetString(), tier.GetProperty("tierName").GetString()));
            Assert.Equal(ladder.GetProperty("payCoefficients").GetProperty("iron").GetDouble(), tier.GetProperty("payCoefficient").GetDouble());
            var entry = Assert.Single(tier.GetProperty("history").EnumerateArray());
            Assert.Equal(("probation", "iron", "2026-H1.lad-a", "lead-1"), (entry.GetProperty("from").GetString(), entry.GetProperty("to").GetString(),
                entry.GetProperty("reviewId").GetString(), entry.GetProperty("approvedBy").GetString()));
            Assert.Equal("面谈：升铁牌，下半年重点提升转化率。", Assert.Single(tier.GetProperty("talkNotes").EnumerateArray()).GetProperty("notes").GetString());

            // 2026-H2: r-1 did well in October; r-3 was slow and made a critical error in November.
            await world.Conversations("r-1", new DateOnly(2026, 10, 8), 6);
            await world.Review("lr-2", "r-1", new DateOnly(2026, 10, 9), 92);
            await world.Conversations("r-3", new DateOnly(2026, 11, 18), 3, firstResponse: 150, response: 200, rating: "unsatisfied", converted: false);
            await world.Review("lr-3", "r-3", new DateOnly(2026, 11, 20), 0, critical: true);

            var h2Response = await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2026-H2", team = "lad-a" });
            var h2 = await Json(h2Response, HttpStatusCode.Created);
            Assert.Equal("/api/quality/tier-reviews/2026-H2.lad-a", h2Response.Headers.Location!.OriginalString);
            Assert.Equal(("promote", "keep", "demote"), (Proposal(h2, "r-1").GetProperty("outcome").GetString(),
                Proposal(h2, "r-2").GetProperty("outcome").GetString(), Proposal(h2, "r-3").GetProperty("outcome").GetString()));
            Assert.False(Rule(Proposal(h2, "r-2"), "iron", "tenure").GetProperty("met").GetBoolean());
            var demote = Proposal(h2, "r-3");
            Assert.Equal(("iron", "probation", "试用"), (demote.GetProperty("from").GetString(), demote.GetProperty("to").GetString(),
                demote.GetProperty("toName").GetString()));
            Assert.False(Rule(demote, "iron", "criticalFree").GetProperty("met").GetBoolean());
            Assert.Contains("2026-11-20", Rule(demote, "iron", "criticalFree").GetProperty("reason").GetString());

            var again = await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2026-H2", team = "lad-a" });
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);

            var rejected = await Json(await _ops.PostAsJsonAsync("/api/quality/tier-reviews/2026-H2.lad-a/agents/r-1/reject",
                new { leadId = "lead-1", reason = "十月以外没有数据，下次再评" }), HttpStatusCode.OK);
            Assert.Equal("rejected", rejected.GetProperty("status").GetString());
            var r1 = await Json(await _ops.GetAsync("/api/quality/agents/r-1/tier"), HttpStatusCode.OK);
            Assert.Equal(("probation", "试用", 0), (r1.GetProperty("tier").GetString(), r1.GetProperty("tierName").GetString(),
                r1.GetProperty("history").GetArrayLength()));

            var current = await _ops.GetAsync("/api/quality/tier-reviews/2026-H2.lad-a");
            var etag = current.Headers.ETag!;
            using (var stale = new HttpRequestMessage(HttpMethod.Post, "/api/quality/tier-reviews/2026-H2.lad-a/agents/r-3/approve")
                   { Content = JsonContent.Create(new { leadId = "lead-2", talkNotes = "x" }) })
            {
                stale.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
                Assert.Equal(HttpStatusCode.PreconditionFailed, (await _ops.SendAsync(stale)).StatusCode);
            }
            using (var fresh = new HttpRequestMessage(HttpMethod.Post, "/api/quality/tier-reviews/2026-H2.lad-a/agents/r-3/approve")
                   { Content = JsonContent.Create(new { leadId = "lead-2", talkNotes = "面谈：出现严重质检错误，降为试用，三个月后复评。" }) })
            {
                fresh.Headers.IfMatch.Add(etag);
                await Json(await _ops.SendAsync(fresh), HttpStatusCode.OK);
            }
            await Eventually.Until(() => Task.FromResult(seen.ToArray()), s => s.Any(m => m is { AgentId: "r-3", Tier: "probation" }),
                what: "AgentTierChanged probation");
            Assert.Equal(HttpStatusCode.Conflict, (await _ops.PostAsJsonAsync("/api/quality/tier-reviews/2026-H2.lad-a/agents/r-3/approve",
                new { leadId = "lead-9", talkNotes = "again" })).StatusCode);

            var r3 = await Json(await _ops.GetAsync("/api/quality/agents/r-3/tier"), HttpStatusCode.OK);
            Assert.Equal("probation", r3.GetProperty("tier").GetString());
            Assert.Equal([("probation", "iron"), ("iron", "probation")], r3.GetProperty("history").EnumerateArray()
                .Select(h => (h.GetProperty("from").GetString(), h.GetProperty("to").GetString())));
            Assert.Equal(2, r3.GetProperty("talkNotes").GetArrayLength());

            var review = await Json(await _ops.GetAsync("/api/quality/tier-reviews/2026-H2.lad-a"), HttpStatusCode.OK);
            Assert.Equal(1, review.GetProperty("pending").GetInt32()); // r-2's keep awaits its talk
            Assert.Equal((1, 1, 1), (review.GetProperty("outcomes").GetProperty("promote").GetInt32(), review.GetProperty("outcomes").GetProperty("demote").GetInt32(),
                review.GetProperty("outcomes").GetProperty("keep").GetInt32()));
            Assert.Equal(2, seen.Count(m => m.AgentId == "r-3"));
        }
        finally
        {
            await observer.StopAsync();
        }
    }

    [Fact]
    public async Task Bad_reviews_and_decisions_are_refused_with_problems()
    {
        await world.Hire("v-1", "lad-v", new DateOnly(2026, 1, 1));
        var badPeriod = await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2026-Q3" });
        Assert.Equal(HttpStatusCode.BadRequest, badPeriod.StatusCode);
        Assert.True((await badPeriod.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("period", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2027-H2" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2026-H2", team = "nobody" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/tier-reviews/2019-H1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/agents/nobody/tier")).StatusCode);

        await Json(await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2026-H2", team = "lad-v" }), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsJsonAsync("/api/quality/tier-reviews/2026-H2.lad-v/agents/r-1/approve",
            new { leadId = "lead-1", talkNotes = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.PostAsJsonAsync("/api/quality/tier-reviews/2019-H1/agents/v-1/reject",
            new { leadId = "lead-1", reason = "x" })).StatusCode);
        var noNotes = await _ops.PostAsJsonAsync("/api/quality/tier-reviews/2026-H2.lad-v/agents/v-1/approve", new { leadId = "lead-1" });
        Assert.Equal(HttpStatusCode.BadRequest, noNotes.StatusCode);
        Assert.True((await noNotes.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("talkNotes", out _));
        Assert.Equal(HttpStatusCode.Forbidden, (await world.As(Roles.Store, "store-1").GetAsync("/api/quality/agents/v-1/tier")).StatusCode);
    }

    [Fact]
    public async Task The_ladder_is_configured_as_a_whole_and_its_coefficients_show_on_each_agent()
    {
        await world.Hire("c-1", "lad-c", new DateOnly(2026, 1, 1));
        var ladder = await Json(await _ops.GetAsync("/api/quality/ladder"), HttpStatusCode.OK);
        Assert.Equal(["probation", "iron", "bronze", "silver", "gold"], ladder.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("tier").GetString()));
        Assert.Equal(["试用", "铁牌", "铜牌", "银牌", "金牌"], ladder.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        var iron = ladder.GetProperty("steps")[0];
        Assert.Equal(("iron", 2, 80.0, true), (iron.GetProperty("tier").GetString(), iron.GetProperty("minTenureMonths").GetInt32(),
            iron.GetProperty("minScore").GetDouble(), iron.GetProperty("requiresApproval").GetBoolean()));

        var steps = ladder.GetProperty("steps").EnumerateArray().Select(s => new
        {
            tier = s.GetProperty("tier").GetString(), minTenureMonths = s.GetProperty("minTenureMonths").GetInt32(),
            minScore = s.GetProperty("minScore").GetDouble(), criticalFreeDays = s.GetProperty("criticalFreeDays").GetInt32(),
            minCertifications = s.GetProperty("minCertifications").GetInt32(), requiresApproval = s.GetProperty("requiresApproval").GetBoolean(),
        }).ToList();
        var bad = await _ops.PutAsJsonAsync("/api/quality/ladder", new
        {
            steps = steps.Skip(1), payCoefficients = new { probation = 0.8, iron = 1.0, bronze = 0.9, silver = 1.2, gold = 1.5 },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("steps", out _));
        Assert.True(errors.TryGetProperty("payCoefficients.bronze", out _));

        var put = await Json(await _ops.PutAsJsonAsync("/api/quality/ladder", new
        {
            steps, payCoefficients = new { probation = 0.85, iron = 1.0, bronze = 1.1, silver = 1.25, gold = 1.5 },
        }), HttpStatusCode.OK);
        Assert.Equal(0.85, put.GetProperty("payCoefficients").GetProperty("probation").GetDouble());
        var tier = await Json(await _ops.GetAsync("/api/quality/agents/c-1/tier"), HttpStatusCode.OK);
        Assert.Equal(("probation", 0.85), (tier.GetProperty("tier").GetString(), tier.GetProperty("payCoefficient").GetDouble()));

        // Without a team the review covers everyone hired by the end of the period, each scored within their own team.
        await world.Hire("c-2", "lad-c2", new DateOnly(2026, 1, 1));
        await world.Conversations("c-2", new DateOnly(2026, 4, 1), 2);
        var everyone = await Json(await _ops.PostAsJsonAsync("/api/quality/tier-reviews", new { period = "2026-H1" }), HttpStatusCode.Created);
        Assert.Equal(("2026-H1", JsonValueKind.Null), (everyone.GetProperty("reviewId").GetString(), everyone.GetProperty("team").ValueKind));
        Assert.Equal("lad-c", Proposal(everyone, "c-1").GetProperty("team").GetString());
        var c2 = Proposal(everyone, "c-2");
        Assert.Equal(("lad-c2", "promote", 100.0, 1), (c2.GetProperty("team").GetString(), c2.GetProperty("outcome").GetString(),
            c2.GetProperty("score").GetDouble(), c2.GetProperty("monthsWithData").GetInt32()));
    }
}
