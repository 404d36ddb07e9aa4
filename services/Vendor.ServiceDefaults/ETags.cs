using Microsoft.AspNetCore.Http;

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
}
