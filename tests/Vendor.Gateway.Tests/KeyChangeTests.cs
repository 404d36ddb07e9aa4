using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Vendor.Gateway.ApiKeys;
using Vendor.ServiceDefaults;
using Vendor.Testing;
using Xunit.Abstractions;

namespace Vendor.Gateway.Tests;

/// <summary>Revocation reaches another replica in time even when that replica's change channel has just been cut.</summary>
public class KeyChangeTests(GatewayFixture gateway, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_replica_that_lost_its_change_channel_still_refuses_a_revoked_key_within_two_seconds_and_listens_again()
    {
        await using var replica = gateway.StartHost();
        var other = replica.CreateClient();
        var directory = replica.Services.GetRequiredService<KeyDirectory>();
        await Eventually.Until(() => Task.FromResult(directory.Listening), l => l, TimeSpan.FromSeconds(10), "the replica listening");
        var (keyId, secret) = await gateway.IssueKey(Roles.Ops, null);
        other.DefaultRequestHeaders.Add("X-Api-Key", secret);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/keys")).StatusCode);

        // Cut every listener of this test database (its own replicas only).
        await using (var connection = new NpgsqlConnection(gateway.Settings["ConnectionStrings:Postgres"]))
        {
            await connection.OpenAsync();
            await using var cut = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1",
                connection) { Parameters = { new() { Value = KeyChangeListener.ApplicationName } } };
            Assert.True((long)(await cut.ExecuteScalarAsync())! >= 1);
        }
        await Eventually.Until(() => Task.FromResult(directory.Listening), l => !l, TimeSpan.FromSeconds(10), "the replica noticing");
        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await gateway.Client().DeleteAsync($"/api/keys/{keyId}")).StatusCode);

        await Eventually.Until(() => other.GetAsync("/api/keys"), r => r.StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(2),
            "refusal on the deaf replica");
        output.WriteLine($"refused by the replica without its channel after {watch.ElapsedMilliseconds} ms");
        await Eventually.Until(() => Task.FromResult(directory.Listening), l => l, TimeSpan.FromSeconds(10), "the replica listening again");
    }
}
