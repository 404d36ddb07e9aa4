using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Tests;

public class ConversationMetricsTests
{
    private static readonly TimeSpan Shanghai = TimeSpan.FromHours(8);

    private static DateTimeOffset At(string local) => new(DateTime.Parse(local), Shanghai);

    private static ServiceCalendar Calendar(string hours = "08:00-23:00", int[]? openDays = null, string[]? holidays = null,
        string[]? makeUp = null, string zone = "Asia/Shanghai") =>
        new(zone,
            hours.Split(',').Select(b => b.Split('-')).Select(p => new HoursBlock(TimeOnly.Parse(p[0]), TimeOnly.Parse(p[1]))).ToList(),
            openDays ?? [1, 2, 3, 4, 5, 6, 7],
            (holidays ?? []).Select(DateOnly.Parse).ToList(),
            (makeUp ?? []).Select(DateOnly.Parse).ToList(),
            ServiceCalendar.DefaultSlowThresholdSeconds);

    private static ConversationFacts Facts(ServiceCalendar calendar, params (string At, Sender From)[] messages) =>
        ConversationMetrics.Compute(messages.Select(m => new Message(At(m.At), m.From)).ToList(), calendar, null, 48);

    [Fact]
    public void Bot_and_system_messages_never_answer_a_turn()
    {
        var facts = Facts(Calendar(),
            ("2026-11-02 09:00:00", Sender.Customer), ("2026-11-02 09:00:01", Sender.Bot),
            ("2026-11-02 09:00:02", Sender.System), ("2026-11-02 09:03:20", Sender.Agent));

        Assert.Equal(200, facts.FirstResponseSeconds);
        Assert.Single(facts.Turns);
        Assert.False(facts.AnsweredWithinThreeMinutes);
        Assert.True(facts.Slow);
    }

    [Fact]
    public void Bot_and_system_messages_never_open_a_turn()
    {
        var facts = Facts(Calendar(), ("2026-11-02 09:00:00", Sender.Bot), ("2026-11-02 09:00:05", Sender.System),
            ("2026-11-02 09:01:00", Sender.Agent));

        Assert.False(facts.HasCustomerMessage);
        Assert.Empty(facts.Turns);
        Assert.False(facts.Missed);
        Assert.Equal(At("2026-11-02 09:00:00"), facts.StartedAt);
    }

    [Fact]
    public void A_turn_opened_out_of_hours_starts_its_clock_at_the_next_opening()
    {
        var facts = Facts(Calendar(), ("2026-11-02 23:30:00", Sender.Customer), ("2026-11-03 08:01:00", Sender.Agent));

        Assert.Equal(60, facts.FirstResponseSeconds);
    }

    [Fact]
    public void Service_hours_crossing_midnight_count_on_both_sides()
    {
        // 20:00-02:00: from 01:59 one minute is left tonight, then the clock waits until 20:00.
        var facts = Facts(Calendar("20:00-02:00"), ("2026-11-03 01:59:00", Sender.Customer), ("2026-11-03 20:00:30", Sender.Agent));

        Assert.Equal(90, facts.FirstResponseSeconds);
    }

    [Fact]
    public void Several_blocks_a_day_skip_the_break_between_them()
    {
        var facts = Facts(Calendar("09:00-12:00,13:30-18:00"),
            ("2026-11-02 11:59:00", Sender.Customer), ("2026-11-02 13:31:00", Sender.Agent));

        Assert.Equal(120, facts.FirstResponseSeconds);
    }

    [Fact]
    public void Overlapping_blocks_are_not_counted_twice()
    {
        var facts = Facts(Calendar("08:00-12:00,10:00-14:00"),
            ("2026-11-02 09:00:00", Sender.Customer), ("2026-11-02 13:00:00", Sender.Agent));

        Assert.Equal(4 * 3600, facts.FirstResponseSeconds);
    }

    [Fact]
    public void A_holiday_is_closed_all_day()
    {
        var facts = Facts(Calendar(holidays: ["2026-10-01"]),
            ("2026-09-30 22:59:00", Sender.Customer), ("2026-10-02 08:00:30", Sender.Agent));

        Assert.Equal(90, facts.FirstResponseSeconds);
    }

    [Fact]
    public void A_block_starting_on_a_holiday_eve_still_runs_into_the_holiday()
    {
        var facts = Facts(Calendar("20:00-02:00", holidays: ["2026-10-01"]),
            ("2026-10-01 01:00:00", Sender.Customer), ("2026-10-01 01:01:00", Sender.Agent));

        Assert.Equal(60, facts.FirstResponseSeconds);
    }

    [Fact]
    public void A_make_up_workday_opens_a_day_the_week_would_close()
    {
        // 2026-10-10 is a Saturday; the store serves Monday to Friday.
        var weekdays = new[] { 1, 2, 3, 4, 5 };
        (string, Sender)[] saturdayChat = [("2026-10-10 10:00:00", Sender.Customer), ("2026-10-10 10:01:00", Sender.Agent)];

        Assert.Equal(60, Facts(Calendar(openDays: weekdays, makeUp: ["2026-10-10"]), saturdayChat).FirstResponseSeconds);
        Assert.Equal(0, Facts(Calendar(openDays: weekdays), saturdayChat).FirstResponseSeconds);
    }

    [Fact]
    public void An_unanswered_first_turn_is_missed_and_a_later_unanswered_turn_is_not()
    {
        var missed = Facts(Calendar(), ("2026-11-02 09:00:00", Sender.Customer), ("2026-11-02 09:00:10", Sender.Bot));
        var laterUnanswered = Facts(Calendar(),
            ("2026-11-02 09:00:00", Sender.Customer), ("2026-11-02 09:00:30", Sender.Agent), ("2026-11-02 09:05:00", Sender.Customer));

        Assert.True(missed.Missed);
        Assert.Null(missed.FirstResponseSeconds);
        Assert.False(laterUnanswered.Missed);
        Assert.Equal(2, laterUnanswered.Turns.Count);
        Assert.Null(laterUnanswered.Turns[1].AnsweredAt);
    }

