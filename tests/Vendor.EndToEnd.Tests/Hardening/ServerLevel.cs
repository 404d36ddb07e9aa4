namespace Vendor.EndToEnd.Tests.Hardening;

/// <summary>
/// The one refusal no application code can shape: Kestrel rejects a request target holding a NUL (%00) while parsing the request
/// line, before any middleware runs, with a bare 400 (no body) and closes the connection. The tests accept exactly that and nothing else.
/// </summary>
public static class ServerLevel
{
    public static bool Refused(string pathAndQuery, HttpResponseMessage response, string body) =>
        response.StatusCode == System.Net.HttpStatusCode.BadRequest
        && pathAndQuery.Contains("%00", StringComparison.Ordinal)
        && body.Length == 0
        && response.Content.Headers.ContentType is null;
}
