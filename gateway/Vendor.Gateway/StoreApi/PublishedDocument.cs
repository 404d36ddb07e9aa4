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

    /// <summary>After a failed fetch the last good document is served, and fetched again no sooner than this.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

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
            try
            {
                foreach (var source in Sources) documents.Add((source, await FetchAsync(source, ct)));
            }
            catch (Exception e) when (_cached is { } stale && !ct.IsCancellationRequested
                                      && e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException)
            {
                // A service that is down or slow (a deploy, a restart) does not take the published contract down with it, nor
                // make every reader wait for its own fetch meanwhile.
                logger.LogWarning("A store document could not be fetched ({Reason}); serving the last good one", e.Message);
                _cached = (stale.Json, clock.GetUtcNow() - CacheFor + RetryAfterFailure);
                return stale.Json;
            }
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
