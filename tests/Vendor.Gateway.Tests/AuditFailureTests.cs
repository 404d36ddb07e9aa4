using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Vendor.Testing;

namespace Vendor.Gateway.Tests;

/// <summary>An acknowledged write always has its audit record: when the record cannot be written, the write is not acknowledged.</summary>
public class AuditFailureTests
{
    [Fact]
    public async Task When_the_audit_record_cannot_be_written_the_client_gets_no_success()
    {
        var settings = await ServiceHost<GatewayApi>.SettingsAsync();
        settings["VENDOR_BOOTSTRAP_OPS_KEY"] = GatewayFixture.OpsKey;
        await using var host = new ServiceHost<GatewayApi>(settings, realPort: true);
        var ops = host.CreateClient();
        ops.DefaultRequestHeaders.Add("X-Api-Key", GatewayFixture.OpsKey);
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/keys", new { name = "before", role = "ops" })).StatusCode);

        await using (var connection = new NpgsqlConnection(settings["ConnectionStrings:Postgres"]))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP TABLE gateway.mt_doc_auditentry", connection);
            await drop.ExecuteNonQueryAsync();
        }

        var unaudited = await ops.PostAsJsonAsync("/api/keys", new { name = "unaudited", role = "ops" });

        // Kestrel turns the failed response start into a 500: the client is never told 201.
        Assert.Equal(HttpStatusCode.InternalServerError, unaudited.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/api/keys")).StatusCode);
    }
}
