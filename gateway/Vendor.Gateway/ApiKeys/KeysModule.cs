using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.ApiKeys;

public sealed record KeyView(string KeyId, string Name, string Role, string? StoreId, DateTimeOffset IssuedAt, DateTimeOffset? RevokedAt)
{
    public static KeyView Of(ApiKey k) => new(k.KeyId, k.Name, k.Role, k.StoreId, k.IssuedAt, k.RevokedAt);
}

public sealed record IssuedKey(string KeyId, string Secret, string Name, string Role, string? StoreId);

public static class KeysModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<ApiKeyIssued>("apikey.issued.v1");
        options.Events.MapEventType<ApiKeyRotated>("apikey.rotated.v1");
        options.Events.MapEventType<ApiKeyRevoked>("apikey.revoked.v1");
        options.Projections.Snapshot<ApiKey>(SnapshotLifecycle.Inline);
        options.Schema.For<ApiKey>().UniqueIndex(k => k.SecretHash);
    }

    /// <summary>Key management, served by the gateway itself; ops only (checked by <see cref="GatewayPolicy"/>).</summary>
    public static void MapKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("API keys");

        keys.MapPost("/", async Task<IResult> (IssueKey command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
            {
                var (keyId, secret) = (Secrets.NewKeyId(), Secrets.New());
                var decision = KeyDecisions.Issue(command, keyId, Secrets.Hash(secret), clock.GetUtcNow());
                if (decision.Refusal() is { } refusal) return refusal;
                session.Events.StartStream<ApiKey>(ApiKey.StreamKey(keyId), ((Decision.Append)decision).Events.ToArray());
                await session.SaveChangesAsync(ct);
                return TypedResults.Created($"/api/keys/{keyId}",
                    new IssuedKey(keyId, secret, command.Name!.Trim(), command.Role!, command.StoreId));
            })
            .WithName("IssueKey").WithSummary("Issue an API key; the secret is shown only in this answer (ops).")
            .ProducesValidationProblem();

        keys.MapGet("/", async (IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await session.Query<ApiKey>().OrderBy(k => k.IssuedAt).ToListAsync(ct)).Select(KeyView.Of)))
            .WithName("ListKeys").WithSummary("All API keys, without secrets (ops).");

        keys.MapDelete("/{keyId}", async Task<IResult> (string keyId, IDocumentSession session, KeyDirectory directory,
                TimeProvider clock, CancellationToken ct) =>
            {
                var stream = await session.Events.FetchForWriting<ApiKey>(ApiKey.StreamKey(keyId), ct);
                if (stream.Aggregate is null) return Problems.NotFound($"No key '{keyId}'.");
                if (KeyDecisions.Revoke(stream.Aggregate, clock.GetUtcNow()) is Decision.Append append)
                {
                    stream.AppendMany(append.Events);
                    await session.SaveChangesAsync(ct);
                }
                directory.Forget(stream.Aggregate.SecretHash);
                return TypedResults.NoContent();
            })
            .WithName("RevokeKey").WithSummary("Revoke an API key (ops).")
            .ProducesProblem(404);
    }
}
