using Marten;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Revocation across replicas: a key change commits a PostgreSQL NOTIFY in its own transaction (<see cref="Notify"/>), and every
/// gateway replica LISTENs (<see cref="PostgresChannel"/>) and forgets its cached key lookups. While the channel is down the directory
/// caches for one second only.
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

    protected override Task ExecuteAsync(CancellationToken ct)
    {
        var keyChanges = new PostgresChannel(configuration, Channel, ApplicationName, logger);
        keyChanges.Received += _ => directory.ForgetAll();
        keyChanges.ListeningChanged += directory.SetListening;
        return keyChanges.RunAsync(null, ct);
    }
}
