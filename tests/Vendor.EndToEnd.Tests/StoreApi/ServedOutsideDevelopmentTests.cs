using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Vendor.Agreements;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests.StoreApi;

/// <summary>Outside Development a service serves its store document (for the gateway to merge), and only that one.</summary>
public class ServedOutsideDevelopmentTests
{
    [Fact]
    public async Task A_production_service_serves_the_same_store_document_and_not_the_full_one()
    {
        await using var host = new ServiceHost<AgreementsApi>(await ServiceHost<AgreementsApi>.SettingsAsync(), configure: b => b.UseEnvironment("Production"));
        using var client = host.CreateClient();

        var response = await client.GetAsync("/openapi/store.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var served = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.StartsWith("3.1", served["openapi"]!.GetValue<string>());
        var built = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "artifacts", "openapi", "Vendor.Agreements_store.json")))!;
        Assert.True(JsonNode.DeepEquals(built["paths"], served["paths"]), "The production store document differs from the build-time one.");
        Assert.True(JsonNode.DeepEquals(built["components"], served["components"]));

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
