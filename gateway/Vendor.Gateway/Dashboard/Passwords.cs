using Microsoft.AspNetCore.Identity;

namespace Vendor.Gateway.Dashboard;

/// <summary>ASP.NET Core Identity's password hasher (PBKDF2-HMAC-SHA512, salted, 100,000 iterations), nothing else of Identity.</summary>
public sealed class Passwords
{
    private readonly PasswordHasher<UserAccount> _hasher = new();
    private readonly Lazy<string> _decoy;

    public Passwords() => _decoy = new Lazy<string>(() => Hash("decoy-password-never-used"));

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    public bool Matches(string hash, string password) =>
        _hasher.VerifyHashedPassword(null!, hash, password) != PasswordVerificationResult.Failed;

    /// <summary>Spends the time a real check takes, so an unknown username answers no faster than a known one.</summary>
    public void Decoy(string password) => Matches(_decoy.Value, password);
}
