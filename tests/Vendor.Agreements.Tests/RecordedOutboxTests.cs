using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using RabbitMQ.Client;
using Vendor.Staffing;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>
/// What an ingestion publishes leaves through its own outbox table: committed while the publisher is stopped, the request's two
/// messages (the conversations for Quality, the arrivals for Staffing) wait in the table; once it runs, the arrivals reach Staffing
/// with the row's id as MessageId and their row is gone, while the conversations, for which no queue is bound (no Quality here, as
/// during a rolling update that started Agreements first), come back from RabbitMQ and stay queued until a queue is bound; a row
/// published again (a crash after publishing, before the delete) arrives with the same id and Staffing counts the conversations once.
/// </summary>
public class RecordedOutboxTests
{
    [Fact]
    public async Task Recorded_conversations_are_published_after_commit_once_and_a_republished_row_is_counted_once()
    {
        var settings = await ServiceHost<AgreementsApi>.SettingsAsync();
        var staffingSettings = await ServiceHost<StaffingApi>.SettingsAsync(busPrefix: settings["Vendor:BusPrefix"]);
        var database = settings["ConnectionStrings:Postgres"]!;
        var staffingDatabase = staffingSettings["ConnectionStrings:Postgres"]!;
        var deliveries = new DeliveryCounter();
        await using var staffing = new ServiceHost<StaffingApi>(staffingSettings,
            configure: b => b.ConfigureTestServices(s => s.AddConsumeObserver(_ => deliveries)));
        staffing.CreateClient();

        // 1. Publisher stopped: the commit leaves one row, nothing is published.
        var stopped = new Dictionary<string, string?>(settings) { ["Vendor:Outbox:Daemon"] = "Disabled" };
        await using (var agreements = new ServiceHost<AgreementsApi>(stopped))
        {
            var ops = agreements.OpsClient();
            Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "outbox-store", name = "Outbox", platform = "jd" })).StatusCode);
            var posted = await ops.PostAsJsonAsync("/api/sla/stores/outbox-store/conversations",
                new { conversations = new[] { Conversation("c-1"), Conversation("c-2"), Conversation("c-3") } });
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }
        var queued = await QueuedAsync(database);
        Assert.Equal(["ConversationArrivals", "ConversationsRecordedV2"], queued.Select(r => r.Type).Order());
        var recorded = JsonSerializer.Deserialize<Contracts.ConversationsRecordedV2>(queued.Single(r => r.Type == "ConversationsRecordedV2").Body,
            Ingestion.ConversationLedger.Json)!;
        Assert.Equal(["c-1", "c-2", "c-3"], recorded.Conversations.Select(c => c.ConversationId).Order());
        var (messageId, _, body) = queued.Single(r => r.Type == "ConversationArrivals");
        var arrivals = JsonSerializer.Deserialize<Contracts.ConversationArrivals>(body, Ingestion.ConversationLedger.Json)!;
        // 10:00 Shanghai, three conversations of 30 s each: one slot.
        Assert.Equal([new Contracts.ArrivalSlot(new DateOnly(2026, 11, 2), 600, 3, 90, 3)], arrivals.Slots);
        Assert.Empty(deliveries.RecordedIds);

        // 2. Publisher running: the arrivals published with the row's id, the row deleted, Staffing counts three; no queue is bound for
        // the conversations (no Quality here), so their row stays.
        await using (var agreements = new ServiceHost<AgreementsApi>(settings))
        {
            agreements.CreateClient();
            await Eventually.Until(() => Task.FromResult(deliveries.RecordedIds.GetValueOrDefault(messageId)), n => n == 1, what: "first delivery");
            await Eventually.Until(() => ContactsAsync(staffingDatabase), n => n == 3, what: "arrivals counted");
            var left = await Eventually.Until(() => QueuedAsync(database), rows => rows.All(r => r.Type != "ConversationArrivals"), what: "the arrivals row deleted");
            Assert.Equal("ConversationsRecordedV2", Assert.Single(left).Type);

            // More requests than a publishing round takes (16): the unroutable rows at the head do not hold up the arrivals behind them.
            var ops = agreements.OpsClient();
            for (var i = 0; i < 20; i++)
                Assert.Equal(HttpStatusCode.OK, (await ops.PostAsJsonAsync("/api/sla/stores/outbox-store/conversations",
                    new { conversations = new[] { Conversation($"more-{i}") } })).StatusCode);
            await Eventually.Until(() => ContactsAsync(staffingDatabase), n => n == 23, what: "the later arrivals counted");
            left = await Eventually.Until(() => QueuedAsync(database), rows => rows.All(r => r.Type != "ConversationArrivals"), what: "the later arrivals rows deleted");
            Assert.Equal(21, left.Count);

            // A queue bound for the conversations (Quality, deployed at last): the row goes out to it and is deleted.
            var factory = new ConnectionFactory { Uri = new Uri(settings["ConnectionStrings:RabbitMq"]!) };
            var queue = $"{settings["Vendor:BusPrefix"]}-late-quality";
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
                await channel.QueueBindAsync(queue, $"{settings["Vendor:BusPrefix"]}.Vendor.Contracts:ConversationsRecordedV2", "");
                // Each waits out its own pause (up to 30 s) before it is tried again.
                await Eventually.Until(async () => (await QueuedAsync(database)).Count, n => n == 0, TimeSpan.FromSeconds(60), "the conversations rows deleted");
                Assert.Equal(21u, await channel.MessageCountAsync(queue));
                var bodies = new List<string>();
                while (await channel.BasicGetAsync(queue, autoAck: true) is { } delivered) bodies.Add(Encoding.UTF8.GetString(delivered.Body.Span));
                Assert.Single(bodies, b => b.Contains("\"c-2\"", StringComparison.Ordinal));
                Assert.Equal(20, bodies.Count(b => b.Contains("\"more-", StringComparison.Ordinal)));
                await channel.QueueDeleteAsync(queue);
            }

            // 3. The same row again (as if the publisher had crashed before deleting it): same MessageId, dropped by Staffing.
            await RequeueAsync(database, messageId, body);
            await Eventually.Until(() => Task.FromResult(deliveries.RecordedIds.GetValueOrDefault(messageId)), n => n == 2, what: "re-delivery");
            await Eventually.Until(async () => (await QueuedAsync(database)).Count, n => n == 0, what: "the row deleted again");
        }
        Assert.Equal(21, deliveries.RecordedIds.Count);
        Assert.Equal(23, await ContactsAsync(staffingDatabase));
    }

    private static object Conversation(string id)
    {
        var start = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.FromHours(8));
        return new
        {
            conversationId = id, channel = "chat", kind = "presales",
            messages = new object[]
            {
                new { at = start.ToString("o"), from = "customer", text = "在吗？" },
                new { at = start.AddSeconds(30).ToString("o"), from = "agent", agentId = "a-1", text = "亲，在的" },
            },
        };
    }

    private static async Task<List<(Guid Id, string Type, byte[] Body)>> QueuedAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT message_id, message_type, body FROM agreements.recorded_outbox ORDER BY position", connection);
        var rows = new List<(Guid, string, byte[])>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
        return rows;
    }

    private static async Task RequeueAsync(string database, Guid messageId, byte[] body)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO agreements.recorded_outbox (message_id, message_type, store_id, body) VALUES ($1, 'ConversationArrivals', 'outbox-store', $2)", connection)
        {
            Parameters = { new() { Value = messageId }, new() { Value = body } },
        };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ContactsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(sum(contacts), 0)::bigint FROM staffing.demand WHERE store_id = 'outbox-store'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
