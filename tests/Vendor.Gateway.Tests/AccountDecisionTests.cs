using Vendor.Gateway.Dashboard;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

/// <summary>The dashboard accounts' pure decisions: creation rules, lock-out after repeated failures, the bootstrap account.</summary>
public class AccountDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly LockoutPolicy Policy = new(5, TimeSpan.FromMinutes(15));
    private static string Hash(string password) => $"h({password})";

    private static UserAccount Account(string password = "correct horse battery") =>
        new("user:alice", "alice", "Alice", Hash(password), Now.AddDays(-1), null, 0, null, null, 1);

    private static UserAccount Fold(UserAccount account, IEnumerable<object> events) => events.Aggregate(account, (a, e) => e switch
    {
        UserSignedIn x => a.Apply(x),
        UserSignInFailed x => a.Apply(x),
        UserLockedOut x => a.Apply(x),
        UserPasswordChanged x => a.Apply(x),
        UserDisabled x => a.Apply(x),
        _ => throw new InvalidOperationException(e.GetType().Name),
    });

    [Fact]
    public void A_new_account_needs_an_id_like_username_a_display_name_and_a_password_of_12_or_more()
    {
        var invalid = Assert.IsType<Decision.Invalid>(AccountDecisions.Create(null, new CreateUser("no spaces", "", "short"), Hash, "ops", Now));
        Assert.Equal(["displayName", "password", "username"], invalid.Errors.Keys.Order());

        var created = Assert.IsType<Decision.Append>(AccountDecisions.Create(null, new CreateUser(" Alice ", "爱丽丝", "twelve chars"), Hash, "ops", Now));
        var e = Assert.IsType<UserCreated>(Assert.Single(created.Events));
        Assert.Equal(("alice", "爱丽丝", "h(twelve chars)", "ops"), (e.Username, e.DisplayName, e.PasswordHash, e.CreatedBy));
    }

    [Fact]
    public void An_existing_username_is_a_conflict_and_a_blank_password_is_invalid()
    {
        Assert.IsType<Decision.Conflict>(AccountDecisions.Create(Account(), new CreateUser("alice", "Alice", "another password"), Hash, "ops", Now));
        Assert.IsType<Decision.Invalid>(AccountDecisions.Create(null, new CreateUser("bob", "Bob", new string(' ', 12)), Hash, "ops", Now));
    }

    [Fact]
    public void The_fifth_wrong_password_in_a_row_locks_the_account_for_15_minutes()
    {
        var account = Account();
        for (var i = 1; i <= 4; i++)
        {
            var result = AccountDecisions.SignIn(account, passwordMatches: false, Now, Policy);
            Assert.Equal(SignInOutcome.Invalid, result.Outcome);
            account = Fold(account, result.Events);
            Assert.Equal(i, account.FailuresInARow);
        }

        var fifth = AccountDecisions.SignIn(account, false, Now, Policy);
        Assert.Equal(SignInOutcome.LockedOut, fifth.Outcome);
        Assert.Equal(Now.AddMinutes(15), fifth.LockedUntil);
        account = Fold(account, fifth.Events);

        // While locked, even the right password is refused, and nothing is recorded (an attacker cannot grow the stream).
        var locked = AccountDecisions.SignIn(account, passwordMatches: true, Now.AddMinutes(14), Policy);
        Assert.Equal(SignInOutcome.LockedOut, locked.Outcome);
        Assert.Empty(locked.Events);

        // After the lock-out the right password works and clears the count.
        var later = AccountDecisions.SignIn(account, true, Now.AddMinutes(15), Policy);
        Assert.Equal(SignInOutcome.SignedIn, later.Outcome);
        account = Fold(account, later.Events);
        Assert.Equal((0, (DateTimeOffset?)null, (DateTimeOffset?)Now.AddMinutes(15)), (account.FailuresInARow, account.LockedUntil, account.LastSignInAt));
    }

    [Fact]
    public void A_success_resets_the_count_so_only_failures_in_a_row_lock()
    {
        var account = Account();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 4; i++) account = Fold(account, AccountDecisions.SignIn(account, false, Now, Policy).Events);
            var ok = AccountDecisions.SignIn(account, true, Now, Policy);
            Assert.Equal(SignInOutcome.SignedIn, ok.Outcome);
            account = Fold(account, ok.Events);
        }
        Assert.Null(account.LockedUntil);
    }

    [Fact]
    public void After_a_lock_out_expires_the_count_starts_again()
    {
        var account = Account();
        for (var i = 0; i < 5; i++) account = Fold(account, AccountDecisions.SignIn(account, false, Now, Policy).Events);
        Assert.Equal(Now.AddMinutes(15), account.LockedUntil);

        var afterwards = AccountDecisions.SignIn(account, false, Now.AddMinutes(20), Policy);
        Assert.Equal(SignInOutcome.Invalid, afterwards.Outcome);
        Assert.Equal(1, Assert.IsType<UserSignInFailed>(Assert.Single(afterwards.Events)).FailuresInARow);
    }

    [Fact]
    public void Unknown_and_disabled_accounts_are_invalid_and_record_nothing()
    {
        Assert.Equal((SignInOutcome.Invalid, 0), Outcome(AccountDecisions.SignIn(null, true, Now, Policy)));
        var disabled = Fold(Account(), AccountDecisions.Disable(Account(), "ops", Now) is Decision.Append a ? a.Events : []);
        Assert.False(disabled.Active);
        Assert.Equal((SignInOutcome.Invalid, 0), Outcome(AccountDecisions.SignIn(disabled, true, Now, Policy)));
        Assert.IsType<Decision.Unchanged>(AccountDecisions.Disable(disabled, "ops", Now));
    }

    [Fact]
    public void A_new_password_lifts_a_lock_out_and_changes_the_stamp_that_ends_sessions()
    {
        var account = Account();
        for (var i = 0; i < 5; i++) account = Fold(account, AccountDecisions.SignIn(account, false, Now, Policy).Events);
        var changed = Assert.IsType<Decision.Append>(AccountDecisions.ChangePassword(account, new ChangePassword("a brand new password"), Hash, "ops", Now));
        var after = Fold(account, changed.Events);
        Assert.Equal((2, (DateTimeOffset?)null, "h(a brand new password)"), (after.Stamp, after.LockedUntil, after.PasswordHash));
        Assert.IsType<Decision.Invalid>(AccountDecisions.ChangePassword(account, new ChangePassword("short"), Hash, "ops", Now));
    }

    [Fact]
    public void The_bootstrap_account_is_created_once_and_follows_its_password_variable_unless_disabled()
    {
        var created = Assert.IsType<Decision.Append>(AccountDecisions.Bootstrap(null, "ops", "bootstrap password", _ => false, Hash, Now));
        Assert.IsType<UserCreated>(Assert.Single(created.Events));
        var same = Account("bootstrap password");
        Assert.IsType<Decision.Unchanged>(AccountDecisions.Bootstrap(same, "alice", "bootstrap password", h => h == Hash("bootstrap password"), Hash, Now));
        var rotated = Assert.IsType<Decision.Append>(AccountDecisions.Bootstrap(same, "alice", "a newer password", h => h == Hash("a newer password"), Hash, Now));
        Assert.IsType<UserPasswordChanged>(Assert.Single(rotated.Events));
        var disabled = same with { DisabledAt = Now };
        Assert.IsType<Decision.Unchanged>(AccountDecisions.Bootstrap(disabled, "alice", "a newer password", _ => false, Hash, Now));
    }

    [Theory]
    [InlineData("/dashboard/store?storeId=a", "/dashboard/store?storeId=a")]
    [InlineData("https://evil.example/", "/dashboard/")]
    [InlineData("//evil.example/dashboard/", "/dashboard/")]
    [InlineData("/dashboard//evil.example", "/dashboard/")]
    [InlineData("/dashboard/\\evil", "/dashboard/")]
    [InlineData("/api/keys", "/dashboard/")]
    [InlineData(null, "/dashboard/")]
    public void After_sign_in_only_a_dashboard_path_of_this_site_is_followed(string? returnUrl, string expected) =>
        Assert.Equal(expected, SignInEndpoints.LocalDashboardUrl(returnUrl));

    private static (SignInOutcome, int) Outcome(SignInResult r) => (r.Outcome, r.Events.Count);
}
