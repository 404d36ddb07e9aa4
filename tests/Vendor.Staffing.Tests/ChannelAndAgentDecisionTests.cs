using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Alerts;

namespace Vendor.Staffing.Tests;

public class ChannelAndAgentDecisionTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 9, 0, 0, Cst);
    private static readonly DateOnly HiredOn = new(2026, 11, 1);

    // ---- ChannelDecisions.Register ----

    private static IReadOnlyDictionary<string, string[]> Errors(Decision decision) => Assert.IsType<Decision.Invalid>(decision).Errors;

    private static AlertChannelRegistered Registered(Decision decision) =>
        (AlertChannelRegistered)Assert.Single(Assert.IsType<Decision.Append>(decision).Events);

    [Fact]
    public void A_DingTalk_robot_is_registered_for_warnings_by_default()
    {
        var registered = Registered(ChannelDecisions.Register(
            new RegisterChannel(" 运营值班群 ", ChannelKinds.DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc", null, "SECabc"),
            "ch-1", Now));

        Assert.Equal(new AlertChannelRegistered("ch-1", "运营值班群", ChannelKinds.DingTalk, "https://oapi.dingtalk.com/robot/send?access_token=abc",
            Severities.Warning, "SECabc", Now), registered);
    }

    [Fact]
    public void A_channel_without_a_name_is_named_after_its_kind_and_host()
    {
        var registered = Registered(ChannelDecisions.Register(
            new RegisterChannel(null, ChannelKinds.WeCom, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", Severities.Critical, null), "ch-2", Now));

        Assert.Equal("wecom qyapi.weixin.qq.com", registered.Name);
        Assert.Equal(Severities.Critical, registered.MinSeverity);
        Assert.Null(registered.Secret);
    }

    [Theory]
    [InlineData(ChannelKinds.DingTalk)]
    [InlineData(ChannelKinds.WeCom)]
    [InlineData(ChannelKinds.Webhook)]
    public void Each_kind_is_accepted(string kind)
    {
        Assert.Equal(kind, Registered(ChannelDecisions.Register(new RegisterChannel(null, kind, "http://10.0.0.5:8080/hook", null, null), "ch-1", Now)).Kind);
    }

    [Theory]
    [InlineData("slack")]
    [InlineData("DingTalk")]
    [InlineData("")]
    [InlineData(null)]
    public void An_unknown_kind_is_refused(string? kind)
    {
        Assert.Equal(["kind"], Errors(ChannelDecisions.Register(new RegisterChannel(null, kind, "https://hooks.example.com/a", null, null), "ch-1", Now)).Keys);
    }

    [Theory]
    [InlineData("/relative/hook")]
    [InlineData("hooks.example.com/a")]
    [InlineData("ftp://hooks.example.com/a")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    [InlineData(null)]
    public void Anything_but_an_absolute_http_or_https_url_is_refused(string? url)
    {
        Assert.Equal(["url"], Errors(ChannelDecisions.Register(new RegisterChannel(null, ChannelKinds.Webhook, url, null, null), "ch-1", Now)).Keys);
    }

    [Fact]
    public void An_over_long_url_is_refused()
    {
        var url = "https://hooks.example.com/" + new string('a', 2000);

        Assert.Equal(["url"], Errors(ChannelDecisions.Register(new RegisterChannel(null, ChannelKinds.Webhook, url, null, null), "ch-1", Now)).Keys);
    }

    [Theory]
    [InlineData("info")]
    [InlineData("Critical")]
    [InlineData("")]
    public void An_unknown_minimum_severity_is_refused(string minSeverity)
    {
        Assert.Equal(["minSeverity"], Errors(ChannelDecisions.Register(
            new RegisterChannel(null, ChannelKinds.Webhook, "https://hooks.example.com/a", minSeverity, null), "ch-1", Now)).Keys);
    }

    [Fact]
    public void An_empty_or_over_long_secret_and_a_blank_name_are_refused()
    {
        Assert.Equal(["name", "secret"], Errors(ChannelDecisions.Register(
            new RegisterChannel("  ", ChannelKinds.Webhook, "https://hooks.example.com/a", null, ""), "ch-1", Now)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["secret"], Errors(ChannelDecisions.Register(
            new RegisterChannel(null, ChannelKinds.Webhook, "https://hooks.example.com/a", null, new string('s', 201)), "ch-1", Now)).Keys);
    }

    [Fact]
    public void Every_invalid_field_is_named_at_once()
    {
        Assert.Equal(["kind", "minSeverity", "url"], Errors(ChannelDecisions.Register(new RegisterChannel(null, "sms", "nope", "info", null), "ch-1", Now))
            .Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_channel_view_masks_the_url_query_and_never_shows_the_secret()
    {
        var channel = new AlertChannel(AlertChannel.StreamKey("ch-1"), "ch-1", "运营群", ChannelKinds.DingTalk,
            "https://oapi.dingtalk.com/robot/send?access_token=abc", Severities.Warning, "SECabc", false, Now);

        var view = AlertChannelView.Of(channel);

        Assert.Equal("https://oapi.dingtalk.com/robot/send?…", view.Url);
        Assert.True(view.Signed);
        Assert.DoesNotContain("abc", view.ToString());
    }

    // ---- AgentDecisions.Change ----

    private static readonly Agent Hired = new("agent:a-1", "a-1", "王小美", "tmall-presales", ["presales"], HiredOn, AgentStatus.Active, Now, 1);

    private static AgentProfileChanged Changed(Decision decision) =>
        (AgentProfileChanged)Assert.Single(Assert.IsType<Decision.Append>(decision).Events);

    [Fact]
    public void Changing_only_the_given_fields_keeps_the_others()
    {
        var changed = Changed(AgentDecisions.Change(Hired, new ChangeAgent(null, null, 5, null), Now.AddDays(1)));

        Assert.Equal(("a-1", "tmall-presales", 5, false, Now.AddDays(1)), (changed.AgentId, changed.Team, changed.MaxConcurrentChats, changed.Standby, changed.At));
        Assert.Equal(["presales"], changed.Skills);
    }

    [Fact]
    public void Skills_are_stored_sorted_and_distinct_and_the_team_trimmed()
    {
        var changed = Changed(AgentDecisions.Change(Hired, new ChangeAgent(" jd-aftersales ", ["presales", "aftersales", "presales"], null, true), Now));

        Assert.Equal("jd-aftersales", changed.Team);
        Assert.Equal(["aftersales", "presales"], changed.Skills);
        Assert.True(changed.Standby);
        Assert.Equal(Agent.DefaultMaxConcurrentChats, changed.MaxConcurrentChats);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    public void One_to_ten_concurrent_chats_are_allowed(int chats)
    {
        Assert.Equal(chats, Changed(AgentDecisions.Change(Hired, new ChangeAgent(null, null, chats, null), Now)).MaxConcurrentChats);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(-1)]
    public void Concurrent_chats_outside_one_to_ten_are_refused(int chats)
    {
        Assert.Equal(["maxConcurrentChats"], Errors(AgentDecisions.Change(Hired, new ChangeAgent(null, null, chats, null), Now)).Keys);
    }

    [Fact]
    public void Skills_must_be_a_non_empty_subset_of_the_known_ones()
    {
        Assert.Equal(["skills"], Errors(AgentDecisions.Change(Hired, new ChangeAgent(null, ["presales", "cooking"], null, null), Now)).Keys);
        Assert.Equal(["skills"], Errors(AgentDecisions.Change(Hired, new ChangeAgent(null, [], null, null), Now)).Keys);
        Assert.Equal(["hotline"], Changed(AgentDecisions.Change(Hired, new ChangeAgent(null, ["hotline"], null, null), Now)).Skills);
    }

    [Fact]
    public void A_blank_team_is_refused()
    {
        Assert.Equal(["team"], Errors(AgentDecisions.Change(Hired, new ChangeAgent("  ", null, null, null), Now)).Keys);
        Assert.Equal(["team"], Errors(AgentDecisions.Change(Hired, new ChangeAgent(new string('t', 101), null, null, null), Now)).Keys);
    }

    [Fact]
    public void The_same_profile_again_changes_nothing()
    {
        Assert.IsType<Decision.Unchanged>(AgentDecisions.Change(Hired, new ChangeAgent(null, null, null, null), Now));
        Assert.IsType<Decision.Unchanged>(AgentDecisions.Change(Hired,
            new ChangeAgent(" tmall-presales ", ["presales", "presales"], Agent.DefaultMaxConcurrentChats, false), Now));
    }

    [Fact]
    public void Changing_an_agent_who_left_or_an_unknown_one_conflicts()
    {
        var left = Hired with { Status = AgentStatus.Left, LeftOn = HiredOn.AddDays(30) };

        Assert.IsType<Decision.Conflict>(AgentDecisions.Change(left, new ChangeAgent(null, null, 5, null), Now));
        Assert.IsType<Decision.Conflict>(AgentDecisions.Change(null, new ChangeAgent(null, null, 5, null), Now));
    }

    // ---- AgentDecisions.Leave ----

    [Fact]
    public void Leaving_records_the_date_and_the_trimmed_reason()
    {
        var left = (AgentLeft)Assert.Single(Assert.IsType<Decision.Append>(
            AgentDecisions.Leave(Hired, new AgentLeaves(HiredOn.AddDays(30), " 离职 "), Now)).Events);

        Assert.Equal(new AgentLeft("a-1", HiredOn.AddDays(30), "离职", Now), left);
    }

    [Fact]
    public void Leaving_on_the_hiring_day_is_allowed_and_before_it_refused()
    {
        Assert.IsType<Decision.Append>(AgentDecisions.Leave(Hired, new AgentLeaves(HiredOn, "no show"), Now));
        Assert.Equal(["leftOn"], Errors(AgentDecisions.Leave(Hired, new AgentLeaves(HiredOn.AddDays(-1), "typo"), Now)).Keys);
    }

    [Fact]
    public void A_date_and_a_reason_are_required()
    {
        Assert.Equal(["leftOn", "reason"], Errors(AgentDecisions.Leave(Hired, new AgentLeaves(null, " "), Now)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["reason"], Errors(AgentDecisions.Leave(Hired, new AgentLeaves(HiredOn, new string('r', 501)), Now)).Keys);
    }

    [Fact]
    public void Leaving_again_on_the_same_date_changes_nothing_and_on_another_date_conflicts()
    {
        var left = Hired with { Status = AgentStatus.Left, LeftOn = HiredOn.AddDays(30) };

        Assert.IsType<Decision.Unchanged>(AgentDecisions.Leave(left, new AgentLeaves(HiredOn.AddDays(30), "离职"), Now));
        Assert.IsType<Decision.Unchanged>(AgentDecisions.Leave(left, new AgentLeaves(HiredOn.AddDays(30), "another wording"), Now));
        Assert.IsType<Decision.Conflict>(AgentDecisions.Leave(left, new AgentLeaves(HiredOn.AddDays(31), "离职"), Now));
        Assert.IsType<Decision.Conflict>(AgentDecisions.Leave(null, new AgentLeaves(HiredOn, "离职"), Now));
    }

    [Fact]
    public void The_left_agent_no_longer_works_from_the_leaving_date()
    {
        var e = new JasperFx.Events.Event<AgentLeft>(new AgentLeft("a-1", HiredOn.AddDays(30), "离职", Now)) { Version = 2 };

        var left = Hired.Apply(e);

        Assert.Equal((AgentStatus.Left, HiredOn.AddDays(30), 2L), (left.Status, left.LeftOn, left.Version));
        Assert.True(left.WorksOn(HiredOn.AddDays(29)));
        Assert.False(left.WorksOn(HiredOn.AddDays(30)));
        Assert.False(left.WorksOn(HiredOn.AddDays(-1)));
    }
}
