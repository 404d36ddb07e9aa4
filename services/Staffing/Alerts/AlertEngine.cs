using Marten;
using Marten.Linq;
using Vendor.ServiceDefaults;
using Vendor.Staffing.Agents;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Coverage;
using Vendor.Staffing.Stores;

namespace Vendor.Staffing.Alerts;

/// <summary>Wakes the alert loops at once (an absence was reported, a delivery is due) instead of at their next tick.</summary>
public sealed class AlertSignal
{
    private readonly SemaphoreSlim _evaluate = new(0, 1), _dispatch = new(0, 1);
    private readonly HashSet<string> _scopes = [];

    /// <summary>Something changed for these scopes (an absence of a team's agent): evaluate them now.</summary>
    public void Poke(IEnumerable<string> scopes)
    {
        lock (_scopes) _scopes.UnionWith(scopes);
        Release(_evaluate);
    }

    /// <summary>Scopes whose evaluation failed: looked at again at the next tick, without waking the loop now.</summary>
    public void Requeue(IEnumerable<string> scopes)
    {
        lock (_scopes) _scopes.UnionWith(scopes);
    }

    /// <summary>The scopes poked since the last call (empty: evaluate everything at the tick).</summary>
    public IReadOnlySet<string> TakeScopes()
    {
        lock (_scopes)
        {
            var taken = _scopes.ToHashSet();
            _scopes.Clear();
            return taken;
        }
    }
    public void PokeDispatcher() => Release(_dispatch);

    public Task<bool> WaitForEvaluationAsync(TimeSpan timeout, CancellationToken ct) => _evaluate.WaitAsync(timeout, ct);
    public Task<bool> WaitForDispatchAsync(TimeSpan timeout, CancellationToken ct) => _dispatch.WaitAsync(timeout, ct);

    private static void Release(SemaphoreSlim signal)
    {
        try { signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }
}

/// <summary>
/// Runs the detectors over every store and team and applies the alert lifecycle; each alert event and its deliveries commit
/// together. Evaluations are serialised across replicas by an advisory lock, so one scope never gets two open alerts.
/// </summary>
public static class AlertEngine
{
    /// <summary>Held by every writer of alerts (evaluations, Quality's overdue feedback) until its transaction ends.</summary>
    public const string LockName = "staffing-alerts";

    /// <summary>The channels alerts are delivered to (registered and not removed).</summary>
    public static async Task<List<AlertChannel>> ActiveChannelsAsync(IQuerySession session, CancellationToken ct) =>
        (await session.Query<AlertChannel>().ToListAsync(ct)).Where(c => !c.Removed).ToList();

