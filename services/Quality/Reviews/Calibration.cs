using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Vendor.Quality.Inspectors;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Reviews;

public sealed record CalibrationItem(string StoreId, string ConversationId, string AgentId);

public sealed record CalibrationOpened(string CalibrationId, string Name, IReadOnlyList<CalibrationItem> Items, IReadOnlyList<string> InspectorIds,
    DateTimeOffset At);

/// <summary>One inspector's score of one calibration conversation; scoring it again replaces the earlier score.</summary>
public sealed record CalibrationScored(string CalibrationId, string InspectorId, CalibrationItem Item, string RubricId, int RubricVersion,
    IReadOnlyList<ItemScore> Items, IReadOnlyList<string> CriticalErrors, double Score, bool Critical, DateTimeOffset At);

/// <summary>
/// A calibration session (校准): several inspectors score the same conversations, blind to each other, so their leniency can be
/// compared. Stream <c>calibration:{id}</c>, kept as an inline snapshot. Calibration scores never reach agents or stores.
/// </summary>
public sealed record Calibration(string Id, string CalibrationId, string Name, IReadOnlyList<CalibrationItem> Items,
    IReadOnlyList<string> InspectorIds, IReadOnlyList<CalibrationScored> Scores, DateTimeOffset OpenedAt)
{
    public static string StreamKey(string calibrationId) => $"calibration:{calibrationId}";

    public static Calibration Create(IEvent<CalibrationOpened> e) =>
        new(e.StreamKey!, e.Data.CalibrationId, e.Data.Name, e.Data.Items, e.Data.InspectorIds, [], e.Data.At);

    public Calibration Apply(CalibrationScored e) => this with
    {
        Scores = [.. Scores.Where(s => s.InspectorId != e.InspectorId || s.Item != e.Item), e],
    };
}

public sealed record OpenCalibration(string? CalibrationId, string? Name, IReadOnlyList<CalibrationItem>? Conversations, IReadOnlyList<string>? InspectorIds);

public sealed record ScoreCalibration(string? InspectorId, string? StoreId, string? ConversationId, string? AgentId, IReadOnlyList<ItemScore>? Scores,
    IReadOnlyList<string>? CriticalErrors);

public sealed record InspectorDeviation(string InspectorId, int Scored, double? MeanDeviation, double? MeanAbsoluteDeviation, int CriticalDisagreements);

public sealed record CalibrationConversation(CalibrationItem Conversation, IReadOnlyDictionary<string, double> Scores, double? Mean, double? Spread,
    int CriticalVotes);

public sealed record CalibrationReport(string CalibrationId, string Name, int Conversations, int Inspectors, double Completion,
    IReadOnlyList<InspectorDeviation> ByInspector, IReadOnlyList<CalibrationConversation> ByConversation);

public static class Calibrations
{
    public static Decision Open(Calibration? existing, OpenCalibration command, IReadOnlyCollection<string> knownInspectors, DateTimeOffset now)
    {
        var items = (command.Conversations ?? []).Distinct().ToList();
        var inspectors = (command.InspectorIds ?? []).Distinct().ToList();
        var errors = new Errors()
            .Check(Ids.IsValid(command.CalibrationId), "calibrationId", Ids.Rule)
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Length <= 100, "name", "A name of 1–100 characters is required.")
            .Check(items.Count is >= 1 and <= 100, "conversations", "From 1 to 100 conversations.")
            .Check(items.All(i => i is not null && Ids.IsValid(i.StoreId) && Ids.IsValid(i.AgentId) && !string.IsNullOrEmpty(i.ConversationId)), "conversations",
                "Each conversation needs storeId, conversationId and agentId.")
            .Check(inspectors.Count >= 2, "inspectorIds", "At least two inspectors: calibration compares them.")
            .Check(inspectors.All(knownInspectors.Contains), "inspectorIds", "Every inspector must be registered and active.");
        if (errors.Any) return errors.ToDecision();
        if (existing is not null)
            return existing.Name == command.Name!.Trim() && existing.Items.SequenceEqual(items) && existing.InspectorIds.SequenceEqual(inspectors)
                ? new Decision.Unchanged()
                : new Decision.Conflict($"Calibration '{existing.CalibrationId}' exists with other details.");
        return Decision.Of(new CalibrationOpened(command.CalibrationId!, command.Name!.Trim(), items, inspectors, now));
    }

    public static Decision Score(Calibration calibration, ScoreCalibration command, RubricVersion rubric, DateTimeOffset now)
    {
        var item = new CalibrationItem(command.StoreId ?? "", command.ConversationId ?? "", command.AgentId ?? "");
        var errors = new Errors()
            .Check(command.InspectorId is not null && calibration.InspectorIds.Contains(command.InspectorId), "inspectorId",
                "Only the session's inspectors score it.")
            .Check(calibration.Items.Contains(item), "conversationId", "Not a conversation of this calibration session.");
        var scored = Scoring.Score(rubric, new ScoreSheet(command.Scores, command.CriticalErrors), errors);
        if (errors.Any) return errors.ToDecision();
        var (score, critical, items, criticalErrors) = scored!.Value;
        return Decision.Of(new CalibrationScored(calibration.CalibrationId, command.InspectorId!, item, rubric.RubricId, rubric.Version, items,
            criticalErrors, score, critical, now));
    }

    /// <summary>
    /// Each conversation's consensus is the mean of the inspectors' scores; an inspector's deviation is their score minus that mean
    /// (positive = more lenient), averaged over the conversations at least two inspectors scored. A critical disagreement is a
    /// critical call the majority did not make, or a missed one the majority made.
    /// </summary>
    public static CalibrationReport Report(Calibration c)
    {
        var byConversation = c.Items.Select(item =>
        {
            var scores = c.Scores.Where(s => s.Item == item).ToList();
            return new CalibrationConversation(item, scores.ToDictionary(s => s.InspectorId, s => s.Score),
                scores.Count == 0 ? null : Math.Round(scores.Average(s => s.Score), 2),
                scores.Count == 0 ? null : scores.Max(s => s.Score) - scores.Min(s => s.Score), scores.Count(s => s.Critical));
        }).ToList();
        var byInspector = c.InspectorIds.Select(inspector =>
        {
            var deviations = new List<double>();
            var disagreements = 0;
            foreach (var conversation in byConversation.Where(x => x.Scores.Count >= 2 && x.Scores.ContainsKey(inspector)))
            {
                deviations.Add(conversation.Scores[inspector] - conversation.Scores.Values.Average());
                var mine = c.Scores.Single(s => s.InspectorId == inspector && s.Item == conversation.Conversation).Critical;
                var majority = conversation.CriticalVotes * 2 > conversation.Scores.Count;
                if (mine != majority) disagreements++;
            }
            return new InspectorDeviation(inspector, c.Scores.Count(s => s.InspectorId == inspector),
                deviations.Count == 0 ? null : Math.Round(deviations.Average(), 2),
                deviations.Count == 0 ? null : Math.Round(deviations.Average(Math.Abs), 2), disagreements);
        }).ToList();
        var expected = c.Items.Count * c.InspectorIds.Count;
        return new CalibrationReport(c.CalibrationId, c.Name, c.Items.Count, c.InspectorIds.Count,
            expected == 0 ? 0 : Math.Round((double)c.Scores.Count / expected, 4), byInspector, byConversation);
    }
}

