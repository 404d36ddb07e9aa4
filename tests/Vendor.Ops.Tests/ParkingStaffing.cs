using System.Collections.Concurrent;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.Ops.ErrorQueues;
using Vendor.Staffing;
using Vendor.Staffing.Stores;
using Vendor.Testing;

namespace Vendor.Ops.Tests;

/// <summary>
/// Staffing with its real consumers on the real broker (own database and bus prefix), redelivery shortened so a
/// message that keeps failing reaches its _error queue in seconds. Staffing's StoreCalendarChangedConsumer cannot
/// handle a calendar change for a store it has not been told about yet: that is the failure the tests flip.
/// </summary>
public sealed class ParkingStaffing : IAsyncDisposable
{
    private ServiceHost<StaffingApi> _factory = null!;
    private WebApplicationFactoryHandle _host = null!;

    public string Prefix { get; private set; } = "";
    public Uri Broker { get; private set; } = null!;
    public string Database { get; private set; } = "";

    /// <summary>Successful consumes of StoreCalendarChanged: message id and whether it still carried fault headers.</summary>
    public ConcurrentQueue<(Guid MessageId, bool HadFaultHeaders)> CalendarChangesConsumed { get; } = new();

    public string CalendarQueue => $"{Prefix}-staffing-store-calendar-changed";

    public string CalendarErrorQueue => CalendarQueue + ErrorQueueClient.ErrorSuffix;

    public IServiceProvider Services => _host.Services;

    public static async Task<ParkingStaffing> StartAsync()
    {
        var staffing = new ParkingStaffing();
        var settings = await ServiceHost<StaffingApi>.SettingsAsync();
        settings["Vendor:Bus:Redelivery"] = "00:00:00.1";
        staffing.Prefix = settings["Vendor:BusPrefix"]!;
        staffing.Broker = new Uri(settings["ConnectionStrings:RabbitMq"]!);
        staffing.Database = settings["ConnectionStrings:Postgres"]!;
        staffing._factory = new ServiceHost<StaffingApi>(settings);
        var observer = new CalendarObserver(staffing.CalendarChangesConsumed);
        staffing._host = new WebApplicationFactoryHandle(staffing._factory.WithWebHostBuilder(b =>
            b.ConfigureTestServices(s => s.AddConsumeObserver(_ => observer))));
        return staffing;
    }

    public Task PublishCalendarChangeAsync(string storeId, Guid messageId) =>
        Services.GetRequiredService<IBus>().Publish(
            new Contracts.StoreCalendarChanged(storeId, Calendar, new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)),
            c => c.MessageId = messageId);

    /// <summary>Fixes the condition: Staffing learns of the store.</summary>
    public async Task OnboardAsync(string storeId)
    {
        await Services.GetRequiredService<IBus>().Publish(new Contracts.StoreOnboarded(storeId, $"Store {storeId}", "tmall", "Asia/Shanghai",
            new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)));
        var store = Services.GetRequiredService<IDocumentStore>();
        await Eventually.Until(async () =>
        {
            await using var session = store.QuerySession();
            return await session.LoadAsync<StaffedStore>(StaffedStore.StreamKey(storeId));
        }, s => s is not null, what: $"store {storeId} known to Staffing");
    }

    /// <summary>The effect: calendar updates appended to the store's stream.</summary>
    public async Task<long> CalendarUpdatesAsync(string storeId)
    {
        await using var connection = new NpgsqlConnection(Database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM staffing.mt_events WHERE type = 'store.calendar-updated.v1' AND stream_id = @s", connection);
        command.Parameters.AddWithValue("s", StaffedStore.StreamKey(storeId));
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<ParkedQueue> WaitParkedAsync(string queue, int count)
    {
        await using var client = new ErrorQueueClient(Broker);
        return (await Eventually.Until(() => client.InspectAsync(queue), q => q?.Messages.Count == count,
            TimeSpan.FromSeconds(60), $"{count} message(s) in {queue}"))!;
    }

    public async Task<int> ParkedCountAsync(string queue)
    {
        await using var client = new ErrorQueueClient(Broker);
        return (int)((await client.InspectAsync(queue, limit: 0))?.Total ?? 0);
    }

    private static readonly Contracts.StoreCalendar Calendar = new("Asia/Shanghai", [new Contracts.ServiceHoursBlock("09:00", "21:00")],
        [1, 2, 3, 4, 5, 6, 7], [], []);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private sealed class CalendarObserver(ConcurrentQueue<(Guid, bool)> consumed) : IConsumeObserver
    {
        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.Message is Contracts.StoreCalendarChanged)
                consumed.Enqueue((context.MessageId!.Value, context.Headers.TryGetHeader("MT-Fault-ExceptionType", out _)));
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    /// <summary>The started host made from the factory (WithWebHostBuilder returns a second factory to dispose).</summary>
    private sealed class WebApplicationFactoryHandle : IAsyncDisposable
    {
        private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<StaffingApi> _factory;

        public WebApplicationFactoryHandle(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<StaffingApi> factory)
        {
            _factory = factory;
            _factory.CreateClient();
        }

        public IServiceProvider Services => _factory.Services;

        public ValueTask DisposeAsync() => _factory.DisposeAsync();
    }
}
