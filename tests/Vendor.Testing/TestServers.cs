using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace Vendor.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ the tests run against: VENDOR_TEST_POSTGRES / VENDOR_TEST_RABBITMQ when set,
/// else Testcontainers when a Docker engine answers, else the local servers of deploy/local. A test that needs a
/// server fails loudly when none answers; it never skips.
/// </summary>
public static class TestServers
{
    private const string LocalPostgres = "Host=127.0.0.1;Port=5432;Database=vendor;Username=postgres";
    private const string LocalRabbitMq = "amqp://guest:guest@127.0.0.1:5672/";

    private static readonly Lazy<Task<(string Postgres, string RabbitMq)>> Servers = new(ResolveAsync);

    public static async Task<string> PostgresAsync() => (await Servers.Value).Postgres;

    public static async Task<string> RabbitMqAsync() => (await Servers.Value).RabbitMq;

    /// <summary>
    /// A new empty database for one test fixture, so fixtures never see each other's streams; its locale is deploy/local's
    /// (byte-order comparisons, C.UTF-8 character classes) whatever the server's default.
    /// </summary>
    public static async Task<string> NewDatabaseAsync()
    {
        var admin = new NpgsqlConnectionStringBuilder(await PostgresAsync());
        var name = $"vt_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'", connection);
            await create.ExecuteNonQueryAsync();
        }
        admin.Database = name;
        admin.MaxPoolSize = 20;
        return admin.ConnectionString;
    }

    private static async Task<(string, string)> ResolveAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("VENDOR_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("VENDOR_TEST_RABBITMQ");
        if (string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(rabbit))
        {
            if (DockerAvailable())
            {
                if (string.IsNullOrEmpty(postgres))
                {
                    var pg = new PostgreSqlBuilder("postgres:15").Build();
                    await pg.StartAsync();
                    postgres = pg.GetConnectionString();
                }
                if (string.IsNullOrEmpty(rabbit))
                {
                    var mq = new RabbitMqBuilder("rabbitmq:3.13").Build();
                    await mq.StartAsync();
                    rabbit = mq.GetConnectionString();
                }
            }
            postgres ??= LocalPostgres;
            rabbit ??= LocalRabbitMq;
        }

        try
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"No PostgreSQL at '{postgres}'. Run ./vendor test (it starts one) or set VENDOR_TEST_POSTGRES.", e);
        }
        var uri = new Uri(rabbit);
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(uri.Host, uri.Port > 0 ? uri.Port : 5672);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"No RabbitMQ at '{uri.Host}:{uri.Port}'. Run ./vendor test (it starts one) or set VENDOR_TEST_RABBITMQ.", e);
        }
        return (postgres, rabbit);
    }

    private static bool DockerAvailable()
    {
        if (!File.Exists("/var/run/docker.sock") && Environment.GetEnvironmentVariable("DOCKER_HOST") is null) return false;
        try
        {
            using var psi = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("docker", "info")
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            });
            if (psi is null) return false;
            return psi.WaitForExit(10_000) && psi.ExitCode == 0;
        }
        catch
        {
            return false;
        }
    }
}
