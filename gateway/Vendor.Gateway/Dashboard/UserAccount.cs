using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Dashboard;

public sealed record UserCreated(string Username, string DisplayName, string PasswordHash, string CreatedBy, DateTimeOffset At);

public sealed record UserPasswordChanged(string Username, string PasswordHash, string ChangedBy, DateTimeOffset At);

public sealed record UserDisabled(string Username, string DisabledBy, DateTimeOffset At);

public sealed record UserSignedIn(string Username, DateTimeOffset At);

public sealed record UserSignInFailed(string Username, int FailuresInARow, DateTimeOffset At);

public sealed record UserLockedOut(string Username, DateTimeOffset Until, DateTimeOffset At);

/// <summary>
/// An ops staff account of the dashboard, stream <c>user:{username}</c>. Only the password's hash (ASP.NET Core Identity's
/// PBKDF2 format) is ever stored. <see cref="Stamp"/> changes with the password and on disabling: a session cookie issued
/// under an older stamp is no longer honoured.
/// </summary>
public sealed record UserAccount(string Id, string Username, string DisplayName, string PasswordHash, DateTimeOffset CreatedAt,
    DateTimeOffset? DisabledAt, int FailuresInARow, DateTimeOffset? LockedUntil, DateTimeOffset? LastSignInAt, int Stamp)
{
    public bool Active => DisabledAt is null;

    public static string StreamKey(string username) => $"user:{username}";

    public static UserAccount Create(IEvent<UserCreated> e) =>
        new(e.StreamKey!, e.Data.Username, e.Data.DisplayName, e.Data.PasswordHash, e.Data.At, null, 0, null, null, 1);

    public UserAccount Apply(UserPasswordChanged e) =>
        this with { PasswordHash = e.PasswordHash, Stamp = Stamp + 1, FailuresInARow = 0, LockedUntil = null };

    public UserAccount Apply(UserDisabled e) => this with { DisabledAt = e.At, Stamp = Stamp + 1 };

    public UserAccount Apply(UserSignedIn e) => this with { LastSignInAt = e.At, FailuresInARow = 0, LockedUntil = null };

    public UserAccount Apply(UserSignInFailed e) => this with { FailuresInARow = e.FailuresInARow };

    public UserAccount Apply(UserLockedOut e) => this with { LockedUntil = e.Until, FailuresInARow = 0 };
}

/// <summary>Lock-out after repeated failures: <see cref="MaxFailures"/> wrong passwords in a row lock the account for <see cref="LockFor"/>.</summary>
public sealed record LockoutPolicy(int MaxFailures, TimeSpan LockFor)
{
    public static readonly LockoutPolicy Default = new(5, TimeSpan.FromMinutes(15));
}

public enum SignInOutcome { SignedIn, Invalid, LockedOut }

public sealed record SignInResult(SignInOutcome Outcome, DateTimeOffset? LockedUntil, IReadOnlyList<object> Events);

/// <summary>The bodies of POST /api/users and POST /api/users/{username}/password.</summary>
public sealed record CreateUser(string? Username, string? DisplayName, string? Password);

public sealed record ChangePassword(string? Password);

/// <summary>The account decisions: pure functions of the state, the command and the time (the password hasher is passed in).</summary>
public static class AccountDecisions
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 256;

    /// <summary>Usernames are ids (letters, digits, '-' and '_'), compared in lower case.</summary>
    public static string? Normalize(string? username) =>
        Ids.IsValid(username?.Trim()) ? username!.Trim().ToLowerInvariant() : null;

    public static Decision Create(UserAccount? existing, CreateUser command, Func<string, string> hash, string by, DateTimeOffset now)
    {
        var username = Normalize(command.Username);
        var errors = new Errors()
            .Check(username is not null, "username", $"Required: {Ids.Rule}.")
            .Check(!string.IsNullOrWhiteSpace(command.DisplayName) && command.DisplayName.Trim().Length <= 100, "displayName",
                "Required, at most 100 characters.");
        CheckPassword(command.Password, errors);
        if (errors.Any) return errors.ToDecision();
        if (existing is not null) return new Decision.Conflict($"The user '{username}' exists already.");
        return Decision.Of(new UserCreated(username!, command.DisplayName!.Trim(), hash(command.Password!), by, now));
    }

    public static Decision ChangePassword(UserAccount account, ChangePassword command, Func<string, string> hash, string by, DateTimeOffset now)
    {
        var errors = new Errors();
        CheckPassword(command.Password, errors);
        if (errors.Any) return errors.ToDecision();
        if (!account.Active) return new Decision.Conflict($"The user '{account.Username}' is disabled.");
        return Decision.Of(new UserPasswordChanged(account.Username, hash(command.Password!), by, now));
    }

    public static Decision Disable(UserAccount account, string by, DateTimeOffset now) =>
        account.Active ? Decision.Of(new UserDisabled(account.Username, by, now)) : new Decision.Unchanged();

    /// <summary>
    /// A sign-in attempt, given whether the password matched the account's hash. Unknown and disabled accounts are Invalid and
    /// record nothing; a locked account is refused without looking at the password and records nothing, so an attacker cannot
    /// grow the stream; a wrong password counts, and the <see cref="LockoutPolicy.MaxFailures"/>th in a row locks the account.
    /// </summary>
    public static SignInResult SignIn(UserAccount? account, bool passwordMatches, DateTimeOffset now, LockoutPolicy policy)
    {
        if (account is null || !account.Active) return new(SignInOutcome.Invalid, null, []);
        if (account.LockedUntil is { } until && until > now) return new(SignInOutcome.LockedOut, until, []);
        if (passwordMatches) return new(SignInOutcome.SignedIn, null, [new UserSignedIn(account.Username, now)]);
        var failures = account.FailuresInARow + 1;
        var failed = new UserSignInFailed(account.Username, failures, now);
        if (failures < policy.MaxFailures) return new(SignInOutcome.Invalid, null, [failed]);
        var lockedUntil = now + policy.LockFor;
        return new(SignInOutcome.LockedOut, lockedUntil, [failed, new UserLockedOut(account.Username, lockedUntil, now)]);
    }

    /// <summary>The bootstrap account follows its variables: created once, its password reset when the variable changes; a disabled one stays disabled.</summary>
    public static Decision Bootstrap(UserAccount? existing, string username, string password, Func<string, bool> matches,
        Func<string, string> hash, DateTimeOffset now) => existing switch
    {
        null => Create(null, new CreateUser(username, username, password), hash, "bootstrap", now),
        { Active: false } => new Decision.Unchanged(),
        _ when matches(existing.PasswordHash) => new Decision.Unchanged(),
        _ => ChangePassword(existing, new ChangePassword(password), hash, "bootstrap", now),
    };

    private static void CheckPassword(string? password, Errors errors) =>
        errors.Check(password is { Length: >= MinPasswordLength and <= MaxPasswordLength } && !string.IsNullOrWhiteSpace(password), "password",
            $"Required, {MinPasswordLength} to {MaxPasswordLength} characters.");
}
