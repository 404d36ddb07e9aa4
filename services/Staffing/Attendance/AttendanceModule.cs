using JasperFx;
using JasperFx.Events.Projections;
using Marten;
using Marten.Exceptions;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Alerts;
using Vendor.Staffing.Rosters;

namespace Vendor.Staffing.Attendance;

public sealed record AbsenceView(string AbsenceId, string AgentId, string Team, string Kind, DateTimeOffset From, DateTimeOffset To,
    string? Note, string Source, DateTimeOffset ReportedAt)
{
    public static AbsenceView Of(Absence a) => new(a.AbsenceId, a.AgentId, a.Team, a.Kind, a.From, a.To, a.Note, a.Source, a.ReportedAt);
}

public static class AttendanceModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<AbsenceReported>("attendance.absence-reported.v1");
        options.Events.MapEventType<ClockedIn>("attendance.clocked-in.v1");
        options.Projections.Snapshot<Absence>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<ClockIn>(SnapshotLifecycle.Inline);
        options.Schema.For<Absence>().Index(a => a.From).Index(a => a.To);
        options.Schema.For<ClockIn>().Index(c => c.At);
    }

    /// <summary>Absences overlapping [from, to).</summary>
    public static Task<IReadOnlyList<Absence>> AbsencesAsync(IQuerySession session, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        session.Query<Absence>().Where(a => a.From < to && a.To > from).ToListAsync(ct);

    public static void MapAttendance(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/staffing").WithTags("Attendance").RequireCaller(Roles.Ops);

        group.MapPost("/absences", async Task<IResult> (ReportAbsence command, IDocumentStore store, TimeProvider clock, AlertSignal alerts,
                CancellationToken ct) =>
            {
                var absenceId = command.AbsenceId ?? $"abs-{Guid.NewGuid():N}";
                Agent? agent;
                await using (var query = store.QuerySession())
                    agent = await query.LoadAsync<Agent>(Agent.StreamKey(command.AgentId ?? ""), ct);
                var (decision, absence) = await store.DecideAsync<Absence>(Absence.StreamKey(absenceId),
                    existing => AttendanceRules.Report(existing, agent, command, absenceId, clock.GetUtcNow()), null, ct);
                if (decision.Refusal() is { } refusal) return refusal;
                if (decision is Decision.Append) alerts.Poke([$"team:{agent!.Team}", .. agent.Certified.Select(s => $"store:{s}")]);
                return decision is Decision.Append
                    ? TypedResults.Created($"/api/staffing/absences/{absenceId}", AbsenceView.Of(absence!))
                    : TypedResults.Ok(AbsenceView.Of(absence!));
            })
            .WithName("ReportAbsence").WithSummary("Report an absence (sick, leave, noShow, late); re-sending the same absenceId is a no-op (ops).")
            .ProducesValidationProblem().ProducesProblem(409);

        group.MapGet("/absences", async Task<IResult> (DateTimeOffset? from, DateTimeOffset? to, IQuerySession session, TimeProvider clock,
                CancellationToken ct) =>
            {
                var now = clock.GetUtcNow();
                var (start, end) = (from ?? now.AddDays(-1), to ?? now.AddDays(1));
                if (end <= start || end - start > TimeSpan.FromDays(92))
                    return Problems.Validation(new Dictionary<string, string[]> { ["to"] = ["After 'from', at most 92 days later."] });
                var absences = await AbsencesAsync(session, start, end, ct);
                return TypedResults.Ok(absences.OrderBy(a => a.From).Select(AbsenceView.Of));
            })
            .WithName("ListAbsences").WithSummary("Absences overlapping a period (default: a day either side of now) (ops).")
            .ProducesValidationProblem();

        group.MapGet("/absences/{absenceId}", async Task<IResult> (string absenceId, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<Absence>(Absence.StreamKey(absenceId), ct) is { } absence
                    ? TypedResults.Ok(AbsenceView.Of(absence))
                    : Problems.NotFound($"No absence '{absenceId}'."))
            .WithName("GetAbsence").WithSummary("One absence (ops).").ProducesProblem(404);

        group.MapPost("/clock-ins", async Task<IResult> (ClockInCommand command, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
            {
                var now = clock.GetUtcNow();
                Agent? agent;
                await using (var query = store.QuerySession())
                    agent = await query.LoadAsync<Agent>(Agent.StreamKey(command.AgentId ?? ""), ct);
                var at = command.At ?? now;
                var (decision, clockIn) = await store.DecideAsync<ClockIn>(ClockIn.StreamKey(command.AgentId ?? "", at),
                    existing => AttendanceRules.ClockIn(existing, agent, command with { At = at }, now), null, ct);
                if (decision.Refusal() is { } refusal) return refusal;
                return decision is Decision.Append
                    ? TypedResults.Created($"/api/staffing/clock-ins", new { clockIn!.AgentId, clockIn.At })
                    : TypedResults.Ok(new { clockIn!.AgentId, clockIn.At });
            })
            .WithName("ClockIn").WithSummary("Record an agent's clock-in (at defaults to now) (ops).")
            .ProducesValidationProblem();
    }

    /// <summary>
    /// Turns shifts started more than the grace period ago without a clock-in into no-shows. Safe on several replicas at once:
    /// a no-show's stream id is derived from its shift, so a second writer collides and is ignored.
    /// </summary>
    public static async Task<int> DetectNoShowsAsync(IDocumentStore store, DateTimeOffset now, TimeSpan grace, CancellationToken ct)
    {
        IReadOnlyList<AbsenceReported> noShows;
        await using (var query = store.QuerySession())
        {
            var utcToday = DateOnly.FromDateTime(now.UtcDateTime);
            var (from, to) = (utcToday.AddDays(-1), utcToday.AddDays(1));
            var rosters = await query.Query<Roster>().Where(r => r.Date >= from && r.Date <= to).ToListAsync(ct);
            var started = rosters.SelectMany(r => r.Shifts.Select(s => new RosteredShift(r.StoreId, r.Date, s)))
                .Where(s => s.Shift.StartsAt + grace <= now && now < s.Shift.EndsAt).ToList();
            if (started.Count == 0) return 0;
            var agentIds = started.Select(s => s.Shift.AgentId).Distinct().ToList();
            var agents = (await query.LoadManyAsync<Agent>(ct, agentIds.Select(Agent.StreamKey))).ToDictionary(a => a.AgentId);
            var earliest = started.Min(s => s.Shift.StartsAt) - AttendanceRules.EarlyClockIn;
            var clockIns = await query.Query<ClockIn>().Where(c => c.At >= earliest && c.At <= now).ToListAsync(ct);
            var absences = await AbsencesAsync(query, earliest, now.AddHours(1), ct);
            noShows = AttendanceRules.NoShows(started, agents, clockIns, absences, now, grace);
        }
        var recorded = 0;
        foreach (var noShow in noShows)
        {
            await using var session = store.LightweightSession();
            session.Events.StartStream<Absence>(Absence.StreamKey(noShow.AbsenceId), noShow);
            try
            {
                await session.SaveChangesAsync(ct);
                recorded++;
            }
            catch (Exception e) when (e is ExistingStreamIdCollisionException or ConcurrencyException)
            {
                // Another replica (or an earlier sweep) recorded this no-show already.
            }
        }
        return recorded;
    }
}
