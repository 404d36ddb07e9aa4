using Vendor.Staffing.Erlang;

namespace Vendor.Staffing.Tests;

/// <summary>
/// Hand-checked figures: 200 contacts an hour of 180 s is A = 200 × 180 / 3600 = 10 erlangs. The expected values were
/// computed independently of this code with exact rational arithmetic (Python fractions and factorials, no recursion):
///   C(N, A) = (A^N/N! · N/(N−A)) / (Σ_{k&lt;N} A^k/k! + A^N/N! · N/(N−A)),
///   SL = 1 − C·e^(−(N−A)·20/180), ASA = C·180/(N−A), occupancy = 10/N:
///   N = 11: C = 0.6821182046893324, SL 0.3896
///   N = 12: C = 0.4493882242982709, SL 0.6402
///   N = 13: C = 0.2852704530364930, SL 0.7956  (just under 80/20)
///   N = 14: C = 0.1741319335950498, SL 0.8883500191794669, ASA 7.835937011777243 s, occupancy 0.7142857142857143
/// so 80/20 needs N = 14 seats. With A = 100 (2,000 an hour of 180 s) 80/20 needs 107 seats at occupancy 0.9346;
/// a 0.85 occupancy cap needs ⌈100 / 0.85⌉ = 118 (C = 0.051583684369369595 there, SL 0.9930189074654834).
/// </summary>
public class ErlangCTests
{
    private const double Tolerance = 1e-12;

    private static ErlangRequest TenErlangs(double target = 0.8, int concurrency = 1, double shrinkage = 0, double? maxOccupancy = null) =>
        new(ContactsPerHour: 200, AhtSeconds: 180, TargetServiceLevel: target, AnswerSeconds: 20, concurrency, shrinkage, maxOccupancy);

    [Theory]
    [InlineData(11, 0.6821182046893324)]
    [InlineData(12, 0.4493882242982709)]
    [InlineData(13, 0.2852704530364930)]
    [InlineData(14, 0.1741319335950498)]
    [InlineData(15, 0.1020423670079880)]
    public void The_probability_of_waiting_at_10_erlangs_is_the_textbook_value(int seats, double expected)
    {
        Assert.Equal(expected, ErlangC.ProbabilityOfWaiting(seats, 10), Tolerance);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(10, 10)]
    [InlineData(9, 10)]
    public void Seats_that_cannot_carry_the_traffic_make_everyone_wait(int seats, double erlangs)
    {
        Assert.Equal(1, ErlangC.ProbabilityOfWaiting(seats, erlangs));
    }

    [Fact]
    public void Eighty_twenty_at_10_erlangs_needs_14_seats_with_their_figures()
    {
        var result = ErlangC.Solve(TenErlangs());

        Assert.Equal((14, 14, 14), (result.Seats, result.Agents, result.ScheduledAgents));
        Assert.Equal(0.1741319335950498, result.ProbabilityOfWaiting, Tolerance);
        Assert.Equal(0.8883500191794669, result.ServiceLevel, Tolerance);
        Assert.Equal(7.835937011777243, result.AverageSpeedOfAnswerSeconds, 1e-10);
        Assert.Equal(10.0 / 14, result.Occupancy, Tolerance);
    }

    [Fact]
    public void Thirteen_seats_just_miss_eighty_twenty()
    {
        var serviceLevel = ErlangC.ServiceLevel(ErlangC.ProbabilityOfWaiting(13, 10), 13, 10, 180, 20);

        Assert.Equal(0.7955947884177831, serviceLevel, Tolerance);
    }

    [Fact]
    public void Chat_concurrency_divides_seats_into_agents_rounding_up()
    {
        var result = ErlangC.Solve(TenErlangs(concurrency: 3));

        Assert.Equal((14, 5, 5), (result.Seats, result.Agents, result.ScheduledAgents)); // ⌈14 / 3⌉ = 5
    }

