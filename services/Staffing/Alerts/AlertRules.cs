using Vendor.ServiceDefaults;
using Vendor.Staffing.Attendance;
using Vendor.Staffing.Coverage;

namespace Vendor.Staffing.Alerts;

/// <summary>Thresholds of the detectors and of escalation (configuration section <c>Staffing:Alerts</c>).</summary>
public sealed record AlertSettings
{
    /// <summary>How far ahead coverage gaps and absences are looked for.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromHours(4);
    /// <summary>Days of history the absence baseline (absent agents a day) is averaged over.</summary>
    public int BaselineDays { get; init; } = 28;
    /// <summary>A spike: at least this many absent agents in the window ...</summary>
    public int SpikeMinAbsences { get; init; } = 3;
    /// <summary>... and at least this multiple of the baseline (warning); the critical multiple and floor are higher.</summary>
    public double SpikeFactor { get; init; } = 2;
    public double CriticalSpikeFactor { get; init; } = 3;
    public int CriticalMinAbsences { get; init; } = 5;
    /// <summary>A coverage gap is critical when the missing agents reach this share of the required ones in any interval.</summary>
    public double CriticalGapShare { get; init; } = 0.3;
    /// <summary>An unacknowledged critical alert escalates after this long.</summary>
    public TimeSpan EscalateAfter { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>A shift started this long without a clock-in becomes a no-show.</summary>
    public TimeSpan NoShowGrace { get; init; } = Attendance.AttendanceRules.DefaultGrace;
    /// <summary>How often the full evaluation (no-shows, every scope, escalation) runs, on the one replica that leads it.</summary>
    public TimeSpan EvaluationInterval { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>Pure detectors and the alert lifecycle (DOMAIN.md "Absence spikes").</summary>
public static class AlertRules
{
    /// <summary>Absent agents of a scope in the window, against the scope's average absent agents a day.</summary>
    public static Finding? AbsenceSpike(string scope, IReadOnlyList<Absence> inWindow, double baselinePerDay, DateTimeOffset from,
        DateTimeOffset to, AlertSettings settings)
    {
        var absent = inWindow.Select(a => a.AgentId).Distinct().Count();
        string? severity = absent >= Math.Max(settings.CriticalMinAbsences, Math.Ceiling(baselinePerDay * settings.CriticalSpikeFactor))
            ? Severities.Critical
            : absent >= Math.Max(settings.SpikeMinAbsences, Math.Ceiling(baselinePerDay * settings.SpikeFactor)) ? Severities.Warning : null;
        if (severity is null) return null;
        var kinds = string.Join(", ", inWindow.GroupBy(a => a.Kind).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Select(a => a.AgentId).Distinct().Count()}"));
        return new Finding(AlertKinds.AbsenceSpike, scope, severity,
            $"{absent} agents absent ({kinds}); usually {baselinePerDay:0.#} a day", from, to, absent, baselinePerDay);
    }

    /// <summary>Open intervals in the window where available agents are below the Erlang C requirement.</summary>
    public static Finding? CoverageGap(string storeId, IEnumerable<CoverageInterval> intervals, DateTimeOffset from, DateTimeOffset to,
        AlertSettings settings)
    {
        var short_ = intervals.Where(i => i.Start < to && i.Start.AddMinutes(30) > from && i.Gap > 0).ToList();
        if (short_.Count == 0) return null;
        var critical = short_.Any(i => i.Gap >= Math.Max(1, i.RequiredAgents * settings.CriticalGapShare));
        var worst = short_.MaxBy(i => i.Gap)!;
        return new Finding(AlertKinds.CoverageGap, $"store:{storeId}", critical ? Severities.Critical : Severities.Warning,
            $"{short_.Count} intervals short from {short_[0].Start:HH:mm}; worst {worst.Start:HH:mm}: {worst.AvailableAgents} of {worst.RequiredAgents} agents",
            short_[0].Start, short_[^1].Start.AddMinutes(30), short_.Count, short_.Sum(i => i.Gap));
    }

    /// <summary>
    /// What changes for one scope and kind given what the detector found now: raise, change severity, resolve (coverage or
    /// attendance back to normal), or escalate an unacknowledged critical alert. The same finding again changes nothing.
    /// </summary>
    public static IReadOnlyList<object> Reconcile(Alert? open, Finding? found, Func<string> newAlertId, DateTimeOffset now, AlertSettings settings)
    {
        if (open is null)
            return found is null ? [] : [new AlertRaised(newAlertId(), found, now)];
        if (found is null)
            return [new AlertResolved(open.AlertId, open.Kind == AlertKinds.CoverageGap ? "Coverage is back." : "Absences are back to their usual level.", now)];
        var events = new List<object>();
        var severity = found.Severity;
        if (severity != open.Severity) events.Add(new AlertSeverityChanged(open.AlertId, found, now));
        var criticalSince = severity == Severities.Critical ? open.CriticalSince ?? now : (DateTimeOffset?)null;
        if (criticalSince is { } since && open.Status == AlertStatus.Open && open.EscalatedAt is null && now - since >= settings.EscalateAfter)
            events.Add(new AlertEscalated(open.AlertId, now - since, now));
        return events;
    }

    public static Decision Acknowledge(Alert? alert, string by, DateTimeOffset now) => alert switch
    {
        null => new Decision.Conflict("Unknown alert."),
        { Status: AlertStatus.Resolved } => new Decision.Conflict($"Alert '{alert.AlertId}' is resolved."),
        { Status: AlertStatus.Acknowledged } => new Decision.Unchanged(),
        _ => Decision.Of(new AlertAcknowledged(alert.AlertId, by, now)),
    };
}
