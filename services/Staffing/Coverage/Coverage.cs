using Marten;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Demand;
using Vendor.Staffing.Erlang;
using Vendor.Staffing.Rosters;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Coverage;

public sealed record CoverageInterval(DateTimeOffset Start, bool Open, double ForecastContacts, double AhtSeconds, int RequiredAgents,
    int ScheduledAgents, int AvailableAgents, int Gap);

/// <param name="ServiceLevel">The share of first responses within <paramref name="AnswerSeconds"/> planned for (the contract's threeMinuteResponseRate target, else 0.8).</param>
/// <param name="Concurrency">Chats an agent handles at once (the median of the day's rostered agents; 1 for a hotline-only store).</param>
public sealed record CoverageDay(string StoreId, DateOnly Date, string TimeZone, double ServiceLevel, double AnswerSeconds, int Concurrency,
    IReadOnlyList<CoverageInterval> Intervals)
{
    public int TotalGap => Intervals.Sum(i => i.Gap);
}

/// <summary>
/// Forecast demand against rostered and available agents per 30-minute interval of a store-local day: required agents by
/// Erlang C, scheduled = agents with a shift covering the interval, available = scheduled minus those absent in it,
/// gap = required minus available when short (0 otherwise). Closed intervals require nobody.
/// </summary>
public static class CoverageRules
{
    public const double DefaultServiceLevel = 0.8;
    public const double MaxServiceLevel = 0.99;
    /// <summary>The 3-minute first-response rule (3分钟人工响应率) is the answer time planned for.</summary>
    public const double AnswerSeconds = 180;

    public static CoverageDay Day(StaffedStore store, DateOnly date, IReadOnlyList<IntervalForecast> forecast, IReadOnlyList<Shift> shifts,
        IReadOnlyList<Absence> absences, IReadOnlyDictionary<string, Agent> agents)
    {
        var zone = OpeningHours.Zone(store.TimeZone);
        var dayStart = OpeningHours.Instant(date, TimeOnly.MinValue, zone);
        var open = OpeningHours.OpenIntervals(store.CalendarAt(dayStart), date);
        // A 100 % target cannot be planned for (Erlang C never reaches it): plan for 99 %.
        var serviceLevel = store.ThreeMinuteResponseTarget is > 0 and <= 1 ? Math.Min(MaxServiceLevel, store.ThreeMinuteResponseTarget.Value) : DefaultServiceLevel;
        var concurrency = Concurrency(store, shifts, agents);
        var intervals = new List<CoverageInterval>(OpeningHours.IntervalsPerDay);
        for (var i = 0; i < OpeningHours.IntervalsPerDay; i++)
        {
            var start = OpeningHours.Instant(date, TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(i * OpeningHours.IntervalMinutes)), zone);
            var end = start.AddMinutes(OpeningHours.IntervalMinutes);
            var f = forecast[i];
            var required = open[i] && f.Contacts > 0
                ? ErlangC.Solve(new ErlangRequest(f.Contacts * 60 / OpeningHours.IntervalMinutes, f.AhtSeconds, serviceLevel, AnswerSeconds, concurrency)).Agents
                : 0;
            var scheduled = shifts.Where(s => s.Covers(start, end)).Select(s => s.AgentId).Distinct().ToList();
            var available = scheduled.Count(a => !absences.Any(x => x.AgentId == a && x.Overlaps(start, end)));
            intervals.Add(new CoverageInterval(start, open[i], Math.Round(f.Contacts, 2), Math.Round(f.AhtSeconds, 1), required, scheduled.Count,
                available, Math.Max(0, required - available)));
        }
        return new CoverageDay(store.StoreId, date, store.TimeZone, serviceLevel, AnswerSeconds, concurrency, intervals);
    }

    private static int Concurrency(StaffedStore store, IReadOnlyList<Shift> shifts, IReadOnlyDictionary<string, Agent> agents)
    {
        var headcount = store.ContractedHeadcount;
        if (headcount.Total > 0 && headcount.Hotline == headcount.Total) return 1;
        var rostered = shifts.Select(s => s.AgentId).Distinct().Select(a => agents.GetValueOrDefault(a)?.MaxConcurrentChats).OfType<int>().Order().ToList();
        return rostered.Count == 0 ? Agent.DefaultMaxConcurrentChats : rostered[rostered.Count / 2];
    }

    /// <summary>Everything a coverage day needs, read in one query session.</summary>
    public static async Task<CoverageDay> LoadAsync(IQuerySession session, StaffedStore store, DateOnly date, CancellationToken ct)
    {
        var first = await DemandHistory.FirstDateAsync(session, store.StoreId, ct);
        var history = await DemandHistory.LoadAsync(session, store.StoreId, Forecast.SourceDates(date, first), ct);
        var forecast = Forecast.Day(date, first, history, store.CampaignMultiplier(date));
        // The day before's shifts that run past midnight cover this day's first intervals too.
        var rosters = await session.LoadManyAsync<Roster>(ct, Roster.StreamKey(store.StoreId, date.AddDays(-1)), Roster.StreamKey(store.StoreId, date));
        var zone = OpeningHours.Zone(store.TimeZone);
        var (from, to) = (OpeningHours.Instant(date, TimeOnly.MinValue, zone), OpeningHours.Instant(date.AddDays(1), TimeOnly.MinValue, zone));
        var shifts = rosters.SelectMany(r => r.Shifts).Where(s => s.Covers(from, to)).ToList();
        var agents = shifts.Count == 0
            ? new Dictionary<string, Agent>()
            : (await session.LoadManyAsync<Agent>(ct, shifts.Select(s => Agent.StreamKey(s.AgentId)).Distinct())).ToDictionary(a => a.AgentId);
        var absences = shifts.Count == 0 ? [] : await AttendanceModule.AbsencesAsync(session, from, to.AddHours(12), ct);
        return Day(store, date, forecast, shifts, absences, agents);
    }
}

public static class CoverageModule
{
    public static void MapCoverage(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/staffing/stores/{storeId}/coverage", async Task<IResult> (string storeId, string? date, IQuerySession session,
                CancellationToken ct) =>
            {
                if (!OpeningHours.TryParseDate(date, out var day)) return StoresModule.BadDate();
                var store = await session.LoadAsync<StaffedStore>(StaffedStore.StreamKey(storeId), ct);
                if (store is null) return StoresModule.NotKnown(storeId);
                return TypedResults.Ok(await CoverageRules.LoadAsync(session, store, day, ct));
            })
            .RequireCaller(Roles.Ops)
            .WithTags("Coverage").WithName("GetCoverage")
            .WithSummary("Forecast contacts, Erlang C requirement, scheduled and available agents and the gap per 30-minute interval of a store-local day (ops).")
            .ProducesValidationProblem().ProducesProblem(404);
}
