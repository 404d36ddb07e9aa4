using System.Net;
using System.Net.Http.Json;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;
using Vendor.Staffing;
using Vendor.Staffing.Stores;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>
/// The event store is the outbox: every committed StoreOnboarded reaches Staffing exactly once, also when the
/// publisher is stopped between commit and publish, and when it crashes after publishing but before it recorded
/// its progress (the same MessageIds are published again and the consumer drops them).
/// </summary>
public class OutboxTests
{
    private const int Stores = 25;

    [Fact]
    public async Task Committed_events_are_published_exactly_once_across_a_stop_and_a_crash_before_progress_is_saved()
    {
        var settings = await ServiceHost<AgreementsApi>.SettingsAsync();
        var staffingSettings = await ServiceHost<StaffingApi>.SettingsAsync(busPrefix: settings["Vendor:BusPrefix"]);
        var deliveries = new DeliveryCounter();
        await using var staffing = new ServiceHost<StaffingApi>(staffingSettings);
        using var staffingHost = staffing.WithWebHostBuilder(b =>
            b.ConfigureTestServices(s => s.AddConsumeObserver(_ => deliveries)));
        staffingHost.CreateClient(); // start the consumer

        // 1. Commit with the publisher stopped: nothing is published.
        var stopped = new Dictionary<string, string?>(settings) { ["Vendor:Outbox:Daemon"] = "Disabled" };
        await using (var agreements = new ServiceHost<AgreementsApi>(stopped))
        {
            var client = agreements.OpsClient();
            for (var i = 0; i < Stores; i++)
            {
                var response = await client.PostAsJsonAsync("/api/sla/stores",
                    new { storeId = $"store-{i}", name = $"Store {i}", platform = "taobao" });
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }
        }
        Assert.Empty(deliveries.Ids);
        var eventIds = await StoreOnboardedEventIds(settings["ConnectionStrings:Postgres"]!);
        Assert.Equal(Stores, eventIds.Count);

        // 2. Start the publisher: everything committed is published, MessageId = Marten event id.
        await using (var agreements = new ServiceHost<AgreementsApi>(settings))
        {
            agreements.CreateClient();
            await Eventually.Until(() => Task.FromResult(deliveries.Ids.Count), n => n == Stores, what: "first deliveries");
            await Eventually.Until(() => OutboxProgress(settings["ConnectionStrings:Postgres"]!), p => p >= Stores, what: "progress");
        }
        Assert.Equal(eventIds.Order(), deliveries.Ids.Keys.Order());

        // 3. Crash after publishing, before the progress was saved: rewind progress, restart, same ids come again.
        await RewindOutbox(settings["ConnectionStrings:Postgres"]!);
        await using (var agreements = new ServiceHost<AgreementsApi>(settings))
        {
            agreements.CreateClient();
            await Eventually.Until(() => Task.FromResult(deliveries.Ids.Values.Count(n => n >= 2)), n => n == Stores,
                what: "re-deliveries");
        }

        // Staffing counted each store once.
        var stores = await Eventually.Until(
            () => staffingHost.Services.GetRequiredService<IDocumentStore>().QuerySession().Query<StaffedStore>().ToListAsync(),
            s => s.Count == Stores, what: "staffed stores");
        Assert.Equal(Stores, stores.Select(s => s.StoreId).Distinct().Count());
        await using var session = staffingHost.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.QueryAllRawEvents().Where(e => e.EventTypeName == "store.registered.v1").CountAsync();
        Assert.Equal(Stores, events);
        var processed = await session.Query<ProcessedMessage>().CountAsync();
        Assert.Equal(Stores, processed);
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

    private static async Task<long> OutboxProgress(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT coalesce(max(last_seq_id), 0) FROM agreements.mt_event_progression WHERE name LIKE '{OutboxPublisher.SubscriptionName}%'",
            connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task RewindOutbox(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"UPDATE agreements.mt_event_progression SET last_seq_id = 0 WHERE name LIKE '{OutboxPublisher.SubscriptionName}%'",
            connection);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