    [Fact]
    public void Shrinkage_schedules_more_agents_than_are_on_the_queue()
    {
        var result = ErlangC.Solve(TenErlangs(concurrency: 3, shrinkage: 0.3));

        Assert.Equal((14, 5, 8), (result.Seats, result.Agents, result.ScheduledAgents)); // ⌈5 / 0.7⌉ = ⌈7.14⌉ = 8
    }

    [Theory]
    [InlineData(0.9, 10)] // 1 / (1 − 0.9) is 10.000000000000002 in binary
    [InlineData(0.8, 5)]
    [InlineData(0.5, 2)]
    [InlineData(0.99, 100)]
    public void Shrinkage_that_divides_exactly_does_not_round_up_a_binary_remainder(double shrinkage, int scheduled)
    {
        // 1 contact an hour of 60 s: one seat, one agent.
        var result = ErlangC.Solve(new ErlangRequest(1, 60, 0.8, 20, Shrinkage: shrinkage));

        Assert.Equal((1, scheduled), (result.Agents, result.ScheduledAgents));
    }

    [Fact]
    public void An_occupancy_cap_forces_more_seats_than_the_service_level_alone()
    {
        var hundredErlangs = new ErlangRequest(ContactsPerHour: 2000, AhtSeconds: 180, TargetServiceLevel: 0.8, AnswerSeconds: 20);

        var bySlaOnly = ErlangC.Solve(hundredErlangs);
        var capped = ErlangC.Solve(hundredErlangs with { MaxOccupancy = 0.85 });

        Assert.Equal(107, bySlaOnly.Seats);
        Assert.Equal(100.0 / 107, bySlaOnly.Occupancy, Tolerance);
        Assert.Equal(118, capped.Seats); // ⌈100 / 0.85⌉
        Assert.Equal(0.051583684369369595, capped.ProbabilityOfWaiting, Tolerance);
        Assert.Equal(0.9930189074654834, capped.ServiceLevel, Tolerance);
        Assert.True(capped.Occupancy <= 0.85);
        Assert.True(100.0 / 117 > 0.85);
    }

    [Fact]
    public void An_occupancy_cap_that_the_service_level_already_meets_changes_nothing()
    {
        Assert.Equal(ErlangC.Solve(TenErlangs()), ErlangC.Solve(TenErlangs(maxOccupancy: 0.85)));
    }

    [Fact]
    public void No_contacts_need_nobody_and_nobody_waits()
    {
        var result = ErlangC.Solve(new ErlangRequest(0, 180, 0.8, 20, Concurrency: 3, Shrinkage: 0.3, MaxOccupancy: 0.85));

        Assert.Equal(new ErlangResult(Agents: 0, ServiceLevel: 1, AverageSpeedOfAnswerSeconds: 0, Occupancy: 0, ProbabilityOfWaiting: 0,
            Seats: 0, ScheduledAgents: 0), result);
    }

    [Theory]
    [InlineData(360_000, 100, 0.8, 20)]   // 10,000 erlangs
    [InlineData(360_000, 100, 0.99, 0)]
    [InlineData(3_600_000, 100, 0.95, 10)] // the cap, 100,000 erlangs
    public void Ten_thousand_erlangs_and_more_give_finite_figures_and_the_smallest_n(double contactsPerHour, double aht, double target, double answer)
    {
        var request = new ErlangRequest(contactsPerHour, aht, target, answer);
        var a = request.TrafficErlangs;

        var result = ErlangC.Solve(request);

        Assert.True(result.Seats > a);
        Assert.InRange(result.ProbabilityOfWaiting, 0, 1);
        Assert.InRange(result.ServiceLevel, target, 1);
        Assert.True(double.IsFinite(result.AverageSpeedOfAnswerSeconds) && result.AverageSpeedOfAnswerSeconds >= 0);
        Assert.InRange(result.Occupancy, 0, 1);
        // The seats are the smallest: one fewer misses the target (or is not above A at all).
        Assert.Equal(result.ProbabilityOfWaiting, ErlangC.ProbabilityOfWaiting(result.Seats, a), 1e-12);
        var oneFewer = result.Seats - 1;
        Assert.True(oneFewer <= a || ErlangC.ServiceLevel(ErlangC.ProbabilityOfWaiting(oneFewer, a), oneFewer, a, aht, answer) < target);
    }

