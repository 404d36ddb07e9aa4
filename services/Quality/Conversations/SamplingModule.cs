using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;
using Vendor.Quality.Inspectors;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Conversations;

public sealed record SamplingPolicySet(SamplingPolicy Policy, DateTimeOffset At);

/// <summary>The sampling policy in force, stream <c>sampling:policy</c> (each change an event); absent = <see cref="SamplingPolicy.Default"/>.</summary>
public sealed record SamplingSettings(string Id, SamplingPolicy Policy, DateTimeOffset SetAt, long Version)
{
    public const string StreamKey = "sampling:policy";

    public static SamplingSettings Create(IEvent<SamplingPolicySet> e) => new(e.StreamKey!, e.Data.Policy, e.Data.At, e.Version);

    public SamplingSettings Apply(IEvent<SamplingPolicySet> e) => this with { Policy = e.Data.Policy, SetAt = e.Data.At, Version = e.Version };
}

public sealed record SetSamplingPolicy(string? Seed, double? RandomShare, RiskWeights? Weights, IReadOnlyList<string>? RefundWords,
    IReadOnlyList<string>? ComplaintWords);

public static class SamplingDecisions
{
    public static Decision Set(SamplingSettings? current, SetSamplingPolicy command, DateTimeOffset now)
    {
        var d = SamplingPolicy.Default;
        var weights = command.Weights ?? d.Weights;
        double[] w = [weights.Unsatisfied, weights.Complaint, weights.Missed, weights.Refund, weights.Slow];
        var errors = new Errors()
            .Check(command.Seed is null || command.Seed.Length is > 0 and <= 100, "seed", "A seed of 1–100 characters.")
            .Check(command.RandomShare is null or >= 0 and <= 1, "randomShare", "A fraction from 0 to 1 (0.05 = 5 %).")
            .Check(w.All(x => x is >= 0 and <= 1), "weights", "Each risk weight is a chance from 0 to 1.")
            .Check((command.RefundWords ?? []).Concat(command.ComplaintWords ?? []).All(x => x is not null && x.Trim().Length is > 0 and <= 20),
                "words", "Words of 1–20 characters.");
        if (errors.Any) return errors.ToDecision();
        var policy = new SamplingPolicy(command.Seed ?? current?.Policy.Seed ?? d.Seed, command.RandomShare ?? d.RandomShare, weights,
            [.. (command.RefundWords ?? d.RefundWords).Select(x => x.Trim()).Distinct()],
            [.. (command.ComplaintWords ?? d.ComplaintWords).Select(x => x.Trim()).Distinct()]);
        return current is not null && Same(current.Policy, policy) ? new Decision.Unchanged() : Decision.Of(new SamplingPolicySet(policy, now));
    }

    private static bool Same(SamplingPolicy a, SamplingPolicy b) => a.Seed == b.Seed && a.RandomShare == b.RandomShare && a.Weights == b.Weights
        && a.RefundWords.SequenceEqual(b.RefundWords) && a.ComplaintWords.SequenceEqual(b.ComplaintWords);
}

/// <summary>
/// Every conversation Agreements records: kept per agent (a later revision replaces an earlier one) and decided for QC sampling in the
/// same transaction. A conversation once sampled stays sampled; a later revision that adds a risk (a bad rating arriving late) can
/// still sample it. Both versions of the message carry the same conversations (see ConversationsRecordedV2).
/// </summary>
public static class RecordedConversations
{
    public static async Task HandleAsync(string storeId, IReadOnlyList<Contracts.ConversationRecorded> conversations, IDocumentSession session,
        DateTimeOffset now, CancellationToken ct)
    {
        var policy = (await session.LoadAsync<SamplingSettings>(SamplingSettings.StreamKey, ct))?.Policy ?? SamplingPolicy.Default;
        var inspectors = await InspectorsModule.ActiveAsync(session, ct);
        var rows = new List<(Contracts.ConversationRecorded C, string AgentId)>();
        var samples = new List<(Contracts.ConversationRecorded C, SampleDecision D, string? Inspector)>();
        foreach (var c in conversations)
            foreach (var agentId in c.AgentIds.Distinct())
            {
                rows.Add((c, agentId));
                if (Sampling.Decide(policy, c, agentId) is { } decision)
                    samples.Add((c, decision, Sampling.AssignInspector(policy.Seed, inspectors, c.StoreId, c.ConversationId, agentId)));
            }
        if (rows.Count == 0) return;
        await session.BeginTransactionAsync(ct);
        await ConversationFacts.UpsertAsync(session, rows, now, ct);
        await ConversationFacts.InsertSamplesAsync(session, samples, policy.Seed, now, ct);
        await ConversationFacts.ApplyPrioritiesAsync(session, storeId, [.. conversations.Select(c => c.ConversationId)], now, ct);
    }
}

