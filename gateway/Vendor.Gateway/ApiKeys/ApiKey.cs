using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;

namespace Vendor.Gateway.ApiKeys;

/// <param name="ExpiresAt">Optional (added after v1): from then on the key answers 401 like an unknown one.</param>
public sealed record ApiKeyIssued(string KeyId, string Name, string Role, string? StoreId, string SecretHash, DateTimeOffset IssuedAt,
    DateTimeOffset? ExpiresAt = null);

/// <param name="PreviousValidUntil">
/// Optional (added after v1): until when the replaced secret still works beside the new one. Null: the old secret ends at once
/// (the bootstrap key's rotation by environment variable, and every rotation recorded before overlaps existed).
/// </param>
public sealed record ApiKeyRotated(string KeyId, string SecretHash, DateTimeOffset RotatedAt, DateTimeOffset? PreviousValidUntil = null);

public sealed record ApiKeyRevoked(string KeyId, DateTimeOffset RevokedAt);

/// <summary>
/// An API key, stream <c>key:{keyId}</c>. Only SHA-256 hashes of secrets are ever stored: the current one and, during a
/// rotation's overlap, the one it replaced.
/// </summary>
public sealed record ApiKey(string Id, string KeyId, string Name, string Role, string? StoreId, string SecretHash,
    DateTimeOffset IssuedAt, DateTimeOffset? RevokedAt)
{
    public const string BootstrapKeyId = "ops-bootstrap";

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The hash of the secret the last rotation replaced, while it may still work (see <see cref="PreviousValidUntil"/>).</summary>
    public string? PreviousSecretHash { get; init; }

    public DateTimeOffset? PreviousValidUntil { get; init; }

    public DateTimeOffset? RotatedAt { get; init; }

    /// <summary>Not revoked (expiry is a matter of time: see <see cref="Accepts"/>).</summary>
    public bool Active => RevokedAt is null;

    public bool ExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires;

    /// <summary>
    /// Whether a presented secret (by its hash) opens this key now: not revoked, not expired, and either the current secret or
    /// the previous one inside its overlap.
    /// </summary>
    public bool Accepts(string secretHash, DateTimeOffset now) =>
        Active && !ExpiredAt(now)
        && (secretHash == SecretHash || (secretHash == PreviousSecretHash && PreviousValidUntil is { } until && now < until));

    public static string StreamKey(string keyId) => $"key:{keyId}";

    public static ApiKey Create(IEvent<ApiKeyIssued> e) =>
        new(e.StreamKey!, e.Data.KeyId, e.Data.Name, e.Data.Role, e.Data.StoreId, e.Data.SecretHash, e.Data.IssuedAt, null)
        {
            ExpiresAt = e.Data.ExpiresAt,
        };

    /// <summary>A rotation keeps only the secret it replaced as the previous one; an earlier previous secret ends with it.</summary>
    public ApiKey Apply(ApiKeyRotated e) => this with
    {
        SecretHash = e.SecretHash,
        PreviousSecretHash = e.PreviousValidUntil is null ? null : SecretHash,
        PreviousValidUntil = e.PreviousValidUntil,
        RotatedAt = e.RotatedAt,
    };

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
