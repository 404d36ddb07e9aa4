using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Vendor.ServiceDefaults;

/// <summary>Configuration section <c>Vendor:Leases</c>.</summary>
public sealed record LeaseSettings
{
    /// <summary>How often a replica that does not hold a lease tries to take it (and the holder checks it still holds it).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>Makes the named leader leases of this process (one per periodic loop), all on the service's PostgreSQL.</summary>
public sealed class LeaderLeases(string connectionString, LeaseSettings settings, ILoggerFactory? loggers = null)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LeaderLease> _made = new();

    public LeaseSettings Settings => settings;

    public LeaderLease For(string name) =>
        _made[name] = new(connectionString, name, (loggers ?? NullLoggerFactory.Instance).CreateLogger<LeaderLease>());

    /// <summary>Whether this process held the named lease when its loop last looked (for tests; a disposed lease stays listed).</summary>
    public bool Holds(string name) => _made.TryGetValue(name, out var lease) && lease.IsHeld;
}

/// <summary>
/// "Only one replica runs this loop": a PostgreSQL session advisory lock held on a connection of its own (unpooled, so closing
/// it really ends the session). The holder keeps it as long as the connection lives; when the process stops or dies its session
/// ends, PostgreSQL releases the lock, and the next replica to try takes it (within <see cref="LeaseSettings.RetryInterval"/>).
/// Losing the connection loses the lease: the effects a loop writes stay idempotent, so a moment of overlap during a hand-over
/// doubles no work's result.
/// </summary>
public sealed class LeaderLease : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly ILogger _logger;
    private NpgsqlConnection? _connection;

    public LeaderLease(string connectionString, string name, ILogger? logger = null)
    {
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = $"vendor-lease:{name}",
            // A peer that vanished without closing (a cut network) is noticed by the keepalive, not only by the next query.
            KeepAlive = 5,
        }.ConnectionString;
        Name = name;
        _logger = logger ?? NullLogger.Instance;
    }

    public string Name { get; }

    /// <summary>Whether this process held the lease at the last <see cref="TryHoldAsync"/>.</summary>
    public bool IsHeld
    {
        get => Volatile.Read(ref _held);
        private set => Volatile.Write(ref _held, value);
    }

    private bool _held;

    /// <summary>Takes the lease if it is free, or confirms this process still holds it. False: another replica holds it (or PostgreSQL is unreachable).</summary>
    public async Task<bool> TryHoldAsync(CancellationToken ct)
    {
        try
        {
            if (_connection is null)
            {
                _connection = new NpgsqlConnection(_connectionString);
                await _connection.OpenAsync(ct);
            }
            if (IsHeld)
            {
                // Still our session (a terminated backend or a broken connection fails here): the lock is ours for as long as it lives.
                await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                await ping.ExecuteScalarAsync(ct);
                return true;
            }
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext($1))", _connection)
            {
                Parameters = { new() { Value = $"lease:{Name}" } },
            };
            IsHeld = await command.ExecuteScalarAsync(ct) is true;
            if (IsHeld) _logger.LogInformation("This process now leads {Lease}", Name);
            return IsHeld;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            if (IsHeld) _logger.LogWarning(e, "Lost the lease {Lease} with its connection", Name);
            await DropAsync();
            return false;
        }
    }

    private async Task DropAsync()
    {
        IsHeld = false;
        if (_connection is null) return;
        try
        {
            await _connection.DisposeAsync();
        }
        catch (Exception)
        {
            // A broken connection may fail to close; it is gone either way.
        }
        _connection = null;
    }

    /// <summary>Gives the lease up at once (closing the session releases the lock) so another replica takes over without waiting.</summary>
    public async ValueTask DisposeAsync() => await DropAsync();
}
