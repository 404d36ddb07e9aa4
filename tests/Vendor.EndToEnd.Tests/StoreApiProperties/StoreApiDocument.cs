using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Vendor.EndToEnd.Tests.StoreApiProperties;

/// <summary>Where the published store API document comes from (the only place the property test asks for it).</summary>
public static class StoreApiDocument
{
    /// <summary>The document the gateway publishes (no key), exactly as a store's engineer gets it.</summary>
    public static async Task<JsonObject> LoadAsync(PlatformFixture platform) =>
        (await platform.Gateway.CreateClient().GetFromJsonAsync<JsonObject>("/api/store/openapi.json"))!;
}
