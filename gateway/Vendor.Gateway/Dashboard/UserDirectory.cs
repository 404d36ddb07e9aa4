using System.Security.Claims;
using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Vendor.Gateway.Dashboard;

/// <summary>
/// The accounts behind session cookies, cached briefly: each cookie request checks the account is still active and its stamp
/// unchanged (a password change or disabling ends the sessions on every replica within <see cref="CacheFor"/>).
/// </summary>
public sealed class UserDirectory(IDocumentStore store) : IDisposable
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    public const string StampClaim = "vendor:stamp";
    public const string DisplayNameClaim = "vendor:display-name";

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });

    private sealed record Entry(UserAccount? Account);

    public async ValueTask<UserAccount?> FindAsync(string username, CancellationToken ct)
    {
        if (_cache.TryGetValue(username, out Entry? cached)) return cached!.Account;
        await using var session = store.QuerySession();
        var account = await session.LoadAsync<UserAccount>(UserAccount.StreamKey(username), ct);
        _cache.Set(username, new Entry(account), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CacheFor });
        return account;
    }

    public void Forget(string username) => _cache.Remove(username);

    /// <summary>The signed-in username of a request carrying a valid session cookie, else null.</summary>
    public static string? SignedIn(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: DashboardModule.CookieScheme, Name: { Length: > 0 } name } ? name : null;

    /// <summary>Whether a session's account is still active with the password it signed in with (else the session is over).</summary>
    public async ValueTask<bool> StillValidAsync(ClaimsPrincipal? principal, CancellationToken ct)
    {
        var username = principal?.Identity?.Name;
        var stamp = principal?.FindFirst(StampClaim)?.Value;
        var account = username is null ? null : await FindAsync(username, ct);
        return account is { Active: true } && account.Stamp.ToString(System.Globalization.CultureInfo.InvariantCulture) == stamp;
    }

    public static ClaimsPrincipal Principal(UserAccount account) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, account.Username),
        new Claim(DisplayNameClaim, account.DisplayName),
        new Claim(ClaimTypes.Role, Vendor.ServiceDefaults.Roles.Ops), // every dashboard account is ops staff
        new Claim(StampClaim, account.Stamp.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ], DashboardModule.CookieScheme));

    public void Dispose() => _cache.Dispose();
}
