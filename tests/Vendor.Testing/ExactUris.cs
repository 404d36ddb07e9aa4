namespace Vendor.Testing;

/// <summary>
/// URIs whose path and query go on the wire exactly as written: no dot-segment removal, no unescaping of %2F or %2E, no case folding.
/// For tests of path tricks (<c>/own/../other</c>, encoded slashes, double encoding).
/// </summary>
public static class ExactUris
{
    private static readonly UriCreationOptions AsWritten = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public static Uri Of(Uri server, string pathAndQuery) => new(server.GetLeftPart(UriPartial.Authority) + pathAndQuery, in AsWritten);
}
