using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Vendor.ServiceDefaults;

/// <summary>Stream versions as ETags: GET answers one, a write with If-Match must name the current one.</summary>
public static class ETags
{
    public static void Set(HttpResponse response, long version) => response.Headers.ETag = $"\"{version}\"";

    /// <summary>The version named by If-Match; null when absent (unconditional write); -1 when malformed.</summary>
    public static long? IfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        if (value.Length == 0 || value == "*") return null;
        var trimmed = value.Trim().TrimStart('W', '/').Trim('"');
        return long.TryParse(trimmed, out var version) ? version : -1;
    }

    public static IResult PreconditionFailed(long current) =>
        Problems.Result(StatusCodes.Status412PreconditionFailed, "Precondition failed",
            $"If-Match does not name the current version (\"{current}\"); reload and retry.");

    /// <summary>
    /// For read answers polled by clients: sets <paramref name="tag"/> (an opaque value, quoted here) as the answer's ETag with
    /// <c>Cache-Control: private, no-cache</c> (the answer is per key: shared caches keep none, a client revalidates), and returns
    /// the 304 to send instead of the answer when If-None-Match names the tag (weak comparison, RFC 9110 13.1.2: lists and * too).
    /// </summary>
    public static IResult? NotModified(HttpContext http, string tag)
    {
        var etag = new EntityTagHeaderValue($"\"{tag}\"");
        http.Response.Headers.ETag = etag.ToString();
        http.Response.Headers.CacheControl = "private, no-cache";
        return Matches(http.Request, etag) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : null;
    }

    /// <summary>Whether If-None-Match names the tag (weak comparison) or is *; an unparsable header names nothing.</summary>
    public static bool Matches(HttpRequest request, EntityTagHeaderValue etag)
    {
        var values = request.Headers.IfNoneMatch;
        if (values.Count == 0) return false;
        if (!EntityTagHeaderValue.TryParseList(values, out var tags)) return false;
        return tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));
    }
}
