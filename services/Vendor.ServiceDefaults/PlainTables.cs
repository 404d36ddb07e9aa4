using Npgsql;

namespace Vendor.ServiceDefaults;

/// <summary>
/// Plain SQL tables beside Marten's (hot-path ledgers and counters written with set-based SQL). Created at startup,
/// before requests are served; idempotent DDL, serialised because several replicas may start at once.
/// </summary>
public static class PlainTables
{
    public static async Task EnsureAsync(string connectionString, string name, string ddl)
    {
        if (ServiceDefaultsExtensions.GeneratingDocuments) return; // the build reading the OpenAPI documents: no database
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT pg_advisory_lock(hashtext('{name}-ddl')); {ddl} SELECT pg_advisory_unlock(hashtext('{name}-ddl'));", connection)
        {
            // A one-time migration (moving an index's rows into a new layout) may take minutes; the default 30 s would fail the start.
            CommandTimeout = 600,
        };
        await command.ExecuteNonQueryAsync();
    }
}
