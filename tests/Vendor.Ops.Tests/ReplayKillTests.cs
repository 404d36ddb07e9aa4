using System.Diagnostics;
using System.Text;
using RabbitMQ.Client;
using Vendor.Ops.ErrorQueues;
using Vendor.Testing;
using Xunit.Abstractions;

namespace Vendor.Ops.Tests;

/// <summary>
/// The replay tool as a real process, killed with SIGKILL while it moves thousands of messages: every message is
/// still in the error queue or in its input queue (at most the one in flight in both), and a second run finishes the job.
/// </summary>
public class ReplayKillTests(ITestOutputHelper output)
{
    // Enough that the tool is still moving them when the test, polling every 50 ms, sees the first 300 arrive: with 5,000 a fast run
    // once moved them all between two polls ("ended by itself before it was killed").
    private const int Messages = 20_000;

    [Fact]
    public async Task Killing_the_tool_mid_replay_loses_nothing_and_a_second_run_finishes()
    {
        var broker = new Uri(await TestServers.RabbitMqAsync());
        var input = $"t{Guid.NewGuid():N}"[..12] + "-bulk";
        var parked = input + ErrorQueueClient.ErrorSuffix;
        var factory = new ConnectionFactory { Uri = broker };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        try
        {
            await channel.QueueDeclareAsync(input, durable: false, exclusive: false, autoDelete: false);
            await channel.QueueDeclareAsync(parked, durable: false, exclusive: false, autoDelete: false);
            var body = Encoding.UTF8.GetBytes("""{"messageType":["urn:message:Vendor.Contracts:AgentHired"],"message":{}}""");
            for (var i = 0; i < Messages; i += 500)
                await Task.WhenAll(Enumerable.Range(i, 500).Select(n => channel.BasicPublishAsync("", parked, mandatory: false,
                    new BasicProperties
                    {
                        MessageId = $"m-{n}",
                        Headers = new Dictionary<string, object?> { ["MT-Fault-ExceptionType"] = "System.TimeoutException"u8.ToArray() },
                    }, body).AsTask()));
            Assert.Equal((uint)Messages, await CountAsync(channel, parked));

            var toolOutput = new System.Collections.Concurrent.ConcurrentQueue<string>();
            using (var tool = StartTool(parked, broker, toolOutput))
            {
                await Eventually.Until(() => CountAsync(channel, input), n => n >= 300 || tool.HasExited, TimeSpan.FromSeconds(60),
                    "the tool moving messages");
                Assert.False(tool.HasExited, $"the tool ended by itself before it was killed: {string.Join('\n', toolOutput)}");
                tool.Kill(entireProcessTree: true);
                await tool.WaitForExitAsync();
            }
            var moved = await CountAsync(channel, input);
            output.WriteLine($"killed after {moved} of {Messages} messages were moved");
            Assert.True(moved < Messages, "the tool finished before it was killed: the test proved nothing");

            // The unacknowledged message in flight goes back to the error queue when the broker sees the connection drop.
            var both = await Eventually.Until(async () => await CountAsync(channel, input) + await CountAsync(channel, parked),
                n => n >= Messages, what: "every message in one of the two queues");
            Assert.InRange(both, (uint)Messages, (uint)Messages + 1);

            var left = await CountAsync(channel, parked);
            var writer = new StringWriter();
            Assert.Equal(0, await ReplayErrorsCommand.RunAsync(["--queue", parked, "--rabbitmq", broker.ToString(), "--show", "3"], writer));
            Assert.Contains($"{parked}: {left} message(s), failed after retries", writer.ToString());
            Assert.Contains($"… and {left - 3} more", writer.ToString());
            Assert.Contains($"{parked}: replayed {left}, could not replay 0", writer.ToString());
            Assert.Equal(0u, await CountAsync(channel, parked));

            var ids = new List<string>();
            while (await channel.BasicGetAsync(input, autoAck: true) is { } got) ids.Add(got.BasicProperties.MessageId!);
            Assert.Equal(Enumerable.Range(0, Messages).Select(n => $"m-{n}").Order(), ids.Distinct().Order());
            Assert.InRange(ids.Count, Messages, Messages + 1);
        }
        finally
        {
            await channel.QueueDeleteAsync(input);
            await channel.QueueDeleteAsync(parked);
        }
    }

    private static async Task<uint> CountAsync(IChannel channel, string queue) => (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;

    /// <summary>The tool as ./vendor runs it: its own build output (tools/Vendor.Ops/bin/&lt;configuration&gt;), by `dotnet`.</summary>
    private static Process StartTool(string queue, Uri broker, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        var dll = Repository.BuiltDll("tools/Vendor.Ops", "Vendor.Ops");
        var info = new ProcessStartInfo("dotnet", [dll, "replay-errors", "--queue", queue, "--rabbitmq", broker.ToString(), "--show", "0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