    [Fact]
    public void The_probability_of_waiting_stays_a_probability_around_10_000_erlangs()
    {
        foreach (var seats in new[] { 10_001, 10_010, 10_050, 10_100, 10_200, 10_500, 11_000 })
        {
            var waiting = ErlangC.ProbabilityOfWaiting(seats, 10_000);
            Assert.True(double.IsFinite(waiting) && waiting is >= 0 and <= 1, $"P(wait) at {seats} seats: {waiting}");
        }
    }

    [Fact]
    public void The_incremental_search_finds_the_same_n_as_trying_every_n_from_scratch()
    {
        foreach (var contacts in new[] { 1.0, 13, 100, 200, 777, 2000, 9000 })
        foreach (var target in new[] { 0.5, 0.8, 0.95 })
        foreach (var answer in new[] { 0.0, 20, 60 })
        {
            var request = new ErlangRequest(contacts, 180, target, answer);
            var a = request.TrafficErlangs;
            var smallest = (int)Math.Floor(a) + 1;
            while (ErlangC.ServiceLevel(ErlangC.ProbabilityOfWaiting(smallest, a), smallest, a, 180, answer) < target) smallest++;

            Assert.Equal(smallest, ErlangC.Solve(request).Seats);
        }
    }

    [Fact]
    public void The_probability_of_waiting_falls_as_seats_are_added()
    {
        foreach (var a in new[] { 0.05, 0.5, 1, 2.5, 10, 37.3, 100, 512.7, 2000, 10_000 })
        {
            var previous = 1.0;
            for (var seats = (int)Math.Floor(a) + 1; seats <= a + 10 * Math.Sqrt(a) + 10; seats++)
            {
                var waiting = ErlangC.ProbabilityOfWaiting(seats, a);
                Assert.True(waiting <= previous, $"A = {a}: P(wait) rose from {previous} to {waiting} at {seats} seats");
                previous = waiting;
            }
        }
    }

    [Fact]
    public void More_traffic_never_needs_fewer_seats_agents_or_scheduled_agents()
    {
        foreach (var aht in new[] { 30.0, 180, 600 })
        foreach (var target in new[] { 0.6, 0.8, 0.9, 0.99 })
        foreach (var maxOccupancy in new double?[] { null, 0.85 })
        {
            var previous = ErlangResult.NoTraffic;
            foreach (var contacts in new[] { 0.0, 1, 5, 20, 60, 150, 400, 1000, 2500, 6000, 15000, 40000 })
            {
                var result = ErlangC.Solve(new ErlangRequest(contacts, aht, target, 20, Concurrency: 2, Shrinkage: 0.25, MaxOccupancy: maxOccupancy));
                Assert.True(result.Seats >= previous.Seats && result.Agents >= previous.Agents && result.ScheduledAgents >= previous.ScheduledAgents,
                    $"{contacts}/h of {aht} s at {target}: {result} after {previous}");
                previous = result;
            }
        }
    }

    [Fact]
    public void A_stricter_target_never_needs_fewer_seats()
    {
        var previous = 0;
        foreach (var target in new[] { 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999 })
        {
            var seats = ErlangC.Solve(TenErlangs(target)).Seats;
            Assert.True(seats >= previous);
            previous = seats;
        }
    }

    [Fact]
    public void A_query_with_only_the_required_fields_takes_the_defaults()
    {
        var (request, errors) = ErlangValidation.Parse(new ErlangQuery("200", "180", "0.8", "20"));

        Assert.False(errors.Any);
        Assert.Equal(TenErlangs(), request);
    }

