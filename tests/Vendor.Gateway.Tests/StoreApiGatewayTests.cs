using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Vendor.Gateway.Tests;

/// <summary>The store API's public routes at the gateway alone: no key needed, and a service that cannot give its document is a 502 problem.</summary>
public class StoreApiGatewayTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task Without_the_services_the_published_document_is_a_bad_gateway_problem_and_the_problem_types_still_answer()
    {
        await using var host = fixture.StartHost(new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = "http://127.0.0.1:9/",
            ["ReverseProxy:Clusters:quality:Destinations:primary:Address"] = "http://127.0.0.1:9/",
            ["Gateway:StoreDocument:TimeoutSeconds"] = "2",
        });
        using var anonymous = host.CreateClient();

        var document = await anonymous.GetAsync("/api/store/openapi.json");
        Assert.Equal(HttpStatusCode.BadGateway, document.StatusCode);
        var problem = await document.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("bad-gateway", problem.GetProperty("code").GetString());
        Assert.Equal("/api/store/problems/bad-gateway", problem.GetProperty("type").GetString());

        var types = await anonymous.GetAsync("/api/store/problems/bad-gateway");
        Assert.Equal(HttpStatusCode.OK, types.StatusCode);
        // Public, yet only these: the rest of /api/store still needs a key.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/store/anything-else")).StatusCode);
    }
}
