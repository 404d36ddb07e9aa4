using System.Text.Json.Nodes;

namespace Vendor.Gateway.StoreApi;

/// <summary>Two services published the same path, component or tag differently: the merged document would lie about one of them.</summary>
public sealed class StoreDocumentConflict(string message) : Exception(message);

/// <summary>
/// Merges the services' <c>store</c> documents into the one the gateway publishes (pure): paths, every components map and tags are
/// united; the frame (openapi, info, servers, security) is the first document's. The same path twice, or the same component or tag
/// name with different content, is a <see cref="StoreDocumentConflict"/>: never silently overwritten.
/// </summary>
public static class StoreDocumentMerger
{
    public static JsonObject Merge(IReadOnlyList<(string Source, JsonObject Document)> documents)
    {
        if (documents.Count == 0) throw new ArgumentException("No document to merge.", nameof(documents));
        var merged = (JsonObject)documents[0].Document.DeepClone();
        merged["paths"] = new JsonObject();
        merged["components"] = new JsonObject();
        merged["tags"] = new JsonArray();
        var owners = new Dictionary<string, string>();

        foreach (var (source, document) in documents)
        {
            foreach (var (path, item) in document["paths"] as JsonObject ?? [])
            {
                if (owners.TryGetValue($"path {path}", out var owner))
                    throw new StoreDocumentConflict($"Both {owner} and {source} publish the path {path}.");
                owners[$"path {path}"] = source;
                merged["paths"]![path] = item?.DeepClone();
            }
            foreach (var (kind, map) in document["components"] as JsonObject ?? [])
            {
                var target = merged["components"]![kind] as JsonObject ?? (JsonObject)(merged["components"]![kind] = new JsonObject());
                foreach (var (name, value) in map as JsonObject ?? [])
                    Add(target, name, value, $"components.{kind}.{name}", source, owners);
            }
            var tags = (JsonArray)merged["tags"]!;
            foreach (var tag in document["tags"] as JsonArray ?? [])
            {
                var name = tag?["name"]?.GetValue<string>() ?? "";
                var existing = tags.FirstOrDefault(t => t?["name"]?.GetValue<string>() == name);
                if (existing is null) tags.Add(tag!.DeepClone());
                else if (!JsonNode.DeepEquals(existing, tag))
                    throw new StoreDocumentConflict($"The tag '{name}' of {source} differs from the one of {owners.GetValueOrDefault($"tag {name}")}.");
                owners.TryAdd($"tag {name}", source);
            }
        }
        var sorted = ((JsonArray)merged["tags"]!).Select(t => t!.DeepClone()).OrderBy(t => t["name"]!.GetValue<string>(), StringComparer.Ordinal);
        merged["tags"] = new JsonArray([.. sorted]);
        return merged;
    }

    private static void Add(JsonObject target, string name, JsonNode? value, string what, string source, Dictionary<string, string> owners)
    {
        if (target[name] is { } existing)
        {
            if (!JsonNode.DeepEquals(existing, value))
                throw new StoreDocumentConflict($"{what} of {source} differs from the one of {owners[what]}; give one of them another name.");
            return;
        }
        target[name] = value?.DeepClone();
        owners[what] = source;
    }
}
