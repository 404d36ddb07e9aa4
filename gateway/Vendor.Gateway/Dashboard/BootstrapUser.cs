using JasperFx;
using Marten;
using Marten.Exceptions;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Dashboard;

/// <summary>
/// The first ops account, from VENDOR_BOOTSTRAP_OPS_USER and VENDOR_BOOTSTRAP_OPS_PASSWORD (both or neither): created once; a
/// changed password variable resets the password at the next start; a disabled bootstrap account stays disabled.
/// </summary>
public sealed class BootstrapUser(IDocumentStore store, IConfiguration configuration, Passwords passwords, TimeProvider clock,
    ILogger<BootstrapUser> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var (user, password) = (configuration["VENDOR_BOOTSTRAP_OPS_USER"], configuration["VENDOR_BOOTSTRAP_OPS_PASSWORD"]);
        if (string.IsNullOrWhiteSpace(user) && string.IsNullOrEmpty(password)) return;
        var username = AccountDecisions.Normalize(user)
            ?? throw new InvalidOperationException($"VENDOR_BOOTSTRAP_OPS_USER must be {Ids.Rule}.");
        if (password is not { Length: >= AccountDecisions.MinPasswordLength })
            throw new InvalidOperationException($"VENDOR_BOOTSTRAP_OPS_PASSWORD must be at least {AccountDecisions.MinPasswordLength} characters.");

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<UserAccount>(UserAccount.StreamKey(username), ct);
        var decision = AccountDecisions.Bootstrap(stream.Aggregate, username, password, hash => passwords.Matches(hash, password),
            passwords.Hash, clock.GetUtcNow());
        if (decision is Decision.Unchanged && stream.Aggregate is { Active: false })
            logger.LogWarning("The bootstrap ops account {Username} is disabled; VENDOR_BOOTSTRAP_OPS_PASSWORD is ignored.", username);
        if (decision is not Decision.Append append) return;
        stream.AppendMany(append.Events);
        try
        {
            await session.SaveChangesAsync(ct);
            logger.LogInformation("Bootstrap ops account {Username} {What}.", username, stream.Aggregate is null ? "created" : "given its new password");
        }
        catch (Exception e) when (e is ConcurrencyException or ExistingStreamIdCollisionException)
        {
            logger.LogInformation("Another gateway replica bootstrapped the ops account at the same time.");
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
