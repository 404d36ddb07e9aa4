using System.Globalization;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Erlang;

/// <summary>How many seats a queue needs: contacts an hour and their handling time against a service-level target.</summary>
/// <param name="TargetServiceLevel">The share of contacts to answer within <paramref name="AnswerSeconds"/>, e.g. 0.8.</param>
/// <param name="Concurrency">Chats one agent handles at once (1 for calls).</param>
/// <param name="Shrinkage">The share of paid time agents are away from the queue (breaks, training, absence).</param>
/// <param name="MaxOccupancy">When given, the highest share of time seats may be busy.</param>
public sealed record ErlangRequest(double ContactsPerHour, double AhtSeconds, double TargetServiceLevel, double AnswerSeconds,
    int Concurrency = 1, double Shrinkage = 0, double? MaxOccupancy = null)
{
    /// <summary>Offered traffic A in erlangs: how many contacts are being handled at once on average.</summary>
    public double TrafficErlangs => ErlangC.TrafficErlangs(ContactsPerHour, AhtSeconds);
}

/// <summary>The smallest staffing that meets the request, and the figures those <see cref="Seats"/> achieve.</summary>
public sealed record ErlangResult(int Agents, double ServiceLevel, double AverageSpeedOfAnswerSeconds, double Occupancy,
    double ProbabilityOfWaiting, int Seats, int ScheduledAgents)
{
    /// <summary>No contacts: nobody is needed and nobody waits.</summary>
    public static readonly ErlangResult NoTraffic = new(0, 1, 0, 0, 0, 0, 0);
}

/// <summary>
/// Erlang C (DOMAIN.md, "Staffing and emergency rostering"). Everything goes through the Erlang B recursion
/// B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), whose terms stay in [0, 1]: A^N/N! overflows a double from
/// about 170 erlangs, the recursion is exact to rounding far beyond 10,000.
/// </summary>
public static class ErlangC
{
    /// <summary>
    /// The most traffic answered: 100,000 erlangs (e.g. 3.6 million contacts an hour of 100 s), far above any real queue.
    /// It bounds the O(N) search to about a millisecond and keeps every count an int.
    /// </summary>
    public const double MaxTrafficErlangs = 100_000;

    /// <summary>The most seats an answer may need; only a very low maxOccupancy gets near it.</summary>
    public const int MaxSeats = 1_000_000;

    public static double TrafficErlangs(double contactsPerHour, double ahtSeconds) => contactsPerHour * ahtSeconds / 3600;

    /// <summary>Erlang C: the probability that a contact has to wait with <paramref name="n"/> seats and <paramref name="a"/> erlangs.</summary>
    /// <returns>1 when n ≤ a: the queue grows without bound and everyone waits.</returns>
    public static double ProbabilityOfWaiting(int n, double a)
    {
        if (!(a >= 0) || double.IsInfinity(a)) throw new ArgumentOutOfRangeException(nameof(a), a, "Traffic must be a finite number of erlangs ≥ 0.");
        if (n <= a) return 1;
        var blocking = 1.0;
        for (var k = 1; k <= n; k++) blocking = NextErlangB(blocking, k, a);
        return ErlangCFromB(n, a, blocking);
    }

    /// <summary>The share of contacts answered within <paramref name="answerSeconds"/>: 1 − P(wait)·e^(−(N−A)·T/AHT).</summary>
    public static double ServiceLevel(double probabilityOfWaiting, int n, double a, double ahtSeconds, double answerSeconds) =>
        1 - probabilityOfWaiting * Math.Exp(-(n - a) * answerSeconds / ahtSeconds);

    /// <summary>ASA, the mean wait over all contacts: P(wait)·AHT / (N − A).</summary>
    public static double AverageSpeedOfAnswerSeconds(double probabilityOfWaiting, int n, double a, double ahtSeconds) =>
        probabilityOfWaiting * ahtSeconds / (n - a);