    /// <param name="only">Scopes to look at (an absence was reported for them): the rest waits for the next full evaluation.</param>
    public static async Task<IReadOnlyList<Alert>> EvaluateAsync(IDocumentStore documents, DateTimeOffset now, AlertSettings settings,
        CancellationToken ct, IReadOnlySet<string>? only = null)
    {
        bool InScope(string scope) => only is null || only.Contains(scope);
        await using var session = documents.LightweightSession();
        await session.BeginTransactionAsync(ct);
        await session.HoldForTransactionAsync(LockName, ct);

        var stores = (await session.Query<StaffedStore>().ToListAsync(ct)).Where(s => InScope($"store:{s.StoreId}")).ToList();
        var open = (await session.Query<Alert>().Where(a => a.Status != AlertStatus.Resolved).ToListAsync(ct))
            .Where(a => InScope(a.Scope)).ToDictionary(a => (a.Kind, a.Scope));
        var horizonEnd = now + settings.Horizon;
        var findings = new List<(string Kind, string Scope, Finding? Found)>();

        foreach (var store in stores)
        {
            var zone = OpeningHours.Zone(store.TimeZone);
            var intervals = new List<CoverageInterval>();
            for (var day = OpeningHours.LocalDate(now, zone); day <= OpeningHours.LocalDate(horizonEnd, zone); day = day.AddDays(1))
                intervals.AddRange((await CoverageRules.LoadAsync(session, store, day, ct)).Intervals);
            findings.Add((AlertKinds.CoverageGap, $"store:{store.StoreId}", AlertRules.CoverageGap(store.StoreId, intervals, now, horizonEnd, settings)));
        }

        var baselineFrom = now.AddDays(-settings.BaselineDays);
        var teams = only?.Where(x => x.StartsWith("team:")).Select(x => x["team:".Length..]).ToArray();
        // A targeted evaluation of teams only reads those teams' agents and absences.
        var agents = teams is not null && stores.Count == 0
            ? await session.Query<Agent>().Where(a => a.Team.IsOneOf(teams)).ToListAsync(ct)
            : await session.Query<Agent>().ToListAsync(ct);
        var agentIds = agents.Select(a => a.AgentId).ToArray();
        var recent = teams is not null && stores.Count == 0
            ? await session.Query<Absence>().Where(a => a.From < horizonEnd && a.To > baselineFrom && a.AgentId.IsOneOf(agentIds)).ToListAsync(ct)
            : await AttendanceModule.AbsencesAsync(session, baselineFrom, horizonEnd, ct);
        var inWindow = recent.Where(a => a.Overlaps(now, horizonEnd)).ToList();
        // The baseline is what happened before: absences of the window itself never raise their own baseline.
        var past = recent.Where(a => a.From >= baselineFrom && !a.Overlaps(now, horizonEnd)).ToList();
        var scopes = agents.Select(a => $"team:{a.Team}").Concat(stores.Select(s => $"store:{s.StoreId}")).Distinct().Where(InScope);
        foreach (var scope in scopes)
        {
            var members = Members(scope, agents);
            var baseline = past.Where(a => members.Contains(a.AgentId)).Select(a => (a.AgentId, Day: DateOnly.FromDateTime(a.From.UtcDateTime)))
                .Distinct().Count() / (double)settings.BaselineDays;
            findings.Add((AlertKinds.AbsenceSpike, scope,
                AlertRules.AbsenceSpike(scope, inWindow.Where(a => members.Contains(a.AgentId)).ToList(), baseline, now, horizonEnd, settings)));
        }

        // Feedback alerts stay as they are until Quality settles the item (here they may only escalate).
        foreach (var alert in open.Values.Where(a => a.Kind == AlertKinds.FeedbackOverdue))
            findings.Add((alert.Kind, alert.Scope, alert.Finding));

        // Open alerts whose scope vanished (a store or team no longer exists) resolve too.
        foreach (var key in open.Keys.Where(k => !findings.Any(f => f.Kind == k.Kind && f.Scope == k.Scope)).ToList())
            findings.Add((key.Kind, key.Scope, null));

        var channels = await ActiveChannelsAsync(session, ct);
        var changed = new List<Alert>();
        foreach (var (kind, scope, found) in findings)
        {
            var current = open.GetValueOrDefault((kind, scope));
            var events = AlertRules.Reconcile(current, found, () => NewAlertId(kind, now), now, settings);
            if (events.Count > 0) changed.Add(Append(session, current, events, channels, now));
        }
        await session.SaveChangesAsync(ct);
        return changed;
    }

    private static HashSet<string> Members(string scope, IReadOnlyList<Agent> agents) => scope.StartsWith("team:")
        ? agents.Where(a => $"team:{a.Team}" == scope).Select(a => a.AgentId).ToHashSet()
        : agents.Where(a => a.Certified.Contains(scope["store:".Length..])).Select(a => a.AgentId).ToHashSet();

    private static string NewAlertId(string kind, DateTimeOffset now) =>
        $"{(kind == AlertKinds.CoverageGap ? "gap" : "spike")}-{now:yyyyMMddHHmm}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Appends alert events and stages one delivery per event and interested channel, in the caller's unit of work.</summary>
    public static Alert Append(IDocumentSession session, Alert? current, IReadOnlyList<object> events, IReadOnlyList<AlertChannel> channels,
        DateTimeOffset now)
    {
        var state = current;
        foreach (var e in events)
        {
            state = Next(state, e);
            session.Events.Append(Alert.StreamKey(state.AlertId), Stamp(e, state));
            foreach (var delivery in AlertDelivery.For(state, ChangeName(e), channels, now)) session.Insert(delivery);
        }
        return state!;
    }

    /// <summary>A change event with what the alert is about after it (for the outbox); raise and severity events carry their finding already.</summary>
    public static object Stamp(object e, Alert after)
    {
        var about = new AlertFacts(after.Kind, after.Scope, after.Severity, after.Finding.Summary);
        return e switch
        {
            AlertAcknowledged x => x with { About = about },
            AlertEscalated x => x with { About = about },
            AlertResolved x => x with { About = about },
            _ => e,
        };
    }

    /// <summary>The alert after one more event (what Marten's inline snapshot will hold once committed).</summary>
    public static Alert Next(Alert? state, object e) => e switch
    {
        AlertRaised raised => Alert.Create(raised),
        FeedbackAlertRaised raised => Alert.Create(raised),
        AlertSeverityChanged x => state!.Apply(x),
        AlertAcknowledged x => state!.Apply(x),
        AlertEscalated x => state!.Apply(x),
        AlertResolved x => state!.Apply(x),
        _ => throw new ArgumentException($"Not an alert event: {e.GetType().Name}"),
    };

    public static string ChangeName(object e) => e switch
    {
        AlertRaised or FeedbackAlertRaised => "raised",
        AlertSeverityChanged => "severityChanged",
        AlertAcknowledged => "acknowledged",
        AlertEscalated => "escalated",
        AlertResolved => "resolved",
        _ => "changed",
    };
}
