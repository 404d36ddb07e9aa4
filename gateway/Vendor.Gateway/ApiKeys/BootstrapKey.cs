using JasperFx;
using Marten;
using Marten.Exceptions;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.ApiKeys;

/// <summary>
/// Makes sure a fresh install has an ops key: the one in VENDOR_BOOTSTRAP_OPS_KEY when set; otherwise, when no
/// active ops key exists, a generated one written once to Gateway:GeneratedKeyFile (./vendor up prints and deletes it), or to
/// <see cref="DefaultFile"/> when that is not set. The secret itself is never logged: logs travel further than a 0600 file.
/// </summary>
public sealed class BootstrapKey(IDocumentStore store, IConfiguration configuration, TimeProvider clock, ILogger<BootstrapKey> logger)
    : IHostedService
{
    public static string DefaultFile => Path.Combine(Path.GetTempPath(), "vendor-generated-ops-key");

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
        // Another replica may hold the old secret in its cache: a rotation by variable ends the old secret everywhere.
        if (stream.Aggregate is not null) KeyChangeListener.Notify(session);
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
        var file = configuration["Gateway:GeneratedKeyFile"] is { Length: > 0 } configured ? configured : DefaultFile;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        // Created new and 0600, never readable by others even for a moment. Whatever stood at the path (a stale file, or a link
        // someone planted in a shared /tmp) is removed first, not followed: CreateNew fails rather than write through a link.
        File.Delete(file);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var writer = new StreamWriter(file, new System.Text.UTF8Encoding(false), options)) await writer.WriteAsync(generated.AsMemory(), ct);
        logger.LogWarning("Generated the first ops API key; its secret was written once to {File}", file);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
