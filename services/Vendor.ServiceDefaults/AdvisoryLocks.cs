using Marten;
using Npgsql;

namespace Vendor.ServiceDefaults;

/// <summary>PostgreSQL advisory locks named by text: serialise writers across replicas without a lock table.</summary>
public static class AdvisoryLocks
{
    /// <summary>Waits for the named lock and holds it until the session's transaction (begun by the caller) ends.</summary>
    public static async Task HoldForTransactionAsync(this IDocumentSession session, string name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))") { Parameters = { new() { Value = name } } };
        await session.ExecutePreparedAsync(command, ct);
    }

    /// <summary>
    /// The shared mode of the same named lock: any number of shared holders at once, none while someone holds it exclusively
    /// (<see cref="HoldForTransactionAsync"/>), held until the transaction ends.
    /// </summary>
    public static async Task HoldSharedForTransactionAsync(this IDocumentSession session, string name, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock_shared(hashtext($1))") { Parameters = { new() { Value = name } } };
        await session.ExecutePreparedAsync(command, ct);
    }
}
