using Npgsql;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

/// <summary>The leader lease every periodic loop uses (ServiceDefaults): one holder at a time; a dead holder's session frees it.</summary>
public sealed class LeaderLeaseTests
{
    [Fact]
    public async Task One_holder_at_a_time_and_a_holder_whose_session_dies_loses_the_lease_to_the_next()
    {
        var database = await TestServers.NewDatabaseAsync();
        await using var first = new LeaderLease(database, "test-loop");
        await using var second = new LeaderLease(database, "test-loop");
        await using var unrelated = new LeaderLease(database, "another-loop");

        Assert.True(await first.TryHoldAsync(default));
        Assert.False(await second.TryHoldAsync(default));
        Assert.True(await first.TryHoldAsync(default)); // the holder confirms it still holds it
        Assert.True(await unrelated.TryHoldAsync(default));

        // What kill -9 of the holder does to its session: PostgreSQL ends it and releases its locks.
        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'vendor-lease:test-loop' AND pid <> pg_backend_pid() " +
                "AND pid IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)", admin);
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }
        await Eventually.Until(() => second.TryHoldAsync(default), held => held, TimeSpan.FromSeconds(10), "the second taking over");
        Assert.False(await first.TryHoldAsync(default));
        Assert.False(first.IsHeld);

        // Giving it up (a stopping host) frees it at once.
        await second.DisposeAsync();
        Assert.True(await first.TryHoldAsync(default));
    }
}
