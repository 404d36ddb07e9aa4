using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Vendor.Quality.Feedback;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Quality.Tests;

/// <summary>
/// Two Quality instances on one database, both with the background feedback sweep on one moved clock: an overdue item is flagged
/// once (one event, one published <c>StoreFeedbackOverdue</c>), and when the instance leading the sweep stops, the other flags the next.
/// </summary>
public sealed class ReplicaSweepTests : IAsyncLifetime
{
    private readonly TestClock _clock = new(DateTimeOffset.UtcNow);
    private readonly List<ServiceHost<QualityApi>> _hosts = [];
    private readonly ConcurrentQueue<Contracts.StoreFeedbackOverdue> _overdue = new();
    private HostReceiveEndpointHandle _listener = null!;

    public async Task InitializeAsync()
    {
        var settings = await ServiceHost<QualityApi>.SettingsAsync();
        settings["Quality:Feedback:SweepInterval"] = "00:00:00.5";
        settings["Vendor:Leases:RetryInterval"] = "00:00:00.5";
        for (var i = 0; i < 2; i++)
        {
            var host = new ServiceHost<QualityApi>(settings, configure: b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(_clock)));
            host.CreateClient();
            _hosts.Add(host);
        }
        _listener = _hosts[0].Services.GetRequiredService<IBus>().ConnectReceiveEndpoint($"quality-test-replicas-{Guid.NewGuid():N}", e =>
        {
            if (e is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.AutoDelete = true;
            e.Handler<Contracts.StoreFeedbackOverdue>(c =>
            {
                _overdue.Enqueue(c.Message);
                return Task.CompletedTask;
            });
        });
        await _listener.Ready;
    }

    public async Task DisposeAsync()
    {
        await _listener.StopAsync();
        foreach (var host in _hosts) await host.DisposeAsync();
    }

    private HttpClient As(ServiceHost<QualityApi> host, CallerIdentity caller) =>
        host.CreateDefaultClient(new GatewaySigningHandler(caller, ServiceHost<QualityApi>.GatewaySecret, () => _clock.GetUtcNow()));

    private static bool Leads(ServiceHost<QualityApi> host) =>
        host.Services.GetRequiredService<LeaderLeases>().Holds(FeedbackSweeper.LeaseName);

    private async Task<ServiceHost<QualityApi>> Leader() =>
        await Eventually.Until(() => Task.FromResult(_hosts.SingleOrDefault(Leads)), h => h is not null, TimeSpan.FromSeconds(10), "one sweep leader")
        ?? throw new InvalidOperationException();

    /// <summary>Files a critical complaint (due in 4 hours) through <paramref name="host"/>.</summary>
    private async Task<(string StoreId, string FeedbackId)> Filed(ServiceHost<QualityApi> host)
    {
        var storeId = $"rps-{Guid.NewGuid():N}"[..12];
        var response = await As(host, new CallerIdentity($"key-{storeId}", Roles.Store, storeId)).PostAsJsonAsync(
            $"/api/quality/stores/{storeId}/feedback", new { kind = "complaint", severity = "critical", agentId = "a-1", text = "客服说不能退货" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (storeId, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feedbackId").GetString()!);
    }

    private async Task<JsonElement> Flagged(ServiceHost<QualityApi> host, string storeId, string feedbackId) =>
        await Eventually.Until(() => As(host, new CallerIdentity("ops-1", Roles.Ops, null))
                .GetFromJsonAsync<JsonElement>($"/api/quality/stores/{storeId}/feedback/{feedbackId}"),
            f => f.GetProperty("overdue").GetBoolean(), TimeSpan.FromSeconds(20), "the item flagged overdue");

    private async Task<int> FlagEvents(ServiceHost<QualityApi> host, string feedbackId)
    {
        await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(FeedbackItem.StreamKey(feedbackId));
        return events.Count(e => e.Data is FeedbackOverdueFlagged);
    }

    [Fact]
    public async Task With_two_instances_an_overdue_item_is_flagged_and_published_once()
    {
        var leader = await Leader();
        var other = _hosts.Single(h => h != leader);
        // Filed through the instance that does not sweep: the sweeping one finds it in the database.
        var (storeId, feedbackId) = await Filed(other);

        _clock.Now = _clock.Now.AddHours(4).AddMinutes(1);
        await Flagged(other, storeId, feedbackId);

        var published = await Eventually.Until(() => Task.FromResult(_overdue.Where(m => m.FeedbackId == feedbackId).ToList()), m => m.Count > 0,
            what: "StoreFeedbackOverdue published");
        // Later sweeps (both loops keep going; the item stays overdue) flag nothing more.
        _clock.Now = _clock.Now.AddMinutes(5);
        var (laterStore, later) = await Filed(leader);
        _clock.Now = _clock.Now.AddHours(4).AddMinutes(1);
        await Flagged(leader, laterStore, later);
        Assert.Equal(1, await FlagEvents(leader, feedbackId));
        await Eventually.Until(() => Task.FromResult(_overdue.Count(m => m.FeedbackId == later)), n => n > 0, what: "the later one published");
        Assert.Single(_overdue, m => m.FeedbackId == feedbackId);
        Assert.Equal(1, await FlagEvents(leader, later));
    }

    [Fact]
    public async Task When_the_leading_instance_stops_the_other_sweeps()
    {
        var leader = await Leader();
        var other = _hosts.Single(h => h != leader);
        var (storeId, feedbackId) = await Filed(other);

        _hosts.Remove(leader);
        await leader.DisposeAsync();
        await Eventually.Until(() => Task.FromResult(Leads(other)), x => x, TimeSpan.FromSeconds(5), "the other instance sweeping");
        _clock.Now = _clock.Now.AddHours(4).AddMinutes(1);

        await Flagged(other, storeId, feedbackId);
        Assert.Equal(1, await FlagEvents(other, feedbackId));
    }
}
