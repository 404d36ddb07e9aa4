using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Tests;

public class StoreDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(8));

    private static Store Existing(string name = "Acme", string platform = "tmall", string tz = "Asia/Shanghai") =>
        new("store:acme", "acme", name, platform, tz, Now.AddDays(-1), 1);

    [Fact]
    public void Onboarding_a_new_store_records_it_with_the_default_time_zone()
    {
        var decision = StoreDecisions.Onboard(null, new OnboardStore("acme", " Acme ", "tmall", null), Now);

        var append = Assert.IsType<Decision.Append>(decision);
        Assert.Equal(new StoreOnboarded("acme", "Acme", "tmall", "Asia/Shanghai", Now), Assert.Single(append.Events));
    }

    [Fact]
    public void Onboarding_keeps_a_given_iana_time_zone()
    {
        var decision = StoreDecisions.Onboard(null, new OnboardStore("acme", "Acme", "jd", "Europe/Berlin"), Now);

        Assert.Equal("Europe/Berlin", ((StoreOnboarded)Assert.IsType<Decision.Append>(decision).Events[0]).TimeZone);
    }

    [Fact]
    public void Every_invalid_field_is_named()
    {
        var decision = StoreDecisions.Onboard(null, new OnboardStore("no spaces", "", "ebay", "Mars/Olympus"), Now);

        var invalid = Assert.IsType<Decision.Invalid>(decision);
        Assert.Equal(["name", "platform", "storeId", "timeZone"], invalid.Errors.Keys.Order());
    }

    [Fact]
    public void Missing_fields_are_invalid_not_a_crash()
    {
        var invalid = Assert.IsType<Decision.Invalid>(StoreDecisions.Onboard(null, new OnboardStore(null, null, null, null), Now));

        Assert.Contains("storeId", invalid.Errors.Keys);
        Assert.DoesNotContain("timeZone", invalid.Errors.Keys);
    }

    [Fact]
    public void Posting_the_same_store_again_changes_nothing()
    {
        var decision = StoreDecisions.Onboard(Existing(), new OnboardStore("acme", "Acme", "tmall", "Asia/Shanghai"), Now);

        Assert.IsType<Decision.Unchanged>(decision);
    }

    [Fact]
    public void A_different_store_under_an_existing_id_is_a_conflict()
    {
        var decision = StoreDecisions.Onboard(Existing(), new OnboardStore("acme", "Other", "tmall", null), Now);

        Assert.IsType<Decision.Conflict>(decision);
    }
}