    /// <summary>
    /// The smallest N &gt; A whose service level meets the target (and occupancy the cap, when given), in one pass:
    /// the B recursion runs once up to ⌊A⌋ and then one step per candidate N, so the search is O(N), not O(N²).
    /// </summary>
    /// <exception cref="ArgumentException">The request breaks a rule of <see cref="ErlangValidation"/>.</exception>
    public static ErlangResult Solve(ErlangRequest request)
    {
        var errors = ErlangValidation.Check(request);
        if (errors.Any)
            throw new ArgumentException("Not a valid Erlang request: " + string.Join("; ",
                errors.ToDecision().Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")), nameof(request));

        var a = request.TrafficErlangs;
        if (a == 0) return ErlangResult.NoTraffic;

        // Seats up to ⌊A⌋ cannot carry the traffic at all; only their blocking probability is needed to go on.
        var seats = (int)Math.Floor(a);
        var blocking = 1.0;
        for (var k = 1; k <= seats; k++) blocking = NextErlangB(blocking, k, a);
        while (true)
        {
            seats++;
            // Validation keeps the answer under MaxSeats; this only stops a loop should a rule ever be loosened.
            if (seats > MaxSeats) throw new InvalidOperationException($"More than {MaxSeats} seats needed for {a} erlangs.");
            blocking = NextErlangB(blocking, seats, a);
            var waiting = ErlangCFromB(seats, a, blocking);
            var serviceLevel = ServiceLevel(waiting, seats, a, request.AhtSeconds, request.AnswerSeconds);
            var occupancy = a / seats;
            if (serviceLevel < request.TargetServiceLevel || (request.MaxOccupancy is { } cap && occupancy > cap)) continue;

            var agents = (seats + request.Concurrency - 1) / request.Concurrency;
            return new ErlangResult(agents, serviceLevel, AverageSpeedOfAnswerSeconds(waiting, seats, a, request.AhtSeconds), occupancy,
                waiting, seats, CeilingOfTypedQuotient(agents / (1 - request.Shrinkage)));
        }
    }

    /// <summary>B(k) from B(k−1).</summary>
    private static double NextErlangB(double previous, int k, double a) => a * previous / (k + a * previous);

    /// <summary>C(N) = N·B / (N − A·(1 − B)), for N &gt; A.</summary>
    private static double ErlangCFromB(int n, double a, double blocking) => n * blocking / (n - a * (1 - blocking));

    /// <summary>
    /// ⌈x⌉ of a quotient of decimals the caller typed: 1 − 0.9 is not exactly 0.1 in binary, so 1 agent at 90 % shrinkage
    /// comes out as 10.000000000000002 and would round up to 11 scheduled agents.
    /// </summary>
    private static int CeilingOfTypedQuotient(double x)
    {
        var nearest = Math.Round(x);
        return (int)(Math.Abs(x - nearest) <= 1e-9 * Math.Max(1, nearest) ? nearest : Math.Ceiling(x));
    }
}

/// <summary>The query of GET /api/staffing/erlang as sent: text, so that a missing or non-numeric value is named in a 400.</summary>
public sealed record ErlangQuery(string? ContactsPerHour, string? AhtSeconds, string? ServiceLevel, string? AnswerSeconds,
    string? Concurrency = null, string? Shrinkage = null, string? MaxOccupancy = null);

/// <summary>The rules of an Erlang request, stated once for the typed request and for the query text; errors by API field name.</summary>
public static class ErlangValidation
{
    /// <summary>More concurrent chats than this is not an agent any more; it also keeps the count an int.</summary>
    public const int MaxConcurrency = 100;

    /// <summary>Beyond 99 % nobody is left to schedule, and the scheduled count would leave the int range.</summary>
    public const double MaxShrinkage = 0.99;

    private sealed record Rule(string Field, string Expected, Func<double, bool> Holds)
    {
        public bool Accepts(double value) => double.IsFinite(value) && Holds(value);
    }

    private static readonly Rule ContactsPerHour = new("contactsPerHour", "a number of contacts per hour ≥ 0", v => v >= 0);
    private static readonly Rule AhtSeconds = new("ahtSeconds", "an average handling time in seconds > 0", v => v > 0);
    private static readonly Rule ServiceLevel = new("serviceLevel", "a fraction strictly between 0 and 1, e.g. 0.8 for 80 %", v => v is > 0 and < 1);
    private static readonly Rule AnswerSeconds = new("answerSeconds", "a target answer time in seconds ≥ 0", v => v >= 0);
    private static readonly Rule Concurrency = new("concurrency",
        $"a whole number of chats one agent handles at once, 1 to {MaxConcurrency} (default 1)", v => v is >= 1 and <= MaxConcurrency && double.IsInteger(v));
    private static readonly Rule Shrinkage = new("shrinkage",
        string.Create(CultureInfo.InvariantCulture, $"a fraction of paid time away from the queue, ≥ 0 and ≤ {MaxShrinkage} (default 0)"),
        v => v is >= 0 and <= MaxShrinkage);
    private static readonly Rule MaxOccupancy = new("maxOccupancy", "a fraction > 0 and ≤ 1 (optional)", v => v is > 0 and <= 1);

    /// <summary>The field errors of a typed request; none when <see cref="ErlangC.Solve"/> may answer it.</summary>
    public static Errors Check(ErlangRequest r) =>
        CheckValues(new Errors(), r.ContactsPerHour, r.AhtSeconds, r.TargetServiceLevel, r.AnswerSeconds, r.Concurrency, r.Shrinkage, r.MaxOccupancy);

    /// <summary>The request the query asks for, or null with every field error (missing, not a number, out of range).</summary>
    public static (ErlangRequest? Request, Errors Errors) Parse(ErlangQuery query)
    {
        var errors = new Errors();
        var contacts = Read(errors, ContactsPerHour, query.ContactsPerHour, required: true);
        var aht = Read(errors, AhtSeconds, query.AhtSeconds, required: true);
        var serviceLevel = Read(errors, ServiceLevel, query.ServiceLevel, required: true);
        var answer = Read(errors, AnswerSeconds, query.AnswerSeconds, required: true);
        var concurrency = Read(errors, Concurrency, query.Concurrency, required: false);
        var shrinkage = Read(errors, Shrinkage, query.Shrinkage, required: false);
        var maxOccupancy = Read(errors, MaxOccupancy, query.MaxOccupancy, required: false);
        CheckValues(errors, contacts, aht, serviceLevel, answer, concurrency, shrinkage, maxOccupancy);
        if (errors.Any) return (null, errors);
        // Without errors every required value was present.
        return (new ErlangRequest(contacts!.Value, aht!.Value, serviceLevel!.Value, answer!.Value,
            (int)(concurrency ?? 1), shrinkage ?? 0, maxOccupancy), errors);
    }

    /// <summary>The number in the text; null (and an error unless optional and absent) when there is none.</summary>
    private static double? Read(Errors errors, Rule rule, string? text, bool required)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors.Check(!required, rule.Field, $"Required: {rule.Expected}.");
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)) return value;
        errors.Add(rule.Field, $"Not a number: expected {rule.Expected}.");
        return null;
    }

    /// <summary>Range rules of the values present (a null was already reported or is an absent optional).</summary>
    private static Errors CheckValues(Errors errors, double? contacts, double? aht, double? serviceLevel, double? answer,
        double? concurrency, double? shrinkage, double? maxOccupancy)
    {
        Within(errors, ContactsPerHour, contacts);
        Within(errors, AhtSeconds, aht);
        Within(errors, ServiceLevel, serviceLevel);
        Within(errors, AnswerSeconds, answer);
        Within(errors, Concurrency, concurrency);
        Within(errors, Shrinkage, shrinkage);
        Within(errors, MaxOccupancy, maxOccupancy);

        // The size of the answer: the search is O(N), so the traffic and the seats an occupancy cap asks for are bounded.
        if (contacts is not { } c || aht is not { } h || !ContactsPerHour.Accepts(c) || !AhtSeconds.Accepts(h)) return errors;
        var traffic = ErlangC.TrafficErlangs(c, h);
        if (!(traffic <= ErlangC.MaxTrafficErlangs))
            return errors.Add(ContactsPerHour.Field, string.Create(CultureInfo.InvariantCulture,
                $"The traffic contactsPerHour × ahtSeconds / 3600 must be at most {ErlangC.MaxTrafficErlangs:N0} erlangs."));
        if (maxOccupancy is { } cap && MaxOccupancy.Accepts(cap))
            errors.Check(traffic / cap <= ErlangC.MaxSeats, MaxOccupancy.Field, string.Create(CultureInfo.InvariantCulture,
                $"Too low for this traffic: it would take more than {ErlangC.MaxSeats:N0} seats."));
        return errors;
    }

    private static void Within(Errors errors, Rule rule, double? value)
    {
        if (value is { } v) errors.Check(rule.Accepts(v), rule.Field, $"Expected {rule.Expected}.");
    }
}
