using System.Net;
using System.Net.Http.Json;
using Marten;
using Microsoft.AspNetCore.Http;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Stores;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

public class StaffingApiTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private readonly ServiceHost<StaffingApi> _host = fixture.Host;

    [Fact]
    public async Task Hiring_answers_201_then_200_for_the_same_body_and_409_for_a_different_one()
    {
        var client = _host.OpsClient();
        var body = new { agentId = "a-201", name = "李强", team = "jd-aftersales", skills = new[] { "aftersales" }, hiredOn = "2026-11-15" };

        var created = await client.PostAsJsonAsync("/api/staffing/agents", body);
        var again = await client.PostAsJsonAsync("/api/staffing/agents", body);
        var different = await client.PostAsJsonAsync("/api/staffing/agents", body with { team = "other" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/staffing/agents/a-201", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, different.StatusCode);
        Assert.Equal("application/problem+json", different.Content.Headers.ContentType!.MediaType);
        var agent = await client.GetFromJsonAsync<AgentView>("/api/staffing/agents/a-201");
        Assert.Equal(("a-201", "李强", "jd-aftersales", new DateOnly(2026, 11, 15), "active"),
            (agent!.AgentId, agent.Name, agent.Team, agent.HiredOn, agent.Status));
        Assert.Equal(["aftersales"], agent.Skills);
    }

    [Fact]
    public async Task Bad_input_is_a_400_problem_and_stores_nothing()
    {
        var client = _host.OpsClient();

        var invalid = await client.PostAsJsonAsync("/api/staffing/agents", new { agentId = "a-bad", skills = new[] { "x" } });
        var malformed = await client.PostAsync("/api/staffing/agents", new StringContent("{not json", null, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"skills\"", await invalid.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/staffing/agents/a-bad")).StatusCode);
    }

    [Fact]
    public async Task Calls_without_the_gateway_signature_or_with_a_forged_one_are_refused()
    {
        var direct = _host.CreateClient();
        var forged = _host.CreateDefaultClient(new GatewaySigningHandler(new("k", Roles.Ops, null), "not-the-secret-0123456789"));
        var stale = _host.CreateDefaultClient(new GatewaySigningHandler(new("k", Roles.Ops, null), ServiceHost<StaffingApi>.GatewaySecret,
            () => DateTimeOffset.UtcNow.AddMinutes(-5)));
        // Headers signed for one route do not open another.
        var signedElsewhere = new HeaderDictionary();
        GatewayHeaders.Write(signedElsewhere, ServiceHost<StaffingApi>.GatewaySecret, new("k", Roles.Ops, null), DateTimeOffset.UtcNow,
            "GET", "/api/staffing/stores");
        var replay = new HttpRequestMessage(HttpMethod.Get, "/api/staffing/agents");
        foreach (var (name, value) in signedElsewhere) replay.Headers.Add(name, value.ToString());

        Assert.Equal(HttpStatusCode.Unauthorized, (await direct.GetAsync("/api/staffing/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/staffing/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stale.GetAsync("/api/staffing/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await direct.SendAsync(replay)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _host.OpsClient().GetAsync("/api/staffing/agents")).StatusCode);
    }

    [Fact]
    public async Task Store_and_ingest_keys_may_not_use_staffing()
    {
        var store = _host.ClientAs(new CallerIdentity("k-store", Roles.Store, "acme"));

        var response = await store.GetAsync("/api/staffing/stores");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_redelivered_store_onboarded_message_registers_the_store_once()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        var message = new Contracts.StoreOnboarded("s-redeliver", "店", "douyin", "Asia/Shanghai", DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();

        await bus.Publish(message, c => c.MessageId = messageId);
        await bus.Publish(message, c => c.MessageId = messageId);
        await bus.Publish(message, c => c.MessageId = Guid.NewGuid()); // the same store from another message

        var store = _host.Services.GetRequiredService<IDocumentStore>();
        await Eventually.Until(async () =>
        {
            await using var session = store.QuerySession();
            return await session.Query<ProcessedMessage>().CountAsync(m => m.MessageType == nameof(Contracts.StoreOnboarded));
        }, n => n >= 2, what: "both message ids handled");
        await using var query = store.QuerySession();
        var events = await query.Events.FetchStreamAsync(StaffedStore.StreamKey("s-redeliver"));
        Assert.Single(events);
        var listed = await _host.OpsClient().GetFromJsonAsync<List<Dictionary<string, object>>>("/api/staffing/stores");
        Assert.Single(listed!, s => s["storeId"].ToString() == "s-redeliver");
    }
}
