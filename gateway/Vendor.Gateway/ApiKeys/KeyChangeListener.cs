using Marten;
using Npgsql;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Revocation across replicas: a key change commits a PostgreSQL NOTIFY in its own transaction (<see cref="Notify"/>), and every
/// gateway replica LISTENs and forgets its cached key lookups. On a lost connection it reconnects each second; meanwhile the
/// directory caches for one second only.
/// </summary>
public sealed class KeyChangeListener(IConfiguration configuration, KeyDirectory directory, ILogger<KeyChangeListener> logger)
    : BackgroundService
{
    public const string Channel = "vendor_gateway_keys";

    /// <summary>How the listening connection shows in pg_stat_activity.</summary>
    public const string ApplicationName = "vendor-gateway-key-listener";

    /// <summary>
    /// Queues the notification in the session: it is delivered when (and only if) the key change commits. No payload: a replica
    /// forgets all its cached lookups on any change (a <c>select pg_notify(…)</c> would add a result set Marten's batch does not expect).
    /// </summary>
    public static void Notify(IDocumentSession session) => session.QueueSqlCommand($"NOTIFY {Channel}");

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        // Its own connection outside the pool: it is held for the life of the process. Keepalives notice a dead server.
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.ConnectionString("Postgres"))
        {
            Pooling = false, KeepAlive = 5, ApplicationName = ApplicationName,
        }.ConnectionString;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, _) => directory.ForgetAll();
                await connection.OpenAsync(ct);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection)) await listen.ExecuteNonQueryAsync(ct);
                directory.SetListening(true);
                while (!ct.IsCancellationRequested) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                if (directory.Listening)
                    logger.LogWarning("Lost the key-change channel ({Error}); until it is back, key lookups are cached for {Seconds} s.",
                        e.GetType().Name, KeyDirectory.CacheWhileDeaf.TotalSeconds);
                directory.SetListening(false);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        directory.SetListening(false);
    }
}
