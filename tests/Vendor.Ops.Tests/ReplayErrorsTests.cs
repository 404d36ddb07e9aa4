using System.Text;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using Vendor.Ops.ErrorQueues;
using Vendor.Testing;

namespace Vendor.Ops.Tests;

/// <summary>
/// ./vendor replay-errors against the real broker and Staffing's real consumer: a message its consumer cannot handle
/// yet is parked in the _error queue after the retries, explained by --list (which moves nothing), and, once the
/// condition is fixed, replayed and counted exactly once, also when a replay is cut off and run again.
/// </summary>
public class ReplayErrorsTests
{
    private static async Task<(int Code, string Output)> Run(params string[] args) => await Run(null, args);

    private static async Task<(int Code, string Output)> Run(Func<ParkedMessage, Task>? beforeAck, params string[] args)
    {
        var output = new StringWriter();
        var code = await ReplayErrorsCommand.RunAsync(args, output, beforeAck: beforeAck);
        return (code, output.ToString());
    }

    [Fact]
    public async Task A_parked_message_is_explained_listed_without_moving_and_replayed_once_the_condition_is_fixed()
    {
        await using var staffing = await ParkingStaffing.StartAsync();
        var broker = staffing.Broker.ToString();
        var id = Guid.NewGuid();
        await staffing.PublishCalendarChangeAsync("later-store", id);

        var parked = await staffing.WaitParkedAsync(staffing.CalendarErrorQueue, 1);
        var message = Assert.Single(parked.Messages);
        Assert.Equal(ParkedKind.Error, parked.Kind);
        Assert.Equal(id.ToString(), message.MessageId);
        Assert.Equal("Vendor.Contracts.StoreCalendarChanged", message.MessageType);
        Assert.Equal("System.InvalidOperationException", message.ExceptionType);
        Assert.Contains("'store:later-store' does not exist (yet)", message.ExceptionMessage);
        Assert.Equal("Vendor.Staffing.Stores.StoreCalendarChangedConsumer", message.Consumer);
        Assert.Equal(staffing.CalendarQueue, message.InputQueue);
        Assert.NotNull(message.FaultedAt);
        Assert.NotNull(message.SentAt);
        Assert.True(message.RetryCount > 0);

        // --list explains (no stack trace unless asked) and changes nothing, however often it runs.
        for (var i = 0; i < 2; i++)
        {
            var (code, listed) = await Run("--list", "--queue", staffing.CalendarQueue, "--rabbitmq", broker);
            Assert.Equal(0, code);
            Assert.Contains($"{staffing.CalendarErrorQueue}: 1 message(s), failed after retries", listed);
            Assert.Contains($"Vendor.Contracts.StoreCalendarChanged  id {id}", listed);
            Assert.Contains("consumer: Vendor.Staffing.Stores.StoreCalendarChangedConsumer", listed);
            Assert.Contains("reason:   System.InvalidOperationException: 'store:later-store' does not exist (yet)", listed);
            Assert.DoesNotContain(" at Vendor.", listed);
            Assert.Contains("--list: nothing moved", listed);
            Assert.Equal(1, await staffing.ParkedCountAsync(staffing.CalendarErrorQueue));
        }
        var (_, withStack) = await Run("--list", "--stack", "--queue", staffing.CalendarErrorQueue, "--rabbitmq", broker);
        Assert.Contains("at Vendor.ServiceDefaults.Streams.FetchExistingAsync", withStack);
        Assert.Equal(0, await staffing.CalendarUpdatesAsync("later-store"));
        Assert.Empty(staffing.CalendarChangesConsumed);

        await staffing.OnboardAsync("later-store");
        var (replayCode, replayed) = await Run("--queue", staffing.CalendarQueue, "--rabbitmq", broker);
        Assert.Equal(0, replayCode);
        Assert.Contains($"{staffing.CalendarErrorQueue}: replayed 1, could not replay 0", replayed);

        await Eventually.Until(() => staffing.CalendarUpdatesAsync("later-store"), n => n > 0, what: "the replayed calendar change applied");
        await Eventually.Until(() => Task.FromResult(staffing.CalendarChangesConsumed.Count), n => n > 0, what: "the replayed message consumed");
        // Same message id, the fault headers gone, consumed once, nothing left parked.
        var consumed = Assert.Single(staffing.CalendarChangesConsumed);
        Assert.Equal((id, false), consumed);
        Assert.Equal(1, await staffing.CalendarUpdatesAsync("later-store"));
        Assert.Equal(0, await staffing.ParkedCountAsync(staffing.CalendarErrorQueue));

        var (cleanCode, clean) = await Run("--queue", staffing.CalendarQueue, "--rabbitmq", broker);
        Assert.Equal(0, cleanCode);
        Assert.Contains("no messages in error queues", clean);
    }

