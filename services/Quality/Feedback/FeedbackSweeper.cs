using JasperFx;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Feedback;

/// <summary>Configuration section <c>Quality:Feedback</c>.</summary>
public sealed record FeedbackSweepSettings
{
    /// <summary>The longest the sweeper sleeps; it wakes earlier for the next due time it knows of, and when feedback arrives.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>False: no background sweep (tests run <see cref="FeedbackSweep.RunAsync"/> themselves with their clock).</summary>
    public bool Background { get; init; } = true;
}

/// <summary>Wakes the sweeper when feedback with a due time arrives or is reopened.</summary>
public sealed class FeedbackSignal
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Poke()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}

public static class FeedbackSweep
{
    /// <summary>
    /// One sweep: flags every unresolved item past its due time that is not flagged for that due time yet, one stream at a time with
    /// the version read (a replica or a triage change that wrote the stream in between wins; the next sweep looks again). Returns how
    /// many items it flagged.
    /// </summary>
    public static async Task<int> RunAsync(IDocumentStore documents, DateTimeOffset now, CancellationToken ct)
    {
        IReadOnlyList<string> due;
        await using (var query = documents.QuerySession())
            due = await query.Query<FeedbackItem>()
                .Where(f => f.Status != FeedbackStatus.Resolved && !f.Overdue && f.DueAt <= now)
                .OrderBy(f => f.DueAt).Select(f => f.FeedbackId).Take(500).ToListAsync(ct);
        var flagged = 0;
        foreach (var feedbackId in due)
        {
            await using var session = documents.LightweightSession();
            var stream = await session.Events.FetchForWriting<FeedbackItem>(FeedbackItem.StreamKey(feedbackId), ct);
            if (FeedbackDecisions.FlagOverdue(stream.Aggregate, now) is not Decision.Append append) continue;
            stream.AppendMany(append.Events);
            try
            {
                await session.SaveChangesAsync(ct);
                flagged++;
            }
            catch (ConcurrencyException)
            {
                // Written in between (another replica flagged it, or ops resolved it): decided again at the next sweep.
            }
        }
        return flagged;
    }

    /// <summary>The earliest due time of an unresolved, unflagged item, to wake for.</summary>
    public static async Task<DateTimeOffset?> NextDueAsync(IDocumentStore documents, CancellationToken ct)
    {
        await using var query = documents.QuerySession();
        var next = await query.Query<FeedbackItem>().Where(f => f.Status != FeedbackStatus.Resolved && !f.Overdue)
            .OrderBy(f => f.DueAt).Select(f => f.DueAt).Take(1).ToListAsync(ct);
        return next.Count == 0 ? null : next[0];
    }
}

/// <summary>
/// Flags overdue feedback in the background: at the next due time it knows of, at the latest every sweep interval. With several
/// replicas only the holder of the <see cref="LeaseName"/> lease sweeps; the others try to take it every few seconds. Each flag is
/// written with the stream version read, so even two sweeps at once (a hand-over) flag an item once.
/// </summary>
public sealed class FeedbackSweeper(IDocumentStore documents, TimeProvider clock, FeedbackSignal signal, FeedbackSweepSettings settings,
    LeaderLeases leases, ILogger<FeedbackSweeper> logger) : BackgroundService
{
    public const string LeaseName = "quality-feedback-sweeper";
    private static readonly TimeSpan Shortest = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var lease = leases.For(LeaseName);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.SweepInterval;
            try
            {
                if (!await lease.TryHoldAsync(stoppingToken))
                {
                    if (leases.Settings.RetryInterval < wait) wait = leases.Settings.RetryInterval;
                }
                else
                {
                    await FeedbackSweep.RunAsync(documents, clock.GetUtcNow(), stoppingToken);
                    if (await FeedbackSweep.NextDueAsync(documents, stoppingToken) is { } next)
                    {
                        var until = next - clock.GetUtcNow();
                        wait = until < Shortest ? Shortest : until < wait ? until : wait;
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Feedback overdue sweep failed; retrying at the next tick");
            }
            await signal.WaitAsync(wait, stoppingToken);
        }
    }
}
