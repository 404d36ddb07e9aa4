using Vendor.Agreements.Explain;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;

namespace Vendor.Agreements.Tests;

/// <summary>
/// The explanation of a conversation against the metric rules (DOMAIN.md, "Conversation metrics"): the same edge cases as the
/// metrics themselves, and every time the explanation's numbers are exactly what the row (and so the SLA figures) counted.
/// </summary>
public class ExplanationTests
{
    private static readonly DateTimeOffset Onboarded = new(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    private static ServiceCalendar Calendar(string hours = "08:00-23:00", int[]? openDays = null, string[]? holidays = null,
        string[]? makeUp = null, int slow = 180) =>
        new("Asia/Shanghai",
            hours.Split(',').Select(b => b.Split('-')).Select(p => new HoursBlock(TimeOnly.Parse(p[0]), TimeOnly.Parse(p[1]))).ToList(),
            openDays ?? [1, 2, 3, 4, 5, 6, 7], (holidays ?? []).Select(DateOnly.Parse).ToList(), (makeUp ?? []).Select(DateOnly.Parse).ToList(),
            slow);

    private static Store StoreWith(ServiceCalendar calendar) =>
        new("store:s", "s", "s", "tmall", calendar.TimeZone, Onboarded, [new CalendarVersion(Onboarded, calendar)], 1);

    private static ServiceContract Contract(double attributionHours = 48, params (DateOnly EffectiveOn, double Hours)[] amendments)
    {
        ContractTerms Terms(double hours) => new(100_000, "CNY", 10, 10, new DateOnly(2026, 1, 1), new DateOnly(2027, 12, 31), hours,
            new Headcount(1, 1, 0), [new SlaTarget(Metrics.MissedRate, 0.05, 30), new SlaTarget(Metrics.FirstResponseSeconds, 60, 20)]);
        return new ServiceContract("contract:s", "s", "s-1", ContractStatus.Active,
            [new TermsVersion(new DateOnly(2026, 1, 1), Terms(attributionHours), "s-1"),
                .. amendments.Select(a => new TermsVersion(a.EffectiveOn, Terms(a.Hours), "s-1"))], null, 1);
    }

    private static RecordedConversation Conversation(string kind, string? paid, params (string At, string From, string? Agent)[] messages)
    {
        var (conversation, errors) = ConversationRules.Validate(new ConversationInput("c-1", "chat", kind,
            messages.Select(m => new MessageInput(m.At + "+08:00", m.From, m.Agent, "…")).ToList(), null, "unsatisfied",
            paid is null ? null : paid + "+08:00"));
        Assert.Empty(errors);
        return conversation!;
    }

    [Fact]
    public void Arrival_slots_count_first_revisions_by_local_five_minutes_with_handle_time_where_there_is_one()
    {
        var store = StoreWith(Calendar("08:00-23:00"));
        LedgerRow Row(string start, string? end, int revision = 1)
        {
            (string, string, string?)[] messages = end is null ? [(start, "customer", null)] : [(start, "customer", null), (end, "agent", "a-1")];
            var conversation = Conversation("presales", null, messages);
            return IngestionModule.Measure(store, null, conversation, null) with { Revision = revision };
        }

        var slots = IngestionModule.ArrivalSlots(
        [
            Row("2026-11-02T10:00:00", "2026-11-02T10:01:00"),
            Row("2026-11-02T10:04:59", "2026-11-02T10:05:29"), // same slot as 10:00
            Row("2026-11-02T10:05:00", null), // next slot; no handle time
            Row("2026-11-02T10:00:10", "2026-11-02T10:20:00", revision: 2), // an update: no arrival
            Row("2026-11-02T23:59:00", "2026-11-03T00:01:00"), // the slot of its start, on its start's date
        ]);

        Assert.Equal(
        [
            new Contracts.ArrivalSlot(new DateOnly(2026, 11, 2), 600, 2, 90, 2),
            new Contracts.ArrivalSlot(new DateOnly(2026, 11, 2), 605, 1, 0, 0),
            new Contracts.ArrivalSlot(new DateOnly(2026, 11, 2), 1435, 1, 120, 1),
        ], slots.OrderBy(s => s.Minute));
    }

    /// <summary>Measured as ingestion measures it, then explained: the explanation must add up to the row.</summary>
    private static ConversationExplanation Explain(Store store, RecordedConversation conversation, ServiceContract? contract = null)
    {
        var row = IngestionModule.Measure(store, contract, conversation, null);
        var explanation = Explanations.Explain(store, contract, row);
        AddsUp(explanation, row.Counts);
        return explanation;
    }

    private static void AddsUp(ConversationExplanation e, DailyCounts counts)
    {
        Assert.Equal(counts.Missed == 1, e.Missed);
        Assert.Equal(counts.Slow == 1, e.Slow);
        Assert.Equal(counts.FirstAnswered == 1 ? counts.FrtSum : null, e.FirstResponseSeconds);
        Assert.Equal(counts.Presales == 1 ? counts.Converted == 1 : null, e.Converted);
        Assert.Equal(counts.TurnsAnswered, e.Turns.Count(t => t.ResponseSeconds is not null));
        Assert.Equal(counts.ResponseSum, e.Turns.Sum(t => t.ResponseSeconds ?? 0), 6);
        Assert.Equal(e.Turns.FirstOrDefault()?.ResponseSeconds, e.FirstResponseSeconds);
        Assert.Equal(e.Slow, e.Turns.Any(t => t.Slow));
        foreach (var t in e.Turns.Where(t => t.AnsweredAt is not null))
            Assert.Equal((t.AnsweredAt!.Value - t.StartedAt).TotalSeconds, t.ResponseSeconds!.Value + t.ClosedSeconds!.Value, 6);
        Assert.True(e.SameAsCounted);
    }

    [Fact]
    public void Bot_and_system_messages_never_answer_and_the_agent_who_did_is_named()
    {
        var e = Explain(StoreWith(Calendar()), Conversation("presales", null,
            ("2026-11-02T09:00:00", "bot", null), ("2026-11-02T09:00:01", "customer", null), ("2026-11-02T09:00:02", "bot", null),
            ("2026-11-02T09:00:03", "system", null), ("2026-11-02T09:03:21", "agent", "a-7")));

        var turn = Assert.Single(e.Turns);
        Assert.Equal("a-7", turn.AnsweredBy);
        Assert.Equal(200, turn.ResponseSeconds);
        Assert.Equal(0, turn.ClosedSeconds);
        Assert.True(turn.Slow);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.FromHours(8)), e.Start); // the bot's greeting starts it
        Assert.Equal(TimeSpan.FromHours(8), e.Start.Offset);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 9, 0, 1, TimeSpan.FromHours(8)), turn.StartedAt);
    }

    [Fact]
    public void A_turn_opened_out_of_hours_shows_the_closed_hours_it_skipped()
    {
        var e = Explain(StoreWith(Calendar("08:00-23:00")), Conversation("aftersales", null,
            ("2026-11-02T23:30:00", "customer", null), ("2026-11-03T08:01:00", "agent", "a-1")));

        var turn = Assert.Single(e.Turns);
        Assert.Equal(60, turn.ResponseSeconds);
        Assert.Equal(8 * 3600 + 30 * 60, turn.ClosedSeconds);
        Assert.False(e.Slow);
        Assert.Equal(new DateOnly(2026, 11, 2), e.LocalDate);
    }

    [Fact]
    public void Service_hours_crossing_midnight_count_on_both_sides()
    {
        var e = Explain(StoreWith(Calendar("20:00-02:00")), Conversation("aftersales", null,
            ("2026-11-03T01:59:00", "customer", null), ("2026-11-03T20:00:30", "agent", "a-1")));

        var turn = Assert.Single(e.Turns);
        Assert.Equal(90, turn.ResponseSeconds);
        Assert.Equal(18 * 3600, turn.ClosedSeconds);
        Assert.Equal([new Stores.HoursView("20:00", "02:00")], e.Calendar.ServiceHours);
    }

    [Fact]
    public void Several_blocks_a_day_skip_the_lunch_break()
    {
        var e = Explain(StoreWith(Calendar("09:00-12:00,13:00-18:00")), Conversation("aftersales", null,
            ("2026-11-02T11:59:00", "customer", null), ("2026-11-02T13:01:00", "agent", "a-1")));

        Assert.Equal(120, e.Turns[0].ResponseSeconds);
        Assert.Equal(3600, e.Turns[0].ClosedSeconds);
        Assert.Equal(2, e.Calendar.ServiceHours.Count);
    }

    [Fact]
    public void Holidays_and_make_up_days_on_the_conversations_dates_are_shown_and_counted()
    {
        // Weekdays only; Friday 2026-10-09 is a holiday and Sunday 2026-10-11 a make-up workday (调休).
        var calendar = Calendar("09:00-18:00", [1, 2, 3, 4, 5], ["2026-05-01", "2026-10-09"], ["2026-10-11", "2026-12-27"]);
        var e = Explain(StoreWith(calendar), Conversation("aftersales", null,
            ("2026-10-08T17:59:00", "customer", null), ("2026-10-11T09:01:00", "agent", "a-2")));

        Assert.Equal(120, e.Turns[0].ResponseSeconds);
        Assert.Equal([new DateOnly(2026, 10, 9)], e.Calendar.Holidays);
        Assert.Equal([new DateOnly(2026, 10, 11)], e.Calendar.MakeUpWorkdays);
        Assert.Equal([1, 2, 3, 4, 5], e.Calendar.OpenDays);
        Assert.Equal(2 * 24 * 3600 + 15 * 3600, e.Turns[0].ClosedSeconds); // Thu 17:59 to Sun 09:01, all but two minutes closed
        Assert.False(e.Slow);
    }

    [Fact]
    public void Several_turns_with_the_last_one_unanswered()
    {
        var e = Explain(StoreWith(Calendar()), Conversation("aftersales", null,
            ("2026-11-02T10:00:00", "customer", null), ("2026-11-02T10:00:30", "agent", "a-1"),
            ("2026-11-02T10:05:00", "customer", null), ("2026-11-02T10:05:10", "customer", null), ("2026-11-02T10:09:00", "agent", "a-2"),
            ("2026-11-02T10:20:00", "customer", null), ("2026-11-02T10:20:05", "bot", null)));

        Assert.Equal(3, e.Turns.Count);
        Assert.Equal([30.0, 240.0], e.Turns.Take(2).Select(t => t.ResponseSeconds!.Value));
        Assert.Equal(["a-1", "a-2", null], e.Turns.Select(t => t.AnsweredBy));
        Assert.Null(e.Turns[2].AnsweredAt);
        Assert.Null(e.Turns[2].ClosedSeconds);
        Assert.False(e.Missed);
        Assert.True(e.Slow);
        Assert.Equal(30, e.FirstResponseSeconds);
    }

    [Fact]
    public void An_unanswered_first_turn_is_missed_with_no_first_response()
    {
        var e = Explain(StoreWith(Calendar()), Conversation("presales", null,
            ("2026-11-02T10:00:00", "customer", null), ("2026-11-02T10:00:01", "bot", null)));

        Assert.True(e.Missed);
        Assert.Null(e.FirstResponseSeconds);
        Assert.Null(Assert.Single(e.Turns).AnsweredBy);
        Assert.False(e.Converted);
    }

    [Theory]
    [InlineData("2026-11-03T09:59:59", true)] // 23:59:59 after the first customer message: inside 24 h
    [InlineData("2026-11-03T10:00:00", true)] // exactly at the end: inside
    [InlineData("2026-11-03T10:00:01", false)] // one second late
    public void Late_payment_counts_only_inside_the_contracts_attribution_window(string paid, bool converted)
    {
        var e = Explain(StoreWith(Calendar()), Conversation("presales", paid,
            ("2026-11-02T09:59:00", "bot", null), ("2026-11-02T10:00:00", "customer", null), ("2026-11-02T10:00:20", "agent", "a-1")),
            Contract(attributionHours: 24));

        Assert.Equal(converted, e.Converted);
        Assert.Equal(24, e.Terms.AttributionHours);
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 10, 0, 0, TimeSpan.FromHours(8)), e.AttributionEndsAt);
        Assert.Equal("s-1", e.Terms.ContractId);
        Assert.Equal(2, e.Terms.Targets.Count);
    }

    [Fact]
    public void Aftersales_conversations_are_not_in_the_conversion_rate()
    {
        var e = Explain(StoreWith(Calendar()), Conversation("aftersales", "2026-11-02T11:00:00",
            ("2026-11-02T10:00:00", "customer", null), ("2026-11-02T10:00:20", "agent", "a-1")), Contract());

        Assert.Null(e.Converted);
        Assert.Equal(48, e.Terms.AttributionHours);
    }

    [Fact]
    public void Without_a_contract_the_default_attribution_window_applies_and_no_targets()
    {
        var e = Explain(StoreWith(Calendar()), Conversation("presales", "2026-11-04T09:00:00",
            ("2026-11-02T10:00:00", "customer", null), ("2026-11-02T10:00:20", "agent", "a-1")));

        Assert.True(e.Converted);
        Assert.Null(e.Terms.ContractId);
        Assert.Empty(e.Terms.Targets);
        Assert.Equal(ContractDecisions.DefaultAttributionHours, e.Terms.AttributionHours);
    }

    [Fact]
    public void A_reposted_conversation_is_explained_as_merged_and_moves_to_its_earlier_day()
    {
        var store = StoreWith(Calendar());
        var first = Conversation("aftersales", null, ("2026-11-02T00:30:00", "customer", null));
        var before = IngestionModule.Measure(store, null, first, null);
        Assert.True(Explanations.Explain(store, null, before).Missed);

        // The re-post adds the agent's answer and an earlier message from the evening before (the start moves a day earlier).
        var repost = Conversation("aftersales", null, ("2026-11-01T22:59:00", "customer", null), ("2026-11-02T08:00:30", "agent", "a-3"));
        var merged = ConversationRules.Merge(first, repost);
        var row = IngestionModule.Measure(store, null, merged, before);
        var e = Explanations.Explain(store, null, row);

        AddsUp(e, row.Counts);
        Assert.False(e.Missed);
        Assert.Equal(new DateOnly(2026, 11, 1), e.LocalDate);
        var turn = Assert.Single(e.Turns); // the 00:30 message belongs to the turn opened at 22:59
        Assert.Equal(60 + 30, turn.ResponseSeconds);
        Assert.Equal("a-3", turn.AnsweredBy);
    }

    [Fact]
    public void Terms_amended_after_the_conversation_was_counted_are_flagged_not_silently_recounted()
    {
        var store = StoreWith(Calendar());
        var conversation = Conversation("presales", "2026-11-03T09:00:00",
            ("2026-11-02T10:00:00", "customer", null), ("2026-11-02T10:00:20", "agent", "a-1"));
        var counted = IngestionModule.Measure(store, Contract(attributionHours: 48), conversation, null);

        // Later the window is cut to 12 hours from November on: the figures still hold what was counted.
        var e = Explanations.Explain(store, Contract(48, (new DateOnly(2026, 11, 1), 12)), counted);

        Assert.True(e.Converted);
        Assert.False(e.SameAsCounted);
        Assert.Equal(12, e.Terms.AttributionHours);
    }

    [Fact]
    public void Random_conversations_under_random_calendars_always_add_up_to_their_row()
    {
        var random = new Random(20261101);
        string[] senders = ["customer", "customer", "agent", "agent", "bot", "system"];
        string[] hours = ["08:00-23:00", "20:00-02:00", "09:00-12:00,13:00-18:00", "00:00-00:00", "22:00-06:00,12:00-13:00"];
        for (var n = 0; n < 500; n++)
        {
            var calendar = Calendar(hours[random.Next(hours.Length)], random.Next(3) == 0 ? [1, 2, 3, 4, 5] : null,
                ["2026-11-03", "2026-11-05"], ["2026-11-08"], slow: 60 + random.Next(240));
            var start = new DateTimeOffset(2026, 11, 1 + random.Next(7), random.Next(24), random.Next(60), 0, TimeSpan.FromHours(8));
            var at = start;
            var messages = Enumerable.Range(0, 1 + random.Next(8)).Select(_ =>
            {
                at = at.AddSeconds(random.Next(random.Next(4) == 0 ? 40_000 : 400));
                var from = senders[random.Next(senders.Length)];
                return (at.ToString("yyyy-MM-ddTHH:mm:ss"), from, from == "agent" ? $"a-{random.Next(3)}" : null);
            }).ToArray();
            var paid = random.Next(2) == 0 ? null : start.AddHours(random.Next(60)).ToString("yyyy-MM-ddTHH:mm:ss");
            var conversation = Conversation(random.Next(2) == 0 ? "presales" : "aftersales", paid, messages);

            var e = Explain(StoreWith(calendar), conversation, random.Next(2) == 0 ? null : Contract(attributionHours: 1 + random.Next(48)));

            Assert.All(e.Turns, t => Assert.True(t.ClosedSeconds is null or >= 0, $"conversation {n}: negative closed seconds"));
            Assert.Equal(e.Turns.Count(t => t.AnsweredAt is not null), e.Turns.Count(t => t.AnsweredBy is not null));
        }
    }

    [Theory]
    [InlineData("c-1")]
    [InlineData("shop:2026/11?x=中文")]
    public void A_cursor_round_trips_and_a_made_up_one_is_refused(string id)
    {
        Assert.Equal(id, ConversationsModule.After(ConversationsModule.Cursor(id)));
        Assert.Null(ConversationsModule.After("not a cursor"));
        Assert.Null(ConversationsModule.After(Convert.ToBase64String("c-1"u8.ToArray()).TrimEnd('=')));
        Assert.Null(ConversationsModule.After("_w"));
    }
}
