using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Vendor.Quality.Agents;
using Vendor.Quality.Reviews;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

/// <summary>A clock the test moves (the host's TimeProvider and the gateway signature both read it).</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The Quality host with its clock on 2027-01-05 (after 2026-H2 ended), and helpers that write what other features would.</summary>
public sealed class QualityWorld : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2027, 1, 5, 2, 0, 0, TimeSpan.Zero);
    private ServiceHost<QualityApi> _factory = null!;

    public TestClock Clock { get; } = new(Start);
    public WebApplicationFactory<QualityApi> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _factory = new ServiceHost<QualityApi>(await ServiceHost<QualityApi>.SettingsAsync());
        Host = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock)));
        Host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _factory.DisposeAsync();
    }

    public HttpClient As(string role, string? storeId = null) => Host.CreateDefaultClient(new GatewaySigningHandler(
        new CallerIdentity("test", role, storeId), ServiceHost<QualityApi>.GatewaySecret, () => Clock.GetUtcNow()));

    public HttpClient Ops() => As(Roles.Ops);

    private IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    public async Task Hire(string agentId, string team, DateOnly hiredOn)
    {
        await using var session = Store.LightweightSession();
        session.Events.StartStream<QualityAgent>(QualityAgent.StreamKey(agentId),
            new AgentJoined(agentId, $"客服{agentId}", team, ["presales"], hiredOn, Clock.GetUtcNow()));
        await session.SaveChangesAsync();
    }

    /// <summary>Rows as the sampling consumer writes them: <paramref name="count"/> conversations of the agent on the date.</summary>
    public async Task Conversations(string agentId, DateOnly date, int count, string kind = "presales", double? firstResponse = 15,
        double response = 25, string? rating = "satisfied", bool converted = true)
    {
        await using var connection = new NpgsqlConnection(Host.Services.GetRequiredService<IConfiguration>().GetConnectionString("Postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO quality.agent_conversations (store_id, conversation_id, agent_id, revision, local_date, started_at, channel, kind,
                message_count, first_response_seconds, response_seconds_sum, response_count, missed, slow, resolved, rating, converted, decided_at)
            SELECT 'store-1', $1 || '-' || $2::text || '-' || $3 || '-' || g, $1, 1, $2, now(), 'chat', $3, 4, $4, $5 * 2, 2, $4 IS NULL, false,
                true, $6, $7, now()
            FROM generate_series(1, $8) g
            """, connection)
        {
            Parameters =
            {
                new() { Value = agentId }, new() { Value = date }, new() { Value = kind },
                new() { Value = (object?)firstResponse ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double }, new() { Value = response },
                new() { Value = (object?)rating ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text }, new() { Value = converted }, new() { Value = count },
            },
        };
        await command.ExecuteNonQueryAsync();
    }

    public async Task Review(string reviewId, string agentId, DateOnly date, double score, bool critical = false)
    {
        await using var session = Store.LightweightSession();
        session.Events.StartStream<QcReview>(QcReview.StreamKey(reviewId), new ReviewCompleted(reviewId, "store-1", $"c-{reviewId}", agentId, date,
            "inspector-1", "rubric-1", 1, [], critical ? ["rude"] : [], score, critical, null, Clock.GetUtcNow()));
        await session.SaveChangesAsync();
    }

    /// <summary>The agent disputes, a senior inspector overturns: the corrected score is the one in force.</summary>
    public async Task Overturn(string reviewId, string agentId, double score)
    {
        await using var session = Store.LightweightSession();
        session.Events.Append(QcReview.StreamKey(reviewId),
            new ReviewDisputed(reviewId, agentId, "话术符合规范", Clock.GetUtcNow()),
            new ReviewOverturned(reviewId, "store-1", $"c-{reviewId}", agentId, "senior-1", "申诉成立", [], [], score, false, 2, Clock.GetUtcNow()));
        await session.SaveChangesAsync();
    }
}

public class ScorecardApiTests(QualityWorld world) : IClassFixture<QualityWorld>
{
    private readonly HttpClient _ops = world.Ops();

    private static readonly DateOnly Nov2 = new(2026, 11, 2);

    private static JsonElement Kpi(JsonElement card, string kpi) =>
        card.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("kpis").EnumerateArray()).Single(k => k.GetProperty("kpi").GetString() == kpi);

    private async Task<JsonElement> Get(string url)
    {
        var response = await _ops.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task The_agent_scorecard_is_made_of_the_months_conversations_and_reviews_and_follows_an_overturned_review()
    {
        await world.Hire("sc-1", "sc-team", new DateOnly(2026, 1, 1));
        await world.Hire("sc-2", "sc-team", new DateOnly(2026, 1, 1));
        await world.Conversations("sc-1", Nov2, 4); // presales, 15 s first response, 25 s responses, satisfied, converted
        await world.Conversations("sc-1", Nov2, 2, kind: "aftersales", rating: null, converted: false);
        await world.Conversations("sc-1", new DateOnly(2026, 10, 31), 50); // another month: not counted
        await world.Conversations("sc-2", Nov2, 2, kind: "aftersales", response: 105, rating: "unsatisfied", converted: false);
        await world.Review("sc-r1", "sc-1", new DateOnly(2026, 11, 3), 75);

        var card = await Get("/api/quality/agents/sc-1/scorecard?month=2026-11");
        Assert.Equal(("sc-1", "sc-team", "2026-11", 115.0), (card.GetProperty("agentId").GetString(), card.GetProperty("team").GetString(),
            card.GetProperty("month").GetString(), card.GetProperty("max").GetDouble()));
        Assert.Equal(JsonValueKind.Null, card.GetProperty("weightsEffectiveFrom").ValueKind);
        Assert.Equal((6, 1, 4), (card.GetProperty("basis").GetProperty("conversations").GetInt32(), card.GetProperty("basis").GetProperty("reviews").GetInt32(),
            card.GetProperty("basis").GetProperty("ratings").GetInt32()));
        Assert.Equal(6, Kpi(card, "conversations").GetProperty("actual").GetDouble());
        Assert.Equal(4, Kpi(card, "conversations").GetProperty("target").GetDouble()); // the team's mean: (6 + 2) / 2
        Assert.Equal(15, Kpi(card, "conversations").GetProperty("points").GetDouble());
        Assert.Equal(15, Kpi(card, "inquiries").GetProperty("points").GetDouble()); // 4 against a mean of 2 (sc-2 has none): capped
        Assert.Equal(75, Kpi(card, "qcScore").GetProperty("actual").GetDouble());
        Assert.Equal(10, Kpi(card, "qcScore").GetProperty("points").GetDouble());
        Assert.Equal(1, Kpi(card, "inquiryConversionRate").GetProperty("actual").GetDouble());
        Assert.Equal(105, card.GetProperty("total").GetDouble());
        Assert.Equal(["workload", "efficiency", "attitude", "return"],
            card.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group").GetString()));

        var other = await Get("/api/quality/agents/sc-2/scorecard?month=2026-11");
        Assert.Equal(7.5, Kpi(other, "conversations").GetProperty("points").GetDouble()); // 2 of a mean of 4
        Assert.Equal(7.5, Kpi(other, "responseSeconds").GetProperty("points").GetDouble()); // 105 s: half-way from 180 to 30
        Assert.Equal(JsonValueKind.Null, Kpi(other, "qcScore").GetProperty("points").ValueKind); // not reviewed: left out
        Assert.Equal(0, Kpi(other, "satisfactionRate").GetProperty("points").GetDouble());

        await world.Overturn("sc-r1", "sc-1", 90);
        var corrected = await Get("/api/quality/agents/sc-1/scorecard?month=2026-11");
        Assert.Equal(90, Kpi(corrected, "qcScore").GetProperty("actual").GetDouble());
        Assert.Equal(115, corrected.GetProperty("total").GetDouble());

        var team = await Get("/api/quality/teams/sc-team/scorecard?month=2026-11");
        var members = team.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(["sc-1", "sc-2"], members.Select(m => m.GetProperty("agentId").GetString()));
        Assert.Equal([1, 2], members.Select(m => m.GetProperty("rank").GetInt32()));
        Assert.Equal("客服sc-1", members[0].GetProperty("name").GetString());
        Assert.Equal(Math.Round((115 + other.GetProperty("total").GetDouble()) / 2, 2), team.GetProperty("averageTotal").GetDouble());
        Assert.Equal(4, team.GetProperty("groups").GetArrayLength());
    }

    [Fact]
    public async Task Weights_set_from_a_date_apply_to_that_month_on_and_are_kept_as_history()
    {
        await world.Hire("w-1", "w-team", new DateOnly(2026, 1, 1));
        await world.Conversations("w-1", new DateOnly(2026, 10, 5), 3, kind: "aftersales", converted: false);
        await world.Conversations("w-1", new DateOnly(2026, 11, 5), 3, kind: "aftersales", converted: false);

        var initial = await _ops.GetAsync("/api/quality/teams/w-team/weights");
        Assert.Equal("\"0\"", initial.Headers.ETag!.Tag);
        var body = new
        {
            effectiveFrom = "2026-11-15",
            kpis = new object[]
            {
                new { kpi = "conversations", weight = 35 }, new { kpi = "responseSeconds", weight = 40, target = 20, floor = 60 },
                new { kpi = "satisfactionRate", weight = 40 },
            },
        };
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/quality/teams/w-team/weights") { Content = JsonContent.Create(body) };
        put.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"0\""));
        var response = await _ops.SendAsync(put);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"1\"", response.Headers.ETag!.Tag);

        using var stale = new HttpRequestMessage(HttpMethod.Put, "/api/quality/teams/w-team/weights") { Content = JsonContent.Create(body) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"0\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _ops.SendAsync(stale)).StatusCode);

        var weights = await Get("/api/quality/teams/w-team/weights");
        var version = Assert.Single(weights.GetProperty("versions").EnumerateArray());
        Assert.Equal("2026-11-15", version.GetProperty("effectiveFrom").GetString());
        Assert.Equal(8, version.GetProperty("kpis").GetArrayLength());
        Assert.Equal(8, weights.GetProperty("defaults").GetArrayLength());

        var november = await Get("/api/quality/agents/w-1/scorecard?month=2026-11");
        Assert.Equal("2026-11-15", november.GetProperty("weightsEffectiveFrom").GetString());
        Assert.Equal(35, Kpi(november, "responseSeconds").GetProperty("points").GetDouble()); // 25 s against 20/60: 40 × 35/40
        Assert.Equal(Math.Round((35 + 35 + 40) * 115 / 115.0, 2), november.GetProperty("total").GetDouble());
        var october = await Get("/api/quality/agents/w-1/scorecard?month=2026-10");
        Assert.Equal(JsonValueKind.Null, october.GetProperty("weightsEffectiveFrom").ValueKind);
        Assert.Equal(15, Kpi(october, "responseSeconds").GetProperty("points").GetDouble()); // the defaults: 25 s is within 30 s
    }

    [Fact]
    public async Task Bad_weights_are_a_400_naming_each_field()
    {
        var response = await _ops.PutAsJsonAsync("/api/quality/teams/w-team/weights", new
        {
            effectiveFrom = "2026-12-01",
            kpis = new object[] { new { kpi = "smiles", weight = 15 }, new { kpi = "qcScore", weight = 50, target = 50, floor = 80 } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("kpis[0].kpi", out _));
        Assert.True(errors.TryGetProperty("kpis[1]", out _));

        var total = await _ops.PutAsJsonAsync("/api/quality/teams/w-team/weights", new
        {
            effectiveFrom = "2026-12-01", kpis = new object[] { new { kpi = "qcScore", weight = 100 } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, total.StatusCode);
        Assert.Contains("115", (await total.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("kpis")[0].GetString());

        var noDate = await _ops.PutAsJsonAsync("/api/quality/teams/w-team/weights", new { kpis = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, noDate.StatusCode);
        var malformed = await _ops.PutAsync("/api/quality/teams/w-team/weights",
            new StringContent("""{"effectiveFrom":"soon","kpis":[]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Bad_months_unknown_agents_and_teams_and_other_roles_are_refused()
    {
        await world.Hire("x-1", "x-team", new DateOnly(2026, 1, 1));
        var noMonth = await _ops.GetAsync("/api/quality/agents/x-1/scorecard");
        Assert.Equal(HttpStatusCode.BadRequest, noMonth.StatusCode);
        Assert.True((await noMonth.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("month", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await _ops.GetAsync("/api/quality/teams/x-team/scorecard?month=2026-13")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/agents/nobody/scorecard?month=2026-11")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _ops.GetAsync("/api/quality/teams/no-team/scorecard?month=2026-11")).StatusCode);
        var empty = await Get("/api/quality/agents/x-1/scorecard?month=2026-11");
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("total").ValueKind);
        Assert.Equal(HttpStatusCode.Forbidden, (await world.As(Roles.Store, "store-1").GetAsync("/api/quality/agents/x-1/scorecard?month=2026-11")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await world.As(Roles.Store, "store-1").PutAsJsonAsync("/api/quality/teams/x-team/weights", new { })).StatusCode);
    }
}
