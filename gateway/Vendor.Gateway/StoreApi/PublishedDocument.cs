using System.Text.Json.Nodes;

namespace Vendor.Gateway.StoreApi;

/// <summary>
/// The published store document: the <c>store</c> documents of Agreements and Quality, read from the running services and merged,
/// kept for a short while (a deploy shows within <see cref="CacheFor"/>; a burst of readers costs one fetch).
/// </summary>
public sealed class PublishedDocument(IHttpClientFactory http, IConfiguration configuration, TimeProvider clock, ILogger<PublishedDocument> logger)
{
    /// <summary>The YARP clusters whose services publish store-facing routes.</summary>
    public static readonly string[] Sources = ["agreements", "quality"];

    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (string Json, DateTimeOffset At)? _cached;

    public async Task<string> GetAsync(CancellationToken ct)
    {
        if (_cached is { } hit && clock.GetUtcNow() - hit.At < CacheFor) return hit.Json;
        await _gate.WaitAsync(ct);
        try
        {
            if (_cached is { } again && clock.GetUtcNow() - again.At < CacheFor) return again.Json;
            var documents = new List<(string, JsonObject)>();
            foreach (var source in Sources) documents.Add((source, await FetchAsync(source, ct)));
            JsonObject merged;
            try
            {
                merged = StoreDocumentMerger.Merge(documents);
            }
            catch (StoreDocumentConflict conflict)
            {
                logger.LogError("The services' store documents conflict: {Conflict}", conflict.Message);
                throw;
            }
            var json = merged.ToJsonString(new System.Text.Json.JsonSerializerOptions
            {
                Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            });
            _cached = (json, clock.GetUtcNow());
            return json;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<JsonObject> FetchAsync(string cluster, CancellationToken ct)
    {
        var destinations = configuration.GetSection($"ReverseProxy:Clusters:{cluster}:Destinations").GetChildren().ToList();
        var address = destinations.Select(d => d["Address"]).FirstOrDefault(a => !string.IsNullOrEmpty(a))
            ?? throw new InvalidOperationException($"ReverseProxy:Clusters:{cluster} has no destination address.");
        using var client = http.CreateClient(nameof(PublishedDocument));
        client.BaseAddress = new Uri(address);
        var text = await client.GetStringAsync("/openapi/store.json", ct);
        return JsonNode.Parse(text) as JsonObject ?? throw new InvalidOperationException($"The {cluster} service's store document is not a JSON object.");
    }
}