public static class CalibrationModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<CalibrationOpened>("calibration.opened.v1");
        options.Events.MapEventType<CalibrationScored>("calibration.scored.v1");
        options.Projections.Snapshot<Calibration>(SnapshotLifecycle.Inline);
    }

    public static void MapCalibrations(this IEndpointRouteBuilder app)
    {
        var calibrations = app.MapGroup("/api/quality/calibrations").WithTags("QC").RequireCaller(Roles.Ops);

        calibrations.MapPost("/", async Task<IResult> (OpenCalibration command, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
            {
                await using var query = store.QuerySession();
                var active = (await InspectorsModule.ActiveAsync(query, ct)).Select(i => i.InspectorId).ToHashSet();
                var (decision, calibration) = await store.DecideAsync<Calibration>(Calibration.StreamKey(command.CalibrationId ?? ""),
                    existing => Calibrations.Open(existing, command, active, clock.GetUtcNow()), null, ct);
                if (decision.Refusal() is { } refusal) return refusal;
                return decision is Decision.Append
                    ? TypedResults.Created($"/api/quality/calibrations/{calibration!.CalibrationId}", Calibrations.Report(calibration))
                    : TypedResults.Ok(Calibrations.Report(calibration!));
            })
            .WithName("OpenCalibration").WithSummary("Open a calibration session: the conversations several inspectors will score (ops).")
            .ProducesValidationProblem().ProducesProblem(409);

        calibrations.MapPost("/{calibrationId}/scores", async Task<IResult> (string calibrationId, ScoreCalibration command, IDocumentStore store,
                TimeProvider clock, CancellationToken ct) =>
            {
                await using var query = store.QuerySession();
                var rubric = Rubrics.InForce(await ReviewsModule.RubricsAsync(query, ct), command.StoreId ?? "");
                var (decision, calibration) = await store.DecideAsync<Calibration>(Calibration.StreamKey(calibrationId),
                    existing => existing is null ? new Decision.Unchanged() : Calibrations.Score(existing, command, rubric, clock.GetUtcNow()), null, ct);
                if (calibration is null) return Problems.NotFound($"Calibration '{calibrationId}' does not exist.");
                return decision.Refusal() ?? TypedResults.Ok(Calibrations.Report(calibration));
            })
            .WithName("ScoreCalibration").WithSummary("An inspector's score of one calibration conversation; scoring again replaces it (ops).")
            .ProducesValidationProblem().ProducesProblem(404);

        calibrations.MapGet("/{calibrationId}", async Task<IResult> (string calibrationId, IQuerySession session, CancellationToken ct) =>
                await session.LoadAsync<Calibration>(Calibration.StreamKey(calibrationId), ct) is { } calibration
                    ? TypedResults.Ok(Calibrations.Report(calibration))
                    : Problems.NotFound($"Calibration '{calibrationId}' does not exist."))
            .WithName("GetCalibrationReport").WithSummary("Each inspector's deviation from the consensus, and each conversation's spread (ops).")
            .ProducesProblem(404);
    }
}
