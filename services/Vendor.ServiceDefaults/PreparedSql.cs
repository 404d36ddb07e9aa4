using System.Data.Common;
using Marten;
using Npgsql;

namespace Vendor.ServiceDefaults;

/// <summary>
/// The hot paths' own statements, prepared once per pooled connection and then only bound and executed: PostgreSQL parsed and planned
/// every statement of every ingest request anew, 13 % of its CPU under <c>./vendor bench ingest</c> (perf). Explicit preparation only:
/// Npgsql's automatic preparation (Max Auto Prepare) broke a connection after a failed statement ("Received unexpected backend message
/// DataRow"); an explicitly prepared statement that fails (a NUL byte in a text parameter, say) leaves the connection as it was.
/// Only inside a transaction the caller began (<c>BeginTransactionAsync</c>): on a session without one, Marten's
/// <c>session.Connection</c> begins one itself, and the statement would join a transaction nobody meant to open.
/// </summary>
public static class PreparedSql
{
    public static async Task<int> ExecutePreparedAsync(this IDocumentSession session, NpgsqlCommand command, CancellationToken ct)
    {
        await PrepareAsync(session, command, ct);
        return await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<DbDataReader> ExecuteReaderPreparedAsync(this IQuerySession session, NpgsqlCommand command, CancellationToken ct)
    {
        await PrepareAsync(session, command, ct);
        return await command.ExecuteReaderAsync(ct);
    }

    private static async Task PrepareAsync(IQuerySession session, NpgsqlCommand command, CancellationToken ct)
    {
        command.Connection = session.Connection;
        // Npgsql keeps the statement on the physical connection: a later command with the same text finds it without a round trip.
        await command.PrepareAsync(ct);
    }
}
