using System.Text.Json;

namespace Vendor.Gateway.Tests;

/// <summary>
/// The runtime settings the gateway's latency depends on (./vendor bench gateway) are in its runtimeconfig, so they hold wherever it
/// runs (./vendor, Docker, Kubernetes), not only where an environment variable was remembered.
/// </summary>
public class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        var file = Path.Combine(Path.GetDirectoryName(typeof(GatewayApi).Assembly.Location)!, "Vendor.Gateway.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void Idle_thread_pool_workers_sleep_instead_of_spinning()
    {
        // At 200 proxied requests/s, spinning idle workers were 60-70 % of the gateway's CPU (805 → 377 µs a request without).
        Assert.Equal(0, ConfigProperties().GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    [Fact]
    public void The_gateway_collects_garbage_with_workstation_gc()
    {
        // Server GC's per-core heaps and threads competed with the services on two cores (p99 ≈ 1.0 → 0.57 ms without, STACK.md).
        Assert.False(ConfigProperties().GetProperty("System.GC.Server").GetBoolean());
    }
}
