using Vendor.Quality.Conversations;
using Vendor.Quality.Inspectors;

namespace Vendor.Quality.Tests;

public class SamplingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(8));

    internal static Contracts.ConversationRecorded Conversation(string id, string agent = "a-1", string? rating = null, bool missed = false,
        bool slow = false, string? text = null, string store = "s-1", int revision = 1) =>
        new(store, id, revision, "chat", "presales", [agent], Start, DateOnly.FromDateTime(Start.DateTime), 6, missed ? null : 20, missed ? [] : [20, 40],
            missed, slow, false, rating, false, Start.AddMinutes(5), text);

    private static SamplingPolicy Policy(double share = 0.05, string seed = "seed-1") => SamplingPolicy.Default with { Seed = seed, RandomShare = share };

    [Fact]
    public void The_same_seed_samples_the_same_conversations_whatever_their_order()
    {
        var conversations = Enumerable.Range(0, 2_000).Select(i => Conversation($"c{i}")).ToList();
        var first = conversations.Where(c => Sampling.Decide(Policy(), c, "a-1") is not null).Select(c => c.ConversationId).ToHashSet();
        var shuffled = conversations.OrderBy(c => Sampling.Uniform("shuffle", c.ConversationId)).ToList();
        var again = shuffled.Where(c => Sampling.Decide(Policy(), c, "a-1") is not null).Select(c => c.ConversationId).ToHashSet();

        Assert.True(first.SetEquals(again));
        var otherSeed = conversations.Where(c => Sampling.Decide(Policy(seed: "seed-2"), c, "a-1") is not null).Select(c => c.ConversationId).ToHashSet();
        Assert.False(first.SetEquals(otherSeed));
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.2)]
    public void The_random_share_holds_per_agent_within_sampling_error(double share)
    {
        const int n = 20_000;
        foreach (var agent in new[] { "a-1", "a-2", "a-3" })
        {
            var picked = Enumerable.Range(0, n).Count(i => Sampling.Decide(Policy(share), Conversation($"c{i}", agent), agent) is not null);
            var sigma = Math.Sqrt(n * share * (1 - share));
            Assert.InRange(picked, n * share - 4 * sigma, n * share + 4 * sigma);
        }
    }

    [Fact]
    public void Uniform_numbers_spread_evenly_over_ten_buckets()
    {
        var buckets = new int[10];
        for (var i = 0; i < 100_000; i++) buckets[(int)(Sampling.Uniform("s", $"c{i}") * 10)]++;
        // Chi-square with 9 degrees of freedom: 27.9 is the 0.1 % tail.
        var chi = buckets.Sum(b => Math.Pow(b - 10_000, 2) / 10_000);
        Assert.True(chi < 27.9, $"chi² {chi:0.0}");
    }

    [Fact]
    public void An_unsatisfied_rating_or_complaint_words_always_sample_the_conversation()
    {
        var policy = Policy(share: 0);
        for (var i = 0; i < 200; i++)
        {
            var unhappy = Sampling.Decide(policy, Conversation($"u{i}", rating: "unsatisfied"), "a-1");
            Assert.Equal(SampleReasons.Risk, unhappy!.Reason);
            Assert.Equal([SampleReasons.Unsatisfied], unhappy.RiskReasons);
            Assert.NotNull(Sampling.Decide(policy, Conversation($"k{i}", text: "再不发货我就投诉你们"), "a-1"));
        }
        Assert.Null(Sampling.Decide(policy, Conversation("calm", rating: "satisfied", text: "谢谢"), "a-1"));
    }

    [Fact]
    public void Weaker_risks_pick_about_their_weight_and_add_up()
    {
        var policy = Policy(share: 0);
        const int n = 10_000;
        int Picked(Func<int, Contracts.ConversationRecorded> make) => Enumerable.Range(0, n).Count(i => Sampling.Decide(policy, make(i), "a-1") is not null);

        var slow = Picked(i => Conversation($"s{i}", slow: true));
        var missedAndRefund = Picked(i => Conversation($"m{i}", missed: true, text: "我要退款"));

        Assert.InRange(slow, n * 0.1 - 150, n * 0.1 + 150); // weight 0.1
        Assert.InRange(missedAndRefund, n * 0.7 - 200, n * 0.7 + 200); // 0.5 + 0.2
        var (score, reasons) = Sampling.Risk(policy, Conversation("x", missed: true, slow: true, text: "退款"));
        Assert.Equal(0.8, score, 10); // 0.5 + 0.2 + 0.1
        Assert.Equal(1.0, Sampling.Risk(policy, Conversation("y", missed: true, rating: "unsatisfied")).Score); // capped at 1
        Assert.Equal([SampleReasons.Missed, SampleReasons.Refund, SampleReasons.Slow], reasons);
    }

    [Fact]
    public void Risk_words_are_configurable_and_match_latin_words_in_any_case()
    {
        var policy = Policy(share: 0) with { ComplaintWords = ["差评"], RefundWords = ["REFUND"] };
        Assert.Equal([SampleReasons.Complaint], Sampling.Risk(policy, Conversation("a", text: "给你差评")).Reasons);
        Assert.Equal([SampleReasons.Refund], Sampling.Risk(policy, Conversation("b", text: "I want a refund")).Reasons);
        Assert.Empty(Sampling.Risk(policy, Conversation("c", text: "投诉")).Reasons);
    }

    [Fact]
    public void Samples_go_to_inspectors_covering_the_store_evenly_and_stably()
    {
        Inspector I(string id, params string[] stores) => new($"inspector:{id}", id, id, false, stores, true, 1);
        var team = new[] { I("i-1"), I("i-2"), I("i-3", "other-store"), I("i-4") with { Active = false } };

        var counts = Enumerable.Range(0, 3_000).Select(i => Sampling.AssignInspector("seed", team, "s-1", $"c{i}", "a-1"))
            .GroupBy(x => x).ToDictionary(g => g.Key!, g => g.Count());

        Assert.Equal(["i-1", "i-2"], counts.Keys.Order());
        Assert.InRange(counts["i-1"], 1_350, 1_650);
        Assert.Equal(Sampling.AssignInspector("seed", team, "s-1", "c7", "a-1"), Sampling.AssignInspector("seed", team.Reverse(), "s-1", "c7", "a-1"));
        Assert.Null(Sampling.AssignInspector("seed", [I("i-3", "other-store")], "s-1", "c1", "a-1"));
    }

    [Fact]
    public void A_policy_is_validated_and_a_repeat_changes_nothing()
    {
        var now = Start;
        var invalid = Assert.IsType<Vendor.ServiceDefaults.Decision.Invalid>(SamplingDecisions.Set(null,
            new SetSamplingPolicy("", 1.5, RiskWeights.Default with { Slow = -1 }, [""], null), now));
        Assert.Equal(["randomShare", "seed", "weights", "words"], invalid.Errors.Keys.Order());

        var set = Assert.IsType<Vendor.ServiceDefaults.Decision.Append>(SamplingDecisions.Set(null, new SetSamplingPolicy("audit-7", 0.1, null, null, null), now));
        var policy = Assert.IsType<SamplingPolicySet>(Assert.Single(set.Events)).Policy;
        Assert.Equal(("audit-7", 0.1), (policy.Seed, policy.RandomShare));
        Assert.Equal(SamplingPolicy.Default.ComplaintWords, policy.ComplaintWords);
        var current = new SamplingSettings(SamplingSettings.StreamKey, policy, now, 1);
        Assert.IsType<Vendor.ServiceDefaults.Decision.Unchanged>(SamplingDecisions.Set(current, new SetSamplingPolicy("audit-7", 0.1, null, null, null), now));
    }
}
