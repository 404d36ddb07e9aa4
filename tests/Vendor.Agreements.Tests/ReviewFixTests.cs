using JasperFx.Events;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.Reports;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Tests;

public class MergeAndCreditEdgeTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);

    private static RecordedConversation Copy(int lastMinute, bool? resolved, string? rating) =>
        new("c1", "chat", "presales",
            [new StoredMessage(T, "customer", null, "在吗"), new StoredMessage(T.AddMinutes(lastMinute), "agent", "a1", "在的")],
            resolved, rating, null);

    [Fact]
    public void An_older_copy_posted_late_adds_its_messages_but_cannot_undo_newer_outcomes()
    {
        var newer = Copy(10, resolved: true, rating: "satisfied");
        var older = Copy(1, resolved: false, rating: "neutral");

        var merged = ConversationRules.Merge(newer, older);

        Assert.Equal((true, "satisfied"), (merged.Resolved, merged.Rating));
        Assert.Equal(3, merged.Messages.Count);
        Assert.Equal((false, "neutral"), (ConversationRules.Merge(older, Copy(1, false, "neutral")).Resolved, "neutral"));
    }

    [Fact]
    public void Messages_are_stored_in_time_order_and_those_of_the_same_instant_in_the_order_posted()
    {
        ConversationInput Posted(params (string At, string From, string Text)[] messages) =>
            new("c1", "chat", "presales", [.. messages.Select(m => new MessageInput(m.At, m.From, m.From == "agent" ? "a1" : null, m.Text))],
                null, null, null);

        var shuffled = ConversationRules.Validate(Posted(("2026-11-02T09:00:10+08:00", "agent", "b"), ("2026-11-02T09:00:00+08:00", "customer", "a"),
            ("2026-11-02T09:00:10+08:00", "customer", "c"), ("2026-11-02T01:00:10Z", "system", "d"))).Conversation!;
        Assert.Equal(["a", "b", "c", "d"], shuffled.Messages.Select(m => m.Text));
        Assert.Equal(T, shuffled.StartedAt);

        var inOrder = ConversationRules.Validate(Posted(("2026-11-02T09:00:00+08:00", "customer", "a"), ("2026-11-02T09:00:00+08:00", "bot", "b"),
            ("2026-11-02T09:01:00+08:00", "agent", "c"))).Conversation!;
        Assert.Equal(["a", "b", "c"], inOrder.Messages.Select(m => m.Text));

        var tooLong = ConversationRules.Validate(Posted(("2026-11-02T09:00:00+08:00", "customer", "a"), ("2026-12-04T09:00:00+08:00", "agent", "b")));
        Assert.Null(tooLong.Conversation);
        Assert.Contains("messages", tooLong.Errors.Keys);
    }

    [Fact]
    public void The_stored_body_leaves_out_nulls_and_what_the_messages_give_and_reads_back_the_same()
    {
        var conversation = Copy(10, resolved: null, rating: null);

        var body = System.Text.Json.JsonSerializer.Serialize(conversation, ConversationLedger.Json);

        Assert.DoesNotContain("null", body);
        Assert.DoesNotContain("agentIds", body);
        Assert.DoesNotContain("startedAt", body);
        var read = System.Text.Json.JsonSerializer.Deserialize<RecordedConversation>(body, ConversationLedger.Json)!;
        Assert.True(read.Same(conversation));
        Assert.Equal(["a1"], read.AgentIds);
        Assert.Equal(T, read.StartedAt);
    }

    [Fact]
    public void A_miss_by_less_than_the_rounding_still_costs_its_credit()
    {
        // missedRate 0.050004 against 0.05: shown as 0.05, but missed.
        var counts = new DailyCounts(1_000_000, 1_000_000, 0, 0, 0, 0, 0, 50_004, 0, 0, 0, 0, 0, 0, 0, 0);
        var terms = new ContractTerms(100_000, "CNY", 10, 10, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31), 48,
            new Headcount(0, 0, 0), [new SlaTarget("missedRate", 0.05, 30)]);

        var line = MonthlyReports.Build("acme", "2026-11", "acme-1", terms, counts, []).Lines[0];

        Assert.Equal(0.05, line.Actual);
        Assert.Equal("missed", line.Status);
        Assert.Equal(3_000m, line.Credit);
    }

    [Fact]
    public void A_terminated_contract_keeps_its_terms_for_its_months_after_a_new_one_starts()
    {
        static ContractTerms Terms(decimal fee, DateOnly start, DateOnly end) =>
            new(fee, "CNY", 10, 10, start, end, 48, new Headcount(0, 0, 0), [new SlaTarget("missedRate", 0.05, 10)]);
        static IEvent<T> E<T>(T data, int version) where T : notnull => new Event<T>(data) { StreamKey = "contract:acme", Version = version };
        var now = DateTimeOffset.UnixEpoch;

        var contract = ServiceContract.Create(E(new ContractActivated("acme", "acme-1", Terms(100, new(2026, 1, 1), new(2026, 12, 31)), now), 1))
            .Apply(E(new ContractTerminated("acme", "moved to another vendor", new DateOnly(2026, 6, 30), now), 2))
            .Apply(E(new ContractActivated("acme", "acme-2", Terms(200, new(2026, 8, 1), new(2027, 7, 31)), now), 3));

        Assert.Equal((100m, "acme-1"), (contract.TermsForMonth(new DateOnly(2026, 5, 1))!.MonthlyFee, contract.ContractIdForMonth(new DateOnly(2026, 5, 1))));
        Assert.Equal(100m, contract.TermsForMonth(new DateOnly(2026, 6, 1))!.MonthlyFee);
        Assert.Null(contract.TermsForMonth(new DateOnly(2026, 7, 1)));
        Assert.Equal((200m, "acme-2"), (contract.TermsForMonth(new DateOnly(2026, 9, 1))!.MonthlyFee, contract.ContractIdForMonth(new DateOnly(2026, 9, 1))));
    }
}
