using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.ApiKeys;

/// <summary>A key as listed: never a secret nor its hash.</summary>
public sealed record KeyView(string KeyId, string Name, string Role, string? StoreId, DateTimeOffset IssuedAt, DateTimeOffset? RevokedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RotatedAt, DateTimeOffset? PreviousSecretValidUntil, string Status)
{
    public static KeyView Of(ApiKey k, DateTimeOffset now) => new(k.KeyId, k.Name, k.Role, k.StoreId, k.IssuedAt, k.RevokedAt,
        k.ExpiresAt, k.RotatedAt,
        k.Active && k.PreviousValidUntil is { } until && until > now ? until : null,
        !k.Active ? "revoked" : k.ExpiredAt(now) ? "expired" : "active");
}

public sealed record IssuedKey(string KeyId, string Secret, string Name, string Role, string? StoreId, DateTimeOffset? ExpiresAt);

/// <summary>The answer of a rotation: the new secret (shown only here) and until when the previous one still works.</summary>
public sealed record RotatedKey(string KeyId, string Secret, DateTimeOffset RotatedAt, DateTimeOffset? PreviousSecretValidUntil);

public static class KeysModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<ApiKeyIssued>("apikey.issued.v1");
        options.Events.MapEventType<ApiKeyRotated>("apikey.rotated.v1");
        options.Events.MapEventType<ApiKeyRevoked>("apikey.revoked.v1");
        options.Projections.Snapshot<ApiKey>(SnapshotLifecycle.Inline);
        options.Schema.For<ApiKey>().UniqueIndex(k => k.SecretHash).Index(k => k.PreviousSecretHash!);
    }

    /// <summary>Key management, served by the gateway itself; ops only (<see cref="GatewayPolicy"/>, and again at the endpoints).</summary>
    public static void MapKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("API keys").RequireOps();

        keys.MapPost("/", async Task<IResult> (IssueKey command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
            {
                var (keyId, secret) = (Secrets.NewKeyId(), Secrets.New());
                var decision = KeyDecisions.Issue(command, keyId, Secrets.Hash(secret), clock.GetUtcNow());
                if (decision.Refusal() is { } refusal) return refusal;
                var issued = (ApiKeyIssued)((Decision.Append)decision).Events[0];
                session.Events.StartStream<ApiKey>(ApiKey.StreamKey(keyId), issued);
                await session.SaveChangesAsync(ct);
                return TypedResults.Created($"/api/keys/{keyId}",
                    new IssuedKey(keyId, secret, issued.Name, issued.Role, issued.StoreId, issued.ExpiresAt));
            })
            .WithName("IssueKey").WithSummary("Issue an API key (optional expiresAt); the secret is shown only in this answer (ops).")
            .ProducesValidationProblem();

        keys.MapGet("/", async (IQuerySession session, TimeProvider clock, CancellationToken ct) =>
            {
                var now = clock.GetUtcNow();
                return TypedResults.Ok((await session.Query<ApiKey>().OrderBy(k => k.IssuedAt).ToListAsync(ct)).Select(k => KeyView.Of(k, now)));
            })
            .WithName("ListKeys").WithSummary("All API keys with status and expiry, without secrets (ops).");

        keys.MapPost("/{keyId}/rotate", async Task<IResult> (string keyId, RotateKey? command, IDocumentSession session,
                KeyDirectory directory, IConfiguration configuration, TimeProvider clock, CancellationToken ct) =>
            {
                var stream = await session.Events.FetchForWriting<ApiKey>(ApiKey.StreamKey(keyId), ct);
                if (stream.Aggregate is null) return Problems.NotFound($"No key '{keyId}'.");
                // The variable would put its own secret back at the next start.
                if (keyId == ApiKey.BootstrapKeyId && !string.IsNullOrWhiteSpace(configuration["VENDOR_BOOTSTRAP_OPS_KEY"]))
                    return Problems.Conflict("The bootstrap key follows VENDOR_BOOTSTRAP_OPS_KEY: change the variable to rotate it.");
                var secret = Secrets.New();
                var decision = KeyDecisions.Rotate(stream.Aggregate, command ?? new RotateKey(), Secrets.Hash(secret), clock.GetUtcNow());
                if (decision.Refusal() is { } refusal) return refusal;
                var rotated = (ApiKeyRotated)((Decision.Append)decision).Events[0];
                stream.AppendOne(rotated);
                KeyChangeListener.Notify(session);
                await session.SaveChangesAsync(ct);
                directory.ForgetAll();
                return TypedResults.Ok(new RotatedKey(keyId, secret, rotated.RotatedAt, rotated.PreviousValidUntil));
            })
            .WithName("RotateKey")
            .WithSummary("A new secret for the key (shown only in this answer); the previous one works for overlapSeconds more (default 24 h, at most 30 days) (ops).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        keys.MapDelete("/{keyId}", async Task<IResult> (string keyId, IDocumentSession session, KeyDirectory directory,
                TimeProvider clock, CancellationToken ct) =>
            {
                var stream = await session.Events.FetchForWriting<ApiKey>(ApiKey.StreamKey(keyId), ct);
                if (stream.Aggregate is null) return Problems.NotFound($"No key '{keyId}'.");
                if (KeyDecisions.Revoke(stream.Aggregate, clock.GetUtcNow()) is Decision.Append append)
                {
                    stream.AppendMany(append.Events);
                    KeyChangeListener.Notify(session);
                    await session.SaveChangesAsync(ct);
                }
                directory.ForgetAll();
                return TypedResults.NoContent();
            })
            .WithName("RevokeKey").WithSummary("Revoke an API key: every secret of it ends on every gateway replica within about a second (ops).")
            .ProducesProblem(404);
    }
}
