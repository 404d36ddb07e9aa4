using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Vendor.Gateway;
using Vendor.Gateway.ApiKeys;
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
    public async Task Without_a_key_file_configured_the_generated_secret_goes_to_the_default_file_and_never_to_the_log()
    {
        var settings = await ServiceHost<GatewayApi>.SettingsAsync();
        var logs = new LogCapture();

        await using (var host = new ServiceHost<GatewayApi>(settings, configure: b => b.ConfigureLogging(l =>
                     {
                         l.AddProvider(logs);
                         l.AddFilter<LogCapture>(null, LogLevel.Trace);
                     })))
            host.CreateClient();

        var written = logs.Lines.Single(l => l.Contains("Generated the first ops API key"));
        Assert.Contains(BootstrapKey.DefaultFile, written);
        var secret = await File.ReadAllTextAsync(BootstrapKey.DefaultFile);
        Assert.StartsWith("vnd_", secret);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(secret) || Regex.IsMatch(l, "vnd_[A-Za-z0-9_-]{40,}"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(BootstrapKey.DefaultFile));
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
