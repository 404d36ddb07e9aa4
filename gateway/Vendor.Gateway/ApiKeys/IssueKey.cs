using Vendor.ServiceDefaults;

namespace Vendor.Gateway.ApiKeys;

/// <summary>The body of POST /api/keys.</summary>
public sealed record IssueKey(string? Name, string? Role, string? StoreId, DateTimeOffset? ExpiresAt = null);

/// <summary>The body of POST /api/keys/{keyId}/rotate (optional).</summary>
public sealed record RotateKey(int? OverlapSeconds = null);

public static class KeyDecisions
{
    /// <summary>Without a word from the caller the old secret keeps working a day: time to roll the new one out.</summary>
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);

    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(30);

    public static Decision Issue(IssueKey command, string keyId, string secretHash, DateTimeOffset now)
    {
        var role = command.Role ?? "";
        var errors = new Errors()
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Trim().Length <= 100, "name",
                "Required, at most 100 characters.")
            .Check(Roles.All.Contains(role), "role", "Required, one of: ops, store, ingest.")
            .Check(command.ExpiresAt is null || command.ExpiresAt > now, "expiresAt", "Must be in the future (or left out: no expiry).");
        if (Roles.IsStoreBound(role))
            errors.Check(Ids.IsValid(command.StoreId), "storeId",
                $"A '{role}' key is bound to one store: give its storeId.");
        else if (role == Roles.Ops)
            errors.Check(command.StoreId is null, "storeId", "An ops key sees every store: leave storeId out.");
        if (errors.Any) return errors.ToDecision();
        return Decision.Of(new ApiKeyIssued(keyId, command.Name!.Trim(), role, command.StoreId, secretHash, now,
            command.ExpiresAt?.ToUniversalTime()));
    }

    /// <summary>
    /// A new secret; the current one keeps working for the overlap (0 ends it at once). Only the secret being replaced
    /// overlaps: one still overlapping from an earlier rotation ends now.
    /// </summary>
    public static Decision Rotate(ApiKey key, RotateKey command, string newSecretHash, DateTimeOffset now)
    {
        var overlap = command.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultOverlap;
        var errors = new Errors().Check(overlap >= TimeSpan.Zero && overlap <= MaxOverlap, "overlapSeconds",
            $"Between 0 and {(long)MaxOverlap.TotalSeconds} ({MaxOverlap.TotalDays:0} days); default {(long)DefaultOverlap.TotalSeconds}.");
        if (errors.Any) return errors.ToDecision();
        if (!key.Active) return new Decision.Conflict("The key is revoked; issue a new one.");
        if (key.ExpiredAt(now)) return new Decision.Conflict("The key has expired; issue a new one.");
        var until = now + overlap;
        // The old secret never outlives the key.
        if (key.ExpiresAt is { } expires && until > expires) until = expires;
        return Decision.Of(new ApiKeyRotated(key.KeyId, newSecretHash, now, overlap == TimeSpan.Zero ? null : until));
    }

    /// <summary>Revocation ends every secret of the key, an overlapping previous one included.</summary>
    public static Decision Revoke(ApiKey key, DateTimeOffset now) =>
        key.Active ? Decision.Of(new ApiKeyRevoked(key.KeyId, now)) : new Decision.Unchanged();

    /// <summary>
    /// The bootstrap ops key follows VENDOR_BOOTSTRAP_OPS_KEY: issued once, rotated when the variable changes (the old value ends
    /// at once: whoever changes the variable means it). A revoked bootstrap key stays revoked: restarting with the old variable
    /// must not bring it back.
    /// </summary>
    public static Decision Bootstrap(ApiKey? existing, string secretHash, DateTimeOffset now) => existing switch
    {
        null => Decision.Of(new ApiKeyIssued(ApiKey.BootstrapKeyId, "bootstrap ops key", Roles.Ops, null, secretHash, now)),
        { Active: false } => new Decision.Unchanged(),
        { SecretHash: var hash } when hash == secretHash => new Decision.Unchanged(),
        _ => Decision.Of(new ApiKeyRotated(ApiKey.BootstrapKeyId, secretHash, now)),
    };
}
