using Npgsql;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway;

/// <summary>
/// One connection that LISTENs on a PostgreSQL channel for the life of the process (how a change on one gateway replica reaches
/// all of them), re-opened a second after it is lost. Outside the pool, with keepalives so a dead server shows up as an error
/// rather than a silent wait. Notifications sent while it is down are not replayed: <see cref="ListeningChanged"/> tells the owner.
/// </summary>
public sealed class PostgresChannel(IConfiguration configuration, string channel, string applicationName, ILogger logger)
{
    public event Action<string>? Received;

    /// <summary>True once a LISTEN holds, false when its connection was lost.</summary>
    public event Action<bool>? ListeningChanged;

    /// <summary>Opens the connection and LISTENs; for an owner that wants the first LISTEN before it reports started.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.ConnectionString("Postgres"))
        {
            Pooling = false, KeepAlive = 5, ApplicationName = applicationName,
        }.ConnectionString;
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Notification += (_, n) => Received?.Invoke(n.Payload);
            await connection.OpenAsync(ct);
            await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection)) await listen.ExecuteNonQueryAsync(ct);
            ListeningChanged?.Invoke(true);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for notifications until <paramref name="ct"/> ends, re-opening the connection a second after each loss.</summary>
    public async Task RunAsync(NpgsqlConnection? opened, CancellationToken ct)
    {
        var connection = opened;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                connection ??= await OpenAsync(ct);
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                if (connection is not null) logger.LogWarning("Lost the {Channel} channel ({Error}); listening again in a second.", channel, e.GetType().Name);
                ListeningChanged?.Invoke(false);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            finally
            {
                if (connection is not null) await connection.DisposeAsync();
                connection = null;
            }
        }
        ListeningChanged?.Invoke(false);
    }
}
