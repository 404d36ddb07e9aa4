using System.Text.Json;
using Vendor.EndToEnd.Tests.StoreApi;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests.Deploy;

/// <summary>
/// deploy/k8s, validated offline (no API server here): every object against the Kubernetes API schemas (kubernetes-models, npm), then
/// what the schemas cannot see — every process deployed with replicas, probes on the health routes, the container port its image
/// listens on, its config and secrets; Services that select their pods; the gateway's routes naming those Services; the external
/// PostgreSQL and RabbitMQ the connection strings name.
/// </summary>
public class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "tests", "Vendor.EndToEnd.Tests", "k8s-validate");
    private static readonly string Manifests = Path.Combine(Repository.Root, "deploy", "k8s");
    private static readonly string[] Processes = ["agreements", "staffing", "quality", "gateway"];

    private static async Task<JsonElement> ValidatedAsync()
    {
        var (exit, output) = await StoreContractTests.RunAsync("node", $"validate.mjs \"{Manifests}\"", Folder);
        Assert.True(exit == 0, "deploy/k8s does not validate:\n" + output);
        return JsonDocument.Parse(output).RootElement;
    }

    private static IEnumerable<JsonElement> Objects(JsonElement all, string kind) =>
        all.GetProperty("objects").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == kind);

    private static string Name(JsonElement o) => o.GetProperty("metadata").GetProperty("name").GetString()!;

    [Fact]
    public async Task The_validator_rejects_a_malformed_object()
    {
        var (exit, output) = await StoreContractTests.RunAsync("node", "validate.mjs --self-check", Folder);
        Assert.True(exit == 0, output);
        Assert.Contains("replicas must be integer", output);
    }

    [Fact]
    public async Task Every_manifest_is_listed_and_every_object_validates_against_the_api_schemas()
    {
        var all = await ValidatedAsync();
        var listed = all.GetProperty("kustomization").GetProperty("resources").EnumerateArray().Select(r => r.GetString()).ToHashSet();
        var files = Directory.GetFiles(Manifests, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").ToHashSet();
        Assert.Equal(files.Order(), listed.Order());
        Assert.All(all.GetProperty("objects").EnumerateArray().Where(o => o.GetProperty("kind").GetString() != "Namespace"),
            o => Assert.Equal("vendor", o.GetProperty("metadata").GetProperty("namespace").GetString()));
    }

    [Fact]
    public async Task Each_process_runs_two_replicas_with_probes_on_its_health_routes_its_config_and_secrets_and_a_service_that_selects_it()
    {
        var all = await ValidatedAsync();
        var configMaps = Objects(all, "ConfigMap").Select(Name).ToHashSet();
        var secrets = Objects(all, "Secret").Select(Name).ToHashSet();
        foreach (var process in Processes)
        {
            var deployment = Assert.Single(Objects(all, "Deployment"), d => Name(d) == process);
            var spec = deployment.GetProperty("spec");
            Assert.True(spec.GetProperty("replicas").GetInt32() >= 2, $"{process}: at least two replicas");
            var podLabels = spec.GetProperty("template").GetProperty("metadata").GetProperty("labels");
            foreach (var (key, value) in spec.GetProperty("selector").GetProperty("matchLabels").EnumerateObject().Select(p => (p.Name, p.Value.GetString())))
                Assert.Equal(value, podLabels.GetProperty(key).GetString());

            var container = Assert.Single(spec.GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray());
            // The Dockerfile's ASPNETCORE_URLS: every image listens on 8080.
            var port = Assert.Single(container.GetProperty("ports").EnumerateArray());
            Assert.Equal(8080, port.GetProperty("containerPort").GetInt32());
            Assert.Equal("/health/ready", container.GetProperty("readinessProbe").GetProperty("httpGet").GetProperty("path").GetString());
            Assert.Equal("/health/live", container.GetProperty("livenessProbe").GetProperty("httpGet").GetProperty("path").GetString());
            Assert.Equal("/health/live", container.GetProperty("startupProbe").GetProperty("httpGet").GetProperty("path").GetString());
            Assert.True(container.GetProperty("resources").GetProperty("limits").TryGetProperty("memory", out _), $"{process}: a memory limit");
            Assert.False(container.GetProperty("securityContext").GetProperty("allowPrivilegeEscalation").GetBoolean());
            var sources = container.GetProperty("envFrom").EnumerateArray().ToList();
            Assert.Contains(sources, s => s.TryGetProperty("configMapRef", out var c) && configMaps.Contains(c.GetProperty("name").GetString()!));
            Assert.Contains(sources, s => s.TryGetProperty("secretRef", out var r) && secrets.Contains(r.GetProperty("name").GetString()!));

            var service = Assert.Single(Objects(all, "Service"), s => Name(s) == process);
            foreach (var (key, value) in service.GetProperty("spec").GetProperty("selector").EnumerateObject().Select(p => (p.Name, p.Value.GetString())))
                Assert.Equal(value, podLabels.GetProperty(key).GetString());
            var target = Assert.Single(service.GetProperty("spec").GetProperty("ports").EnumerateArray()).GetProperty("targetPort");
            Assert.True(target.ValueKind == JsonValueKind.Number ? target.GetInt32() == 8080 : target.GetString() == port.GetProperty("name").GetString(),
                $"{process}: the Service reaches the container port");
        }
    }

    [Fact]
    public async Task The_gateway_routes_to_the_services_and_the_connection_strings_name_the_external_servers()
    {
        var all = await ValidatedAsync();
        var config = Assert.Single(Objects(all, "ConfigMap")).GetProperty("data");
        var services = Objects(all, "Service").ToDictionary(Name);
        foreach (var cluster in Processes.Where(p => p != "gateway"))
        {
            var address = new Uri(config.GetProperty($"ReverseProxy__Clusters__{cluster}__Destinations__primary__Address").GetString()!);
            Assert.True(services.TryGetValue(address.Host, out var service), $"the gateway's {cluster} address names a Service");
            Assert.Contains(service.GetProperty("spec").GetProperty("ports").EnumerateArray(), p => p.GetProperty("port").GetInt32() == address.Port);
        }

        var secret = Assert.Single(Objects(all, "Secret")).GetProperty("stringData");
        foreach (var key in new[] { "ConnectionStrings__Postgres", "ConnectionStrings__RabbitMq", "Vendor__GatewaySecret", "VENDOR_BOOTSTRAP_OPS_KEY" })
            Assert.True(secret.TryGetProperty(key, out _), $"the secret carries {key}");
        var postgres = new Npgsql.NpgsqlConnectionStringBuilder(secret.GetProperty("ConnectionStrings__Postgres").GetString());
        var rabbit = new Uri(secret.GetProperty("ConnectionStrings__RabbitMq").GetString()!);
        foreach (var (host, port) in new[] { (postgres.Host!, postgres.Port), (rabbit.Host, rabbit.Port) })
        {
            var external = services[host].GetProperty("spec");
            Assert.Equal("ExternalName", external.GetProperty("type").GetString());
            Assert.Contains(external.GetProperty("ports").EnumerateArray(), p => p.GetProperty("port").GetInt32() == port);
        }
        Assert.Equal("LoadBalancer", services["gateway"].GetProperty("spec").GetProperty("type").GetString());
    }
}
