using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.ServiceDefaults;
using Vendor.Staffing;
using Vendor.Staffing.Stores;
using Vendor.Testing;
using Xunit.Abstractions;

namespace Vendor.Agreements.Tests;

/// <summary>
/// Agreements as a real process, killed with SIGKILL while stores are being onboarded and published, then
/// started again: every store committed reaches Staffing, and none is counted twice.
/// </summary>
public class OutboxKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_publishing_process_mid_stream_loses_nothing_and_doubles_nothing()
    {
        var settings = await ServiceHost<StaffingApi>.SettingsAsync();
        var deliveries = new DeliveryCounter();
        await using var staffingFactory = new ServiceHost<StaffingApi>(settings);
        using var staffing = staffingFactory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddConsumeObserver(_ => deliveries)));
        staffing.CreateClient();

        var logs = Directory.CreateTempSubdirectory("vendor-outbox-kill-");
        var next = 0;
        for (var round = 0; round < 2; round++)
        {
            using var agreements = StartAgreements(settings, logs.FullName);
            await agreements.WaitReadyAsync();
            using var client = OpsClient(agreements);
            // Onboard stores until some have been published, then kill while the rest are still in flight.
            var posted = new List<Task<HttpResponseMessage>>();
            for (var i = 0; i < 60; i++, next++)
            {
                posted.Add(client.PostAsJsonAsync("/api/sla/stores", new { storeId = $"kill-{next}", name = $"Store {next}", platform = "jd" }));
                if (i == 40)
                {
                    // Kill only once this round's stores are being published, with more still being committed.
                    var roundStart = next - i;
                    await Eventually.Until(() => Task.FromResult(deliveries.StoreIds.Keys.Count(k => int.Parse(k[5..]) >= roundStart)),
                        n => n > 0, what: "a delivery of this round");
                }
            }
            agreements.Kill();
            await Task.WhenAll(posted.Select(p => p.ContinueWith(_ => { })));
        }

        using (var agreements = StartAgreements(settings, logs.FullName))
        {
            await agreements.WaitReadyAsync();
            var committed = await CommittedStoreCount(settings["ConnectionStrings:Postgres"]!);
            Assert.True(committed > 0);
            var store = staffing.Services.GetRequiredService<IDocumentStore>();
            await Eventually.Until(async () =>
            {
                await using var s = store.QuerySession();
                return await s.Query<StaffedStore>().CountAsync();
            }, n => n == committed, TimeSpan.FromSeconds(60), "every committed store in staffing");

            await using var session = store.QuerySession();
            Assert.Equal(committed, await session.Query<ProcessedMessage>().CountAsync());
            Assert.Equal(committed, await session.Events.QueryAllRawEvents().CountAsync(e => e.EventTypeName == "store.registered.v1"));
            Assert.Equal(committed, deliveries.Ids.Count);
            output.WriteLine($"committed {committed} stores over 2 kills; {deliveries.Ids.Values.Count(n => n > 1)} were delivered more than once and counted once");
        }
        logs.Delete(recursive: true); // kept when the test fails: the processes' output
    }

    private static async Task<int> CommittedStoreCount(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM agreements.mt_events WHERE type = 'store.onboarded.v1'", connection);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The built Vendor.Agreements.dll run by `dotnet` as a child process on a free loopback port.</summary>
    /// <summary>Agreements as a real process on the fixture's database and bus (a new port each start).</summary>
    private static ServerProcess StartAgreements(IReadOnlyDictionary<string, string?> settings, string logDir)
    {
        var process = new ServerProcess("agreements", typeof(AgreementsApi).Assembly.Location, Ports.Free(),
            settings.ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value ?? ""), logDir);
        process.Start();
        return process;
    }

    private static HttpClient OpsClient(ServerProcess agreements) =>
        new(new GatewaySigningHandler(new CallerIdentity("kill-test", Roles.Ops, null), ServiceHost<AgreementsApi>.GatewaySecret)
        {
            InnerHandler = new HttpClientHandler(),
        })
        {
            BaseAddress = agreements.Address,
        };
}
