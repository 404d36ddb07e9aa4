using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>
/// The database goes away under a running service (its connections cut, new ones refused) and comes back: reads and writes answer
/// 503 problem+json with Retry-After, never 500; /health/ready says not ready; and the service recovers by itself.
/// </summary>
public class DatabaseDownTests
{
    [Fact]
    public async Task While_the_database_is_unreachable_the_service_answers_503_and_is_not_ready_and_it_recovers_by_itself()
    {
        var settings = await ServiceHost<AgreementsApi>.SettingsAsync();
        var real = new NpgsqlConnectionStringBuilder(settings["ConnectionStrings:Postgres"]);
        await using var database = new TcpForwarder(real.Host!, real.Port);
        settings["ConnectionStrings:Postgres"] = new NpgsqlConnectionStringBuilder(real.ConnectionString)
        {
            Host = "127.0.0.1", Port = database.Port, Timeout = 3, CommandTimeout = 5,
        }.ConnectionString;
        await using var host = new ServiceHost<AgreementsApi>(settings);
        var ops = host.OpsClient();
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId = "db-down", name = "断网测试店", platform = "tmall" })).StatusCode);
        const string figures = "/api/sla/stores/db-down/sla?from=2026-11-01&to=2026-11-30";
        Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync(figures)).StatusCode);

        database.Down = true;
        var read = await ops.GetAsync(figures);
        await AssertUnavailable(read);
        var write = await ops.PostAsJsonAsync("/api/sla/stores/db-down/conversations", new
        {
            conversations = new[]
            {
                new { conversationId = "c-1", channel = "chat", kind = "presales",
                      messages = new[] { new { at = "2026-11-02T09:00:00+08:00", from = "customer", text = "在吗" } } },
            },
        });
        await AssertUnavailable(write);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ops.GetAsync("/health/ready")).StatusCode);

        database.Down = false;
        await Eventually.Until(async () => (await ops.GetAsync(figures)).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30),
            "the SLA figures answered again");
        await Eventually.Until(async () => (await ops.GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "ready again");
        // The write refused while the database was away stored nothing; sent again, it is accepted once.
        var again = await ops.PostAsJsonAsync("/api/sla/stores/db-down/conversations", new
        {
            conversations = new[]
            {
                new { conversationId = "c-1", channel = "chat", kind = "presales",
                      messages = new[] { new { at = "2026-11-02T09:00:00+08:00", from = "customer", text = "在吗" } } },
            },
        });
        Assert.Equal(1, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    private static async Task AssertUnavailable(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("service-unavailable", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
        Assert.NotNull(response.Headers.RetryAfter);
    }
}