    [Fact]
    public void A_query_reads_invariant_numbers_with_exponents_and_every_optional_field()
    {
        var (request, _) = ErlangValidation.Parse(new ErlangQuery("2e2", " 180 ", "0.80", "20.0", "3", "0.3", "0.85"));

        Assert.Equal(TenErlangs(concurrency: 3, shrinkage: 0.3, maxOccupancy: 0.85), request);
    }

    [Fact]
    public void Missing_required_fields_are_all_named()
    {
        var (request, errors) = ErlangValidation.Parse(new ErlangQuery(null, "", " ", null));

        Assert.Null(request);
        Assert.Equal(["ahtSeconds", "answerSeconds", "contactsPerHour", "serviceLevel"], errors.ToDecision().Errors.Keys.Order());
    }

    [Theory]
    [InlineData("contactsPerHour", "-1", "180", "0.8", "20", null, null, null)]
    [InlineData("contactsPerHour", "abc", "180", "0.8", "20", null, null, null)]
    [InlineData("contactsPerHour", "Infinity", "180", "0.8", "20", null, null, null)]
    [InlineData("contactsPerHour", "3600001", "100", "0.8", "20", null, null, null)] // just over 100,000 erlangs
    [InlineData("ahtSeconds", "200", "0", "0.8", "20", null, null, null)]
    [InlineData("ahtSeconds", "200", "NaN", "0.8", "20", null, null, null)]
    [InlineData("serviceLevel", "200", "180", "1", "20", null, null, null)]
    [InlineData("serviceLevel", "200", "180", "80", "20", null, null, null)]
    [InlineData("serviceLevel", "200", "180", "0", "20", null, null, null)]
    [InlineData("serviceLevel", "200", "180", "0,8", "20", null, null, null)]
    [InlineData("answerSeconds", "200", "180", "0.8", "-5", null, null, null)]
    [InlineData("concurrency", "200", "180", "0.8", "20", "0", null, null)]
    [InlineData("concurrency", "200", "180", "0.8", "20", "1.5", null, null)]
    [InlineData("concurrency", "200", "180", "0.8", "20", "1e12", null, null)]
    [InlineData("shrinkage", "200", "180", "0.8", "20", null, "1", null)]
    [InlineData("shrinkage", "200", "180", "0.8", "20", null, "-0.1", null)]
    [InlineData("maxOccupancy", "200", "180", "0.8", "20", null, null, "0")]
    [InlineData("maxOccupancy", "200", "180", "0.8", "20", null, null, "1.01")]
    [InlineData("maxOccupancy", "3600000", "100", "0.8", "20", null, null, "0.05")] // 100,000 erlangs would need 2,000,000 seats
    public void A_bad_value_names_its_field_alone(string field, string contacts, string aht, string target, string answer,
        string? concurrency, string? shrinkage, string? maxOccupancy)
    {
        var (request, errors) = ErlangValidation.Parse(new ErlangQuery(contacts, aht, target, answer, concurrency, shrinkage, maxOccupancy));

        Assert.Null(request);
        Assert.Equal([field], errors.ToDecision().Errors.Keys);
    }

    [Fact]
    public void The_typed_request_follows_the_same_rules()
    {
        var errors = ErlangValidation.Check(new ErlangRequest(-1, 0, 1, -1, Concurrency: 0, Shrinkage: 1, MaxOccupancy: 0));

        Assert.Equal(["ahtSeconds", "answerSeconds", "concurrency", "contactsPerHour", "maxOccupancy", "serviceLevel", "shrinkage"],
            errors.ToDecision().Errors.Keys.Order());
        Assert.Throws<ArgumentException>(() => ErlangC.Solve(new ErlangRequest(200, 180, 1, 20)));
        Assert.Throws<ArgumentException>(() => ErlangC.Solve(new ErlangRequest(double.NaN, 180, 0.8, 20)));
    }
}
