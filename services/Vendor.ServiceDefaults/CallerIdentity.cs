using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Vendor.ServiceDefaults;

/// <summary>API-key roles (ARCHITECTURE.md, "Gateway").</summary>
public static class Roles
{
    public const string Ops = "ops";
    public const string Store = "store";
    public const string Ingest = "ingest";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Ops, Store, Ingest };

    public static bool IsStoreBound(string role) => role is Store or Ingest;
}

/// <summary>Who is calling, as established by the gateway from the API key.</summary>
public sealed record CallerIdentity(string KeyId, string Role, string? StoreId)
{
    public bool IsOps => Role == Roles.Ops;

    /// <summary>Ops see every store; store and ingest keys only their own.</summary>
    public bool MaySee(string storeId) => IsOps || string.Equals(StoreId, storeId, StringComparison.Ordinal);
}

/// <summary>
/// The identity headers only the gateway may set. They are signed with a secret shared by the gateway and the
/// services, over the caller, the request's method and path and the time of signing, so a call that bypasses the
/// gateway, forges the headers or replays them later (or on another route) is refused.
/// </summary>
public static class GatewayHeaders
{
    public const string KeyId = "X-Vendor-Caller-Key";
    public const string Role = "X-Vendor-Caller-Role";
    public const string StoreId = "X-Vendor-Caller-Store";
    public const string IssuedAt = "X-Vendor-Caller-Issued";
    public const string Signature = "X-Vendor-Caller-Signature";

    /// <summary>How old a signature may be: generous for clock skew between hosts, short for replays.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(60);

    public static readonly string[] All = [KeyId, Role, StoreId, IssuedAt, Signature];

    public static string Sign(string secret, CallerIdentity caller, long issuedAt, string method, string path)
    {
        var payload = Encoding.UTF8.GetBytes($"{caller.KeyId}\n{caller.Role}\n{caller.StoreId}\n{issuedAt}\n{method.ToUpperInvariant()}\n{path}");
        return Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));
    }

    public static void Write(IHeaderDictionary headers, string secret, CallerIdentity caller, DateTimeOffset now, string method, string path)
    {
        var issuedAt = now.ToUnixTimeSeconds();
        headers[KeyId] = caller.KeyId;
        headers[Role] = caller.Role;
        headers[StoreId] = caller.StoreId ?? "";
        headers[IssuedAt] = issuedAt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers[Signature] = Sign(secret, caller, issuedAt, method, path);
    }

    /// <summary>The verified caller, or null when the headers are missing, malformed, stale or not signed by the gateway.</summary>
    public static CallerIdentity? Read(IHeaderDictionary headers, string secret, DateTimeOffset now, string method, string path)
    {
        string keyId = headers[KeyId].ToString(), role = headers[Role].ToString(), signature = headers[Signature].ToString();
        var storeId = headers[StoreId].ToString();
        if (keyId.Length == 0 || !Roles.All.Contains(role) || signature.Length == 0) return null;
        if (!long.TryParse(headers[IssuedAt].ToString(), out var issuedAt)) return null;
        if (Math.Abs(now.ToUnixTimeSeconds() - issuedAt) > MaxAge.TotalSeconds) return null;
        var caller = new CallerIdentity(keyId, role, storeId.Length == 0 ? null : storeId);
        if (Roles.IsStoreBound(role) && caller.StoreId is null) return null;
        var expected = Encoding.ASCII.GetBytes(Sign(secret, caller, issuedAt, method, path));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)) ? caller : null;
    }
}
