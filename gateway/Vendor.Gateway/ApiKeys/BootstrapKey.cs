using JasperFx;
using Marten;
using Marten.Exceptions;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Makes sure a fresh install has an ops key: the one in VENDOR_BOOTSTRAP_OPS_KEY when set; otherwise, when no
/// active ops key exists, a generated one written once to Gateway:GeneratedKeyFile (./vendor up prints and deletes it).
/// </summary>
public sealed class BootstrapKey(IDocumentStore store, IConfiguration configuration, TimeProvider clock, ILogger<BootstrapKey> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<ApiKey>(ApiKey.StreamKey(ApiKey.BootstrapKeyId), ct);
        var secret = configuration["VENDOR_BOOTSTRAP_OPS_KEY"];
        string? generated = null;
        if (string.IsNullOrWhiteSpace(secret))
        {
            if (await session.Query<ApiKey>().AnyAsync(k => k.Role == Roles.Ops && k.RevokedAt == null, ct)) return;
            secret = generated = Secrets.New();
        }
        else if (secret.Length < 16)
        {
            throw new InvalidOperationException("VENDOR_BOOTSTRAP_OPS_KEY must be at least 16 characters.");
        }

        var decision = KeyDecisions.Bootstrap(stream.Aggregate, Secrets.Hash(secret), clock.GetUtcNow());
        if (decision is Decision.Unchanged && stream.Aggregate is { Active: false })
            logger.LogWarning("The bootstrap ops key was revoked; VENDOR_BOOTSTRAP_OPS_KEY is ignored.");
        if (decision is not Decision.Append append) return;
        stream.AppendMany(append.Events);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is ConcurrencyException or ExistingStreamIdCollisionException)
        {
            logger.LogInformation("Another gateway replica bootstrapped the ops key at the same time.");
            return;
        }

        if (generated is null) return;
        var file = configuration["Gateway:GeneratedKeyFile"];
        if (string.IsNullOrWhiteSpace(file))
        {
            logger.LogWarning("Generated the first ops API key (shown once): {Secret}", generated);
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        await File.WriteAllTextAsync(file, generated, ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        logger.LogWarning("Generated the first ops API key; its secret was written once to {File}", file);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