/// <summary>The first version, still published by an Agreements older than ConversationsRecordedV2 (and queued before it).</summary>
public sealed class ConversationsRecordedConsumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.ConversationsRecorded>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(Contracts.ConversationsRecorded message, IDocumentSession session, CancellationToken ct) =>
        RecordedConversations.HandleAsync(message.StoreId, message.Conversations, session, _clock.GetUtcNow(), ct);
}

public sealed class ConversationsRecordedV2Consumer(IDocumentSession session, TimeProvider clock)
    : IdempotentConsumer<Contracts.ConversationsRecordedV2>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override Task Handle(Contracts.ConversationsRecordedV2 message, IDocumentSession session, CancellationToken ct) =>
        RecordedConversations.HandleAsync(message.StoreId, message.Conversations, session, _clock.GetUtcNow(), ct);
}

public sealed record QueueItem(string StoreId, string ConversationId, string AgentId, DateOnly LocalDate, DateTimeOffset StartedAt,
    string Reason, double RiskScore, IReadOnlyList<string> RiskReasons, string? InspectorId, DateTimeOffset SampledAt,
    string Channel, string Kind, string? Rating, bool Missed, bool Slow, double? FirstResponseSeconds, bool Priority);

/// <summary>A sample as an audit sees it; <see cref="Seed"/> is null for a priority pick (a store's complaint), which no hash decided.</summary>
public sealed record AuditedSample(string ConversationId, string AgentId, string Reason, double RiskScore, IReadOnlyList<string> RiskReasons,
    string? Seed, bool Priority, string? InspectorId, DateTimeOffset SampledAt, string? ReviewId);

public static class SamplingModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<SamplingPolicySet>("sampling.policy-set.v1");
        options.Projections.Snapshot<SamplingSettings>(SnapshotLifecycle.Inline);
    }

    public static void MapSampling(this IEndpointRouteBuilder app)
    {
        var qc = app.MapGroup("/api/quality").WithTags("QC").RequireCaller(Roles.Ops);

        qc.MapPut("/sampling", async Task<IResult> (SetSamplingPolicy command, IDocumentStore store, TimeProvider clock, HttpContext http,
                CancellationToken ct) =>
            {
                var (decision, settings) = await store.DecideAsync<SamplingSettings>(SamplingSettings.StreamKey,
                    current => SamplingDecisions.Set(current, command, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, settings!.Version);
                return TypedResults.Ok(settings.Policy);
            })
            .WithName("SetSamplingPolicy").WithSummary("Set the QC sampling policy: seed, random share, risk weights and words (ops; applies to conversations recorded from now).")
            .ProducesValidationProblem().ProducesProblem(412);

        qc.MapGet("/sampling", async (IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await session.LoadAsync<SamplingSettings>(SamplingSettings.StreamKey, ct))?.Policy ?? SamplingPolicy.Default))
            .WithName("GetSamplingPolicy").WithSummary("The QC sampling policy in force (ops).");

        qc.MapGet("/samples", async Task<IResult> (string? storeId, string? date, IQuerySession session, CancellationToken ct) =>
            {
                var errors = new Errors().Check(Ids.IsValid(storeId), "storeId", Ids.Rule)
                    .Check(DateOnly.TryParseExact(date, "yyyy-MM-dd", out _), "date", "Required: yyyy-MM-dd (store-local).");
                if (errors.Any) return errors.ToDecision().Refusal()!;
                return TypedResults.Ok(await ConversationFacts.SamplesOfDayAsync(session, storeId!, DateOnly.ParseExact(date!, "yyyy-MM-dd"), ct));
            })
            .WithName("AuditSamples").WithSummary("Every sample of a store's day, reviewed or not, with its reason and seed, for audit (ops).")
            .ProducesValidationProblem();

        qc.MapGet("/queue", async Task<IResult> (string? inspector, int? limit, IQuerySession session, CancellationToken ct) =>
            {
                if (limit is < 1 or > 500) return Problems.Validation(new Dictionary<string, string[]> { ["limit"] = ["From 1 to 500."] });
                var active = await InspectorsModule.ActiveAsync(session, ct);
                string[]? covered = null;
                if (inspector is not null)
                {
                    var who = active.FirstOrDefault(i => i.InspectorId == inspector)
                              ?? await session.LoadAsync<Inspector>(Inspector.StreamKey(inspector), ct);
                    if (who is null) return Problems.NotFound($"Inspector '{inspector}' is not registered.");
                    covered = [.. who.StoreIds];
                }
                return TypedResults.Ok(await ConversationFacts.QueueAsync(session, inspector, covered, [.. active.Select(i => i.InspectorId)],
                    limit ?? 50, ct));
            })
            .WithName("GetQcQueue").WithSummary("Sampled conversations waiting for review, oldest first: an inspector's own and the unassigned ones of the stores they cover; without inspector, all (ops).")
            .ProducesValidationProblem().ProducesProblem(404);
    }
}
