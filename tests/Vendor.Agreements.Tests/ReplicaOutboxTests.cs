using System.Net;
using System.Net.Http.Json;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.Staffing;
using Vendor.Staffing.Stores;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>
/// Two Agreements instances on one database (the Marten daemon in HotCold: one runs the outbox subscription) and two Staffing
/// instances on the same broker prefix (so the same queue names: competing consumers). Each committed StoreOnboarded is published
/// once while both run, wherever it was written; after the leading Agreements instance stops, the other publishes what follows;
/// each message is consumed by one Staffing instance, and Staffing holds each store once.
/// </summary>
public class ReplicaOutboxTests
{
    private const int PerPhase = 20;

    [Fact]
    public async Task The_outbox_publishes_once_from_one_of_two_instances_fails_over_and_the_consumers_compete()
    {
        var settings = await ServiceHost<AgreementsApi>.SettingsAsync();
        var staffingSettings = await ServiceHost<StaffingApi>.SettingsAsync(busPrefix: settings["Vendor:BusPrefix"]);
        var (toFirst, toSecond) = (new DeliveryCounter(), new DeliveryCounter());
        await using var staffing1 = new ServiceHost<StaffingApi>(staffingSettings, configure: b => b.ConfigureTestServices(s => s.AddConsumeObserver(_ => toFirst)));
        await using var staffing2 = new ServiceHost<StaffingApi>(staffingSettings, configure: b => b.ConfigureTestServices(s => s.AddConsumeObserver(_ => toSecond)));
        staffing1.CreateClient();
        staffing2.CreateClient();
        int Delivered(Guid id) => toFirst.Ids.GetValueOrDefault(id) + toSecond.Ids.GetValueOrDefault(id);
        var database = settings["ConnectionStrings:Postgres"]!;

        // The first instance publishes before the second starts, so it is the one leading the daemon.
        await using var leader = new ServiceHost<AgreementsApi>(settings);
        await using var follower = new ServiceHost<AgreementsApi>(settings);
        await Onboard(leader.OpsClient(), "first-0");
        await Eventually.Until(() => Task.FromResult(toFirst.Ids.Count + toSecond.Ids.Count), n => n == 1, what: "the leader publishing");
        follower.CreateClient();

        // Both running: stores written through either instance are published once each.
        for (var i = 1; i < PerPhase; i++) await Onboard(i % 2 == 0 ? leader.OpsClient() : follower.OpsClient(), $"first-{i}");
        var firstIds = await StoreOnboardedEventIds(database);
        Assert.Equal(PerPhase, firstIds.Count);
        await Eventually.Until(() => Task.FromResult(firstIds.Count(id => Delivered(id) > 0)), n => n == PerPhase, what: "the first phase published");
        Assert.All(firstIds, id => Assert.Equal(1, Delivered(id)));
        // One queue per consumer, shared by both Staffing instances: each message went to one of them, and both took some.
        Assert.True(toFirst.Ids.Count > 0 && toSecond.Ids.Count > 0, $"split {toFirst.Ids.Count}/{toSecond.Ids.Count}");
        Assert.Empty(toFirst.Ids.Keys.Intersect(toSecond.Ids.Keys));

        // The leader stops mid-stream: what follows is written through and published by the other.
        var stopping = leader.DisposeAsync().AsTask();
        for (var i = 0; i < PerPhase; i++) await Onboard(follower.OpsClient(), $"second-{i}");
        await stopping;
        var allIds = await StoreOnboardedEventIds(database);
        Assert.Equal(2 * PerPhase, allIds.Count);
        await Eventually.Until(() => Task.FromResult(allIds.Count(id => Delivered(id) > 0)), n => n == 2 * PerPhase, TimeSpan.FromSeconds(30),
            "the second phase published by the remaining instance");
        // A hand-over may re-publish at most the batch in flight (same MessageIds); the consumer drops those.
        Assert.All(firstIds, id => Assert.Equal(1, Delivered(id)));

        await using var session = staffing1.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var stores = await Eventually.Until(() => session.Query<StaffedStore>().ToListAsync(), s => s.Count == 2 * PerPhase, what: "staffed stores");
        Assert.Equal(2 * PerPhase, stores.Select(s => s.StoreId).Distinct().Count());
        Assert.Equal(2 * PerPhase, await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "store.registered.v1").CountAsync());
    }

    private static async Task Onboard(HttpClient client, string storeId)
    {
        var response = await client.PostAsJsonAsync("/api/sla/stores", new { storeId, name = $"Store {storeId}", platform = "taobao" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task<List<Guid>> StoreOnboardedEventIds(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id FROM agreements.mt_events WHERE type = 'store.onboarded.v1'", connection);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }
}