    [Fact]
    public async Task A_replay_cut_off_after_the_confirmed_republish_and_run_again_counts_the_message_once()
    {
        await using var staffing = await ParkingStaffing.StartAsync();
        var broker = staffing.Broker.ToString();
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid() };
        await staffing.PublishCalendarChangeAsync("cut-store", ids[0]);
        await staffing.PublishCalendarChangeAsync("cut-store", ids[1]);
        await staffing.WaitParkedAsync(staffing.CalendarErrorQueue, 2);
        await staffing.OnboardAsync("cut-store");

        // The tool dies after the first republish was confirmed, before its parked copy was acknowledged.
        string? cut = null;
        await Assert.ThrowsAsync<SimulatedCrash>(() =>
            Run(m => { cut = m.MessageId; throw new SimulatedCrash(); }, "--queue", staffing.CalendarErrorQueue, "--rabbitmq", broker));
        Assert.Contains(cut, ids.Select(i => i.ToString()));
        await Eventually.Until(() => Task.FromResult(staffing.CalendarChangesConsumed.Count), n => n == 1, what: "the first republished copy consumed");
        // Nothing was lost: both messages are still parked (the first one is now in both places).
        Assert.Equal(2, await staffing.ParkedCountAsync(staffing.CalendarErrorQueue));

        var (code, output) = await Run("--queue", staffing.CalendarErrorQueue, "--rabbitmq", broker);
        Assert.Equal(0, code);
        Assert.Contains("replayed 2, could not replay 0", output);
        await Eventually.Until(() => Task.FromResult(staffing.CalendarChangesConsumed.Count), n => n == 3, what: "all three deliveries consumed");
        Assert.Equal(0, await staffing.ParkedCountAsync(staffing.CalendarErrorQueue));