    [Fact]
    public void Customer_messages_before_an_agent_reply_belong_to_one_turn()
    {
        var facts = Facts(Calendar(),
            ("2026-11-02 09:00:00", Sender.Customer), ("2026-11-02 09:00:20", Sender.Customer), ("2026-11-02 09:00:40", Sender.Agent),
            ("2026-11-02 09:10:00", Sender.Customer), ("2026-11-02 09:14:00", Sender.Agent), ("2026-11-02 09:14:30", Sender.Agent));

        Assert.Equal([40.0, 240.0], facts.AnsweredResponseSeconds);
        Assert.Equal(40, facts.FirstResponseSeconds);
        Assert.True(facts.Slow);
    }

    [Fact]
    public void Messages_are_taken_in_time_order_whatever_order_they_arrive_in()
    {
        var facts = Facts(Calendar(), ("2026-11-02 09:01:00", Sender.Agent), ("2026-11-02 09:00:00", Sender.Customer));

        Assert.Equal(60, facts.FirstResponseSeconds);
        Assert.Equal(At("2026-11-02 09:00:00"), facts.StartedAt);
    }

    [Theory]
    [InlineData(180, true, false)]
    [InlineData(181, false, true)]
    public void Three_minutes_is_inclusive_and_slow_means_after_the_threshold(int seconds, bool withinThree, bool slow)
    {
        var facts = Facts(Calendar(), ("2026-11-02 09:00:00", Sender.Customer), ($"2026-11-02 09:00:00", Sender.Bot),
            (At("2026-11-02 09:00:00").AddSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss"), Sender.Agent));

        Assert.Equal(withinThree, facts.AnsweredWithinThreeMinutes);
        Assert.Equal(slow, facts.Slow);
    }

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(47 * 60 + 59, true)]
    [InlineData(48 * 60, true)]
    [InlineData(48 * 60 + 1, false)]
    public void Payment_counts_as_conversion_only_within_the_attribution_window(int minutesAfterFirstQuestion, bool converted)
    {
        var asked = At("2026-11-02 09:00:00");
        var messages = new[] { new Message(asked.AddMinutes(-5), Sender.Bot), new Message(asked, Sender.Customer), new Message(asked.AddMinutes(1), Sender.Agent) };

        var facts = ConversationMetrics.Compute(messages, Calendar(), asked.AddMinutes(minutesAfterFirstQuestion), 48);

        Assert.Equal(converted, facts.Converted);
    }

    [Fact]
    public void Clocks_count_real_seconds_across_a_daylight_saving_change()
    {
        // Europe/Berlin springs forward at 02:00 on 2026-03-29: 01:59 to 03:01 local is two real minutes.
        var calendar = Calendar("00:00-00:00", zone: "Europe/Berlin");
        var customer = new DateTimeOffset(2026, 3, 29, 1, 59, 0, TimeSpan.FromHours(1));
        var agent = new DateTimeOffset(2026, 3, 29, 3, 1, 0, TimeSpan.FromHours(2));

        var facts = ConversationMetrics.Compute([new(customer, Sender.Customer), new(agent, Sender.Agent)], calendar, null, 48);

        Assert.Equal(120, facts.FirstResponseSeconds);
    }

    [Fact]
    public void Local_dates_follow_the_store_time_zone()
    {
        var calendar = Calendar();

        Assert.Equal(new DateOnly(2026, 11, 3), calendar.LocalDate(new DateTimeOffset(2026, 11, 2, 16, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void One_calendar_instance_walked_over_many_days_answers_as_a_fresh_one_each_time()
    {
        // The instance memoizes each day's intervals: a walk must never see another day's, whatever came before it.
        var shared = Calendar("08:00-12:00,20:00-02:00", openDays: [1, 2, 3, 4, 5], holidays: ["2026-10-01", "2026-10-02"],
            makeUp: ["2026-10-10"]);
        var random = new Random(7);
        var start = At("2026-09-25 00:00:00");
        for (var i = 0; i < 2_000; i++)
        {
            var from = start.AddMinutes(random.Next(0, 30 * 24 * 60));
            var to = from.AddMinutes(random.Next(0, 4 * 24 * 60));
            Assert.Equal((shared with { }).ServiceSecondsBetween(from, to), shared.ServiceSecondsBetween(from, to));
        }
    }
}

public class CustomerTextTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Only_the_customers_words_travel_to_quality_cut_at_a_thousand_characters_without_splitting_a_character()
    {
        Ingestion.StoredMessage M(string from, string? text) => new(At, from, from == "agent" ? "a-1" : null, text);

        Assert.Equal("在吗\n我要退款", Ingestion.IngestionModule.CustomerText([M("customer", "在吗"), M("bot", "您好"), M("agent", "在的"), M("customer", "我要退款")]));
        Assert.Null(Ingestion.IngestionModule.CustomerText([M("agent", "在的"), M("customer", null)]));

        var longText = new string('退', 999) + "😀" + "tail";
        var cut = Ingestion.IngestionModule.CustomerText([M("customer", longText)])!;
        Assert.Equal(999, cut.Length); // the emoji's surrogate pair would straddle the limit: left out whole
        Assert.Equal(1_000, Ingestion.IngestionModule.CustomerText([M("customer", new string('a', 1_500))])!.Length);
    }
}
