using Vendor.ServiceDefaults;

namespace Vendor.Gateway.ApiKeys;

/// <summary>The body of POST /api/keys.</summary>
public sealed record IssueKey(string? Name, string? Role, string? StoreId);

public static class KeyDecisions
{
    public static Decision Issue(IssueKey command, string keyId, string secretHash, DateTimeOffset now)
    {
        var role = command.Role ?? "";
        var errors = new Errors()
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Trim().Length <= 100, "name",
                "Required, at most 100 characters.")
            .Check(Roles.All.Contains(role), "role", "Required, one of: ops, store, ingest.");
        if (Roles.IsStoreBound(role))
            errors.Check(Ids.IsValid(command.StoreId), "storeId",
                $"A '{role}' key is bound to one store: give its storeId.");
        else if (role == Roles.Ops)
            errors.Check(command.StoreId is null, "storeId", "An ops key sees every store: leave storeId out.");
        if (errors.Any) return errors.ToDecision();
        return Decision.Of(new ApiKeyIssued(keyId, command.Name!.Trim(), role, command.StoreId, secretHash, now));
    }

    public static Decision Revoke(ApiKey key, DateTimeOffset now) =>
        key.Active ? Decision.Of(new ApiKeyRevoked(key.KeyId, now)) : new Decision.Unchanged();

    /// <summary>
    /// The bootstrap ops key follows VENDOR_BOOTSTRAP_OPS_KEY: issued once, rotated when the variable changes.
    /// A revoked bootstrap key stays revoked: restarting with the old variable must not bring it back.
    /// </summary>
    public static Decision Bootstrap(ApiKey? existing, string secretHash, DateTimeOffset now) => existing switch
    {
        null => Decision.Of(new ApiKeyIssued(ApiKey.BootstrapKeyId, "bootstrap ops key", Roles.Ops, null, secretHash, now)),
        { Active: false } => new Decision.Unchanged(),
        { SecretHash: var hash } when hash == secretHash => new Decision.Unchanged(),
        _ => Decision.Of(new ApiKeyRotated(ApiKey.BootstrapKeyId, secretHash, now)),
    };
}
