using System.Net;
using Vendor.Gateway;
using Vendor.Testing;

namespace Vendor.Gateway.Tests;

/// <summary>A fresh install gets exactly one generated ops key, written once, and keeps it across restarts.</summary>
public class BootstrapKeyTests
{
    [Fact]
    public async Task Without_a_bootstrap_variable_the_first_start_generates_one_working_ops_key_and_later_starts_none()
    {
        var settings = await ServiceHost<GatewayApi>.SettingsAsync();
        var file = Path.Combine(Path.GetTempPath(), $"vendor-key-{Guid.NewGuid():N}");
        settings["Gateway:GeneratedKeyFile"] = file;
        try
        {
            await using (var first = new ServiceHost<GatewayApi>(settings))
            {
                first.CreateClient();
                var secret = await File.ReadAllTextAsync(file);
                Assert.StartsWith("vnd_", secret);
                if (!OperatingSystem.IsWindows())
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                var client = first.CreateClient();
                client.DefaultRequestHeaders.Add("X-Api-Key", secret);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys")).StatusCode);
            }
            File.Delete(file);

            await using (var second = new ServiceHost<GatewayApi>(settings))
            {
                second.CreateClient();
                Assert.False(File.Exists(file));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_bootstrap_variable_sets_the_ops_key_and_a_new_value_rotates_it()
    {
        var settings = await ServiceHost<GatewayApi>.SettingsAsync();
        async Task<HttpStatusCode> Call(ServiceHost<GatewayApi> host, string key)
        {
            var client = host.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            return (await client.GetAsync("/api/keys")).StatusCode;
        }

        settings["VENDOR_BOOTSTRAP_OPS_KEY"] = "first-bootstrap-key-0123456789";
        await using (var host = new ServiceHost<GatewayApi>(settings))
            Assert.Equal(HttpStatusCode.OK, await Call(host, "first-bootstrap-key-0123456789"));

        settings["VENDOR_BOOTSTRAP_OPS_KEY"] = "second-bootstrap-key-0123456789";
        await using (var host = new ServiceHost<GatewayApi>(settings))
        {
            Assert.Equal(HttpStatusCode.OK, await Call(host, "second-bootstrap-key-0123456789"));
            Assert.Equal(HttpStatusCode.Unauthorized, await Call(host, "first-bootstrap-key-0123456789"));
        }
    }
}