        // The message cut off mid-replay arrived twice and was counted once; the other once.
        var deliveries = staffing.CalendarChangesConsumed.GroupBy(c => c.MessageId.ToString()).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(2, deliveries[cut!]);
        Assert.Equal(1, deliveries[ids.Select(i => i.ToString()).Single(i => i != cut)]);
        Assert.Equal(2, await staffing.CalendarUpdatesAsync("cut-store"));
        Assert.DoesNotContain(staffing.CalendarChangesConsumed, c => c.HadFaultHeaders);
    }

    [Fact]
    public async Task Listing_by_prefix_finds_error_and_skipped_queues_and_a_message_without_its_queue_stays_parked_with_exit_code_1()
    {
        await using var staffing = await ParkingStaffing.StartAsync();
        var broker = staffing.Broker.ToString();
        await staffing.PublishCalendarChangeAsync("never-store", Guid.NewGuid());
        // A type the calendar queue has no consumer for: MassTransit moves it to <queue>_skipped.
        var skippedId = Guid.NewGuid();
        var send = await staffing.Services.GetRequiredService<IBus>().GetSendEndpoint(new Uri($"queue:{staffing.CalendarQueue}"));
        await send.Send(new Contracts.StoreFeedbackSettled("fb-1", "never-store", DateTimeOffset.UnixEpoch), c => c.MessageId = skippedId);
        await staffing.WaitParkedAsync(staffing.CalendarErrorQueue, 1);
        await staffing.WaitParkedAsync(staffing.CalendarQueue + ErrorQueueClient.SkippedSuffix, 1);

        // The queue list comes from rabbitmqctl on the local node (the management plugin is not enabled).
        var (code, listed) = await Run("--list", "--prefix", staffing.Prefix, "--rabbitmq", broker);
        Assert.Equal(0, code);
        Assert.Contains($"{staffing.CalendarErrorQueue}: 1 message(s), failed after retries", listed);
        Assert.Contains($"{staffing.CalendarQueue}_skipped: 1 message(s), no consumer for their type (skipped)", listed);
        Assert.Contains($"Vendor.Contracts.StoreFeedbackSettled  id {skippedId}", listed);
        Assert.Contains("a replay helps only once a consumer of their type listens on that queue", listed);
        Assert.Contains("2 parked message(s) in 2 queue(s)", listed);

        // An error queue whose input queue no longer exists: the message cannot go back, so it stays, and the exit code says so.
        var orphan = $"{staffing.Prefix}-retired-consumer_error";
        var factory = new ConnectionFactory { Uri = staffing.Broker };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(orphan, durable: false, exclusive: false, autoDelete: false);
            await channel.BasicPublishAsync("", orphan, mandatory: false,
                new BasicProperties { MessageId = "orphan-1", Headers = new Dictionary<string, object?> { ["MT-Fault-Message"] = "gone"u8.ToArray() } },
                Encoding.UTF8.GetBytes("{}"));
        }
        var (orphanCode, orphanOutput) = await Run("--queue", orphan, "--rabbitmq", broker);
        Assert.Equal(1, orphanCode);
        Assert.Contains($"not replayed: orphan-1 from {orphan} to {staffing.Prefix}-retired-consumer: no queue", orphanOutput);
        Assert.Equal(1, await staffing.ParkedCountAsync(orphan));

        // The parked calendar change stays where it was: the orphan's replay touched no other queue.
        Assert.Equal(1, await staffing.ParkedCountAsync(staffing.CalendarErrorQueue));
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
            await channel.QueueDeleteAsync(orphan);
    }

    [Fact]
    public async Task A_replayed_message_keeps_its_id_body_and_headers_and_loses_the_fault_headers_in_the_queue_its_fault_names()
    {
        var broker = new Uri(await TestServers.RabbitMqAsync());
        var prefix = $"t{Guid.NewGuid():N}"[..12];
        // The fault names the input queue; the error queue's own name would point elsewhere.
        var input = $"{prefix}-renamed-input";
        var parked = $"{prefix}-old-name_error";
        var factory = new ConnectionFactory { Uri = broker };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            await channel.QueueDeclareAsync(input, durable: false, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync(parked, durable: false, exclusive: false, autoDelete: false);
            var body = """{"messageId":"m-1","messageType":["urn:message:Vendor.Contracts:AgentHired"],"sentTime":"2026-12-01T08:00:00Z","message":{}}""";
            await channel.BasicPublishAsync("", parked, mandatory: false, new BasicProperties
            {
                MessageId = "m-1",
                CorrelationId = "c-1",
                ContentType = "application/vnd.masstransit+json",
                Persistent = true,
                Headers = new Dictionary<string, object?>
                {
                    ["MT-Activity-Id"] = "00-trace-span-01"u8.ToArray(),
                    ["MT-Reason"] = "fault"u8.ToArray(),
                    ["MT-Host-MachineName"] = "vm"u8.ToArray(),
                    ["MT-Fault-InputAddress"] = Encoding.UTF8.GetBytes($"rabbitmq://127.0.0.1/{input}"),
                    ["MT-Fault-ExceptionType"] = "System.TimeoutException"u8.ToArray(),
                    ["MT-Fault-Message"] = "first line\nsecond line"u8.ToArray(),
                    ["MT-Fault-StackTrace"] = "   at Somewhere()"u8.ToArray(),
                    ["MT-Fault-RetryCount"] = 3,
                },
            }, Encoding.UTF8.GetBytes(body));

            var (listCode, listed) = await Run("--list", "--queue", parked, "--rabbitmq", broker.ToString());
            Assert.Equal(0, listCode);
            Assert.Contains($"Vendor.Contracts.AgentHired  id m-1  sent 2026-12-01 08:00:00Z", listed);
            Assert.Contains($"after 3 retries  → {input}", listed);
            Assert.Contains("reason:   System.TimeoutException: first line", listed);
            Assert.DoesNotContain("second line", listed);
            Assert.DoesNotContain("Somewhere", listed);

            var (code, _) = await Run("--queue", parked, "--rabbitmq", broker.ToString());
            Assert.Equal(0, code);
            var got = await channel.BasicGetAsync(input, autoAck: true);
            Assert.NotNull(got);
            Assert.Equal(body, Encoding.UTF8.GetString(got.Body.Span));
            Assert.Equal("m-1", got.BasicProperties.MessageId);
            Assert.Equal("c-1", got.BasicProperties.CorrelationId);
            Assert.Equal("application/vnd.masstransit+json", got.BasicProperties.ContentType);
            Assert.True(got.BasicProperties.Persistent);
            var headers = got.BasicProperties.Headers!;
            Assert.Equal("00-trace-span-01", Encoding.UTF8.GetString((byte[])headers["MT-Activity-Id"]!));
            Assert.DoesNotContain(headers.Keys, k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k.StartsWith("MT-Host-", StringComparison.Ordinal) || k == "MT-Reason");
            Assert.Equal(0u, (await channel.QueueDeclarePassiveAsync(parked)).MessageCount);
        }
        finally
        {
            await channel.QueueDeleteAsync(input);
            await channel.QueueDeleteAsync(parked);
        }
    }

    [Fact]
    public async Task A_broker_or_queue_list_out_of_reach_is_exit_code_3_and_says_why()
    {
        var port = Ports.Free(); // nothing listens there: the connection is refused
        var (code, output) = await Run("--queue", "some-queue", "--rabbitmq", $"amqp://guest:guest@127.0.0.1:{port}/");
        Assert.Equal(3, code);
        Assert.Contains($"cannot read the queues on amqp://127.0.0.1:{port}/", output);
        Assert.DoesNotContain("guest:guest", output);

        var failing = new StringWriter();
        Assert.Equal(3, await ReplayErrorsCommand.RunAsync(["--rabbitmq", await TestServers.RabbitMqAsync()], failing, new RabbitMqCtl("/bin/false")));
        Assert.Contains("rabbitmqctl list_queues failed", failing.ToString());
        Assert.Contains("name the queues with --queue, or set VENDOR_RABBITMQCTL", failing.ToString());
    }

    [Theory]
    [InlineData("rabbitmq://127.0.0.1:5672/t1-staffing-store-onboarded", "t1-staffing-store-onboarded")]
    [InlineData("rabbitmq://127.0.0.1/vendor-test/t1-quality-agent-hired?bind=true", "t1-quality-agent-hired")]
    [InlineData("not an address", null)]
    public void The_input_queue_is_the_last_segment_of_the_fault_address(string address, string? queue) =>
        Assert.Equal(queue, ErrorQueueClient.QueueOfAddress(address));

    [Fact]
    public void Options_and_the_queue_list_are_read_strictly()
    {
        Assert.Null(ReplayErrorsCommand.Parse(["--queue"], new StringWriter()));
        Assert.Null(ReplayErrorsCommand.Parse(["--rabbitmq", "http://x/"], new StringWriter()));
        Assert.Equal("/", ReplayErrorsCommand.VirtualHost(new Uri("amqp://guest:guest@127.0.0.1:5672/")));
        Assert.Equal("vendor-test", ReplayErrorsCommand.VirtualHost(new Uri("amqp://127.0.0.1/vendor-test")));
        var queues = RabbitMqCtl.Parse("a_error\t3\nb\t0\nwarning: something\n");
        Assert.Equal([new QueueInfo("a_error", 3), new QueueInfo("b", 0)], queues);
        Assert.True(ErrorQueueClient.IsFaultHeader("MT-Fault-StackTrace"));
        Assert.True(ErrorQueueClient.IsFaultHeader("MT-Reason"));
        Assert.False(ErrorQueueClient.IsFaultHeader("MT-Activity-Id"));
    }

    private sealed class SimulatedCrash : Exception;
}
