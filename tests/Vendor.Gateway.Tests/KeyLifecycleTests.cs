using Vendor.Gateway.ApiKeys;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

/// <summary>The pure rules of a key's life: expiry, rotation with an overlap, revocation.</summary>
public class KeyLifecycleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static ApiKey Issued(DateTimeOffset? expiresAt = null)
    {
        var issued = (ApiKeyIssued)Assert.IsType<Decision.Append>(
            KeyDecisions.Issue(new IssueKey("ci", Roles.Store, "acme", expiresAt), "key_1", "h1", Now)).Events[0];
        return new ApiKey(ApiKey.StreamKey(issued.KeyId), issued.KeyId, issued.Name, issued.Role, issued.StoreId, issued.SecretHash,
            issued.IssuedAt, null) { ExpiresAt = issued.ExpiresAt };
    }

    private static ApiKey Rotate(ApiKey key, string newHash, int? overlapSeconds, DateTimeOffset at) =>
        key.Apply((ApiKeyRotated)Assert.IsType<Decision.Append>(
            KeyDecisions.Rotate(key, new RotateKey(overlapSeconds), newHash, at)).Events[0]);

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void An_expiry_not_in_the_future_is_refused(int secondsFromNow)
    {
        var invalid = Assert.IsType<Decision.Invalid>(
            KeyDecisions.Issue(new IssueKey("ci", Roles.Ops, null, Now.AddSeconds(secondsFromNow)), "k", "h", Now));

        Assert.Equal(["expiresAt"], invalid.Errors.Keys);
    }

    [Fact]
    public void A_key_with_an_expiry_works_until_then_and_never_after()
    {
        var key = Issued(Now.AddHours(1));

        Assert.Equal(Now.AddHours(1), key.ExpiresAt);
        Assert.True(key.Accepts("h1", Now.AddMinutes(59)));
        Assert.False(key.Accepts("h1", Now.AddHours(1)));
        Assert.False(key.Accepts("h1", Now.AddDays(1)));
        Assert.True(key.Active);
        Assert.True(key.ExpiredAt(Now.AddHours(1)));
    }

    [Fact]
    public void A_key_without_expiry_works_until_revoked_and_only_with_its_secret()
    {
        var key = Issued();

        Assert.True(key.Accepts("h1", Now.AddYears(10)));
        Assert.False(key.Accepts("h2", Now));
        var revoked = key.Apply(new ApiKeyRevoked(key.KeyId, Now));
        Assert.False(revoked.Accepts("h1", Now));
    }

    [Fact]
    public void During_the_overlap_both_secrets_work_after_it_only_the_new_one()
    {
        var rotated = Rotate(Issued(), "h2", 3600, Now);

        Assert.Equal(Now.AddHours(1), rotated.PreviousValidUntil);
        Assert.True(rotated.Accepts("h1", Now.AddMinutes(59)));
        Assert.True(rotated.Accepts("h2", Now.AddMinutes(59)));
        Assert.False(rotated.Accepts("h1", Now.AddHours(1)));
        Assert.True(rotated.Accepts("h2", Now.AddHours(1)));
    }

    [Fact]
    public void Without_an_overlap_given_the_old_secret_works_one_more_day()
    {
        var rotated = Rotate(Issued(), "h2", null, Now);

        Assert.Equal(Now + KeyDecisions.DefaultOverlap, rotated.PreviousValidUntil);
        Assert.Equal(TimeSpan.FromHours(24), KeyDecisions.DefaultOverlap);
    }

    [Fact]
    public void An_overlap_of_zero_ends_the_old_secret_at_once()
    {
        var rotated = Rotate(Issued(), "h2", 0, Now);

        Assert.Null(rotated.PreviousSecretHash);
        Assert.False(rotated.Accepts("h1", Now));
        Assert.True(rotated.Accepts("h2", Now));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(30 * 86400 + 1)]
    public void An_overlap_below_zero_or_over_30_days_is_refused(int seconds)
    {
        var invalid = Assert.IsType<Decision.Invalid>(KeyDecisions.Rotate(Issued(), new RotateKey(seconds), "h2", Now));

        Assert.Equal(["overlapSeconds"], invalid.Errors.Keys);
    }

    [Fact]
    public void The_old_secret_never_outlives_the_key()
    {
        var rotated = Rotate(Issued(Now.AddHours(2)), "h2", 86400, Now);

        Assert.Equal(Now.AddHours(2), rotated.PreviousValidUntil);
        Assert.False(rotated.Accepts("h1", Now.AddHours(2)));
        Assert.False(rotated.Accepts("h2", Now.AddHours(2)));
    }

    [Fact]
    public void A_second_rotation_ends_the_secret_of_the_first_and_overlaps_only_the_one_it_replaces()
    {
        var twice = Rotate(Rotate(Issued(), "h2", 3600, Now), "h3", 3600, Now.AddMinutes(10));

        Assert.False(twice.Accepts("h1", Now.AddMinutes(10)));
        Assert.True(twice.Accepts("h2", Now.AddMinutes(69)));
        Assert.True(twice.Accepts("h3", Now.AddMinutes(69)));
        Assert.False(twice.Accepts("h2", Now.AddMinutes(70)));
    }

    [Fact]
    public void Revoking_ends_every_secret_the_overlapping_one_included()
    {
        var revoked = Rotate(Issued(), "h2", 3600, Now).Apply(new ApiKeyRevoked("key_1", Now.AddMinutes(1)));

        Assert.False(revoked.Accepts("h1", Now.AddMinutes(1)));
        Assert.False(revoked.Accepts("h2", Now.AddMinutes(1)));
    }

    [Fact]
    public void A_revoked_or_expired_key_is_not_rotated()
    {
        var revoked = Issued().Apply(new ApiKeyRevoked("key_1", Now));

        Assert.IsType<Decision.Conflict>(KeyDecisions.Rotate(revoked, new RotateKey(), "h2", Now));
        Assert.IsType<Decision.Conflict>(KeyDecisions.Rotate(Issued(Now.AddHours(1)), new RotateKey(), "h2", Now.AddHours(1)));
    }

    [Fact]
    public void The_bootstrap_rotation_by_variable_keeps_no_overlap()
    {
        var key = Issued();

        var rotated = key.Apply((ApiKeyRotated)Assert.IsType<Decision.Append>(KeyDecisions.Bootstrap(key, "h2", Now)).Events[0]);

        Assert.False(rotated.Accepts("h1", Now));
        Assert.True(rotated.Accepts("h2", Now));
    }
}
