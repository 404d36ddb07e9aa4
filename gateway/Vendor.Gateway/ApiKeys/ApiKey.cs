using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;

namespace Vendor.Gateway.ApiKeys;

public sealed record ApiKeyIssued(string KeyId, string Name, string Role, string? StoreId, string SecretHash, DateTimeOffset IssuedAt);

public sealed record ApiKeyRotated(string KeyId, string SecretHash, DateTimeOffset RotatedAt);

public sealed record ApiKeyRevoked(string KeyId, DateTimeOffset RevokedAt);

/// <summary>An API key, stream <c>key:{keyId}</c>. Only the SHA-256 hash of the secret is ever stored.</summary>
public sealed record ApiKey(string Id, string KeyId, string Name, string Role, string? StoreId, string SecretHash,
    DateTimeOffset IssuedAt, DateTimeOffset? RevokedAt)
{
    public const string BootstrapKeyId = "ops-bootstrap";

    public bool Active => RevokedAt is null;

    public static string StreamKey(string keyId) => $"key:{keyId}";

    public static ApiKey Create(IEvent<ApiKeyIssued> e) =>
        new(e.StreamKey!, e.Data.KeyId, e.Data.Name, e.Data.Role, e.Data.StoreId, e.Data.SecretHash, e.Data.IssuedAt, null);

    public ApiKey Apply(ApiKeyRotated e) => this with { SecretHash = e.SecretHash };

    public ApiKey Apply(ApiKeyRevoked e) => this with { RevokedAt = e.RevokedAt };
}

public static class Secrets
{
    /// <summary>A new secret: 32 random bytes, URL-safe, with a prefix that secret scanners can match.</summary>
    public static string New() => "vnd_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string NewKeyId() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
