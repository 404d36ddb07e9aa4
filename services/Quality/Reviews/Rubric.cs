using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Reviews;

/// <summary>A rubric item: scored items carry a weight (points 0..weight); critical items are pass/fail and zero the review when failed.</summary>
public sealed record RubricItem(string Code, string Title, double Weight, bool Critical);

public sealed record RubricPublished(string RubricId, int Version, string Name, IReadOnlyList<string> StoreIds, IReadOnlyList<RubricItem> Items,
    DateTimeOffset At);

public sealed record RubricVersion(string RubricId, int Version, string Name, IReadOnlyList<string> StoreIds, IReadOnlyList<RubricItem> Items,
    DateTimeOffset PublishedAt)
{
    public double MaxPoints => Items.Where(i => !i.Critical).Sum(i => i.Weight);
}

/// <summary>
/// A QC rubric, stream <c>rubric:{rubricId}</c>: every published version is kept, because a review is scored (and re-scored in a
/// dispute) against the version in force when it was made. The rubric <c>default</c> applies to stores no other rubric names.
/// </summary>
public sealed record Rubric(string Id, string RubricId, IReadOnlyList<RubricVersion> Versions, long Version)
{
    public const string DefaultId = "default";

    public static string StreamKey(string rubricId) => $"rubric:{rubricId}";

    public RubricVersion Current => Versions[^1];

    public static Rubric Create(IEvent<RubricPublished> e) => new(e.StreamKey!, e.Data.RubricId, [Of(e.Data)], e.Version);

    public Rubric Apply(IEvent<RubricPublished> e) => this with { Versions = [.. Versions, Of(e.Data)], Version = e.Version };

    private static RubricVersion Of(RubricPublished e) => new(e.RubricId, e.Version, e.Name, e.StoreIds, e.Items, e.At);
}

public sealed record PublishRubric(string? Name, IReadOnlyList<string>? StoreIds, IReadOnlyList<RubricItem>? Items);

public static class Rubrics
{
    /// <summary>Until ops publish a <c>default</c> rubric, reviews use this one (version 0): 100 points and three critical errors.</summary>
    public static readonly RubricVersion BuiltIn = new(Rubric.DefaultId, 0, "通用质检表 Standard QC rubric", [],
    [
        new("greeting", "开场与礼貌用语 Greeting and courtesy", 10, false),
        new("accuracy", "解答准确 Accurate answers (product, policy)", 30, false),
        new("attitude", "服务态度 Attitude and empathy", 20, false),
        new("resolution", "问题解决 Resolution and follow-up", 25, false),
        new("scripts", "规范话术 Standard scripts, no forbidden words", 15, false),
        new("rude", "辱骂或顶撞客户 Rude to the customer", 0, true),
        new("false-promise", "虚假承诺 False promise (price, delivery, refund)", 0, true),
        new("privacy", "泄露客户信息 Customer data disclosed", 0, true),
    ], DateTimeOffset.UnixEpoch);

    /// <summary>The rubric version in force for a store: the rubric naming the store, else <c>default</c>, else the built-in one.</summary>
    public static RubricVersion InForce(IReadOnlyList<Rubric> rubrics, string storeId) =>
        rubrics.FirstOrDefault(r => r.Current.StoreIds.Contains(storeId))?.Current
        ?? rubrics.FirstOrDefault(r => r.RubricId == Rubric.DefaultId)?.Current
        ?? BuiltIn;

    /// <summary>A given version of a rubric (for re-scoring a disputed review); version 0 of <c>default</c> is the built-in one.</summary>
    public static RubricVersion? Version(Rubric? rubric, string rubricId, int version) =>
        rubricId == Rubric.DefaultId && version == 0 ? BuiltIn : rubric?.Versions.FirstOrDefault(v => v.Version == version);

    public static Decision Publish(Rubric? existing, string rubricId, PublishRubric command, IReadOnlyList<Rubric> others, DateTimeOffset now)
    {
        var items = command.Items ?? [];
        if (items.Any(i => i is null))
            return new Errors().Add("items", "Each item is an object {code, title, weight, critical}.").ToDecision();
        var storeIds = (command.StoreIds ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        var errors = new Errors()
            .Check(Ids.IsValid(rubricId), "rubricId", Ids.Rule)
            .Check(!string.IsNullOrWhiteSpace(command.Name) && command.Name.Length <= 100, "name", "A name of 1–100 characters is required.")
            .Check(items.Any(i => !i.Critical && i.Weight > 0), "items", "At least one scored item with a weight above 0.")
            .Check(items.Select(i => i.Code).Distinct().Count() == items.Count, "items", "Item codes must be unique.")
            .Check(rubricId != Rubric.DefaultId || storeIds.Count == 0, "storeIds", "The default rubric applies to every other store: list no stores.")
            .Check(rubricId == Rubric.DefaultId || storeIds.Count > 0, "storeIds", "List the stores this rubric applies to (or publish it as 'default').")
            .Check(storeIds.All(Ids.IsValid), "storeIds", "Every store id must be a valid id.");
        for (var i = 0; i < items.Count; i++)
            errors.Check(Ids.IsValid(items[i].Code), $"items[{i}].code", Ids.Rule)
                .Check(!string.IsNullOrWhiteSpace(items[i].Title) && items[i].Title.Length <= 200, $"items[{i}].title", "A title of 1–200 characters.")
                .Check(items[i].Critical ? items[i].Weight == 0 : items[i].Weight is > 0 and <= 1000, $"items[{i}].weight",
                    items[i].Critical ? "Critical items are pass/fail: weight 0." : "A weight above 0 (at most 1,000).");
        if (errors.Any) return errors.ToDecision();
        var taken = others.Where(r => r.RubricId != rubricId).SelectMany(r => r.Current.StoreIds.Intersect(storeIds).Select(s => (s, r.RubricId))).ToList();
        if (taken.Count > 0)
            return new Decision.Conflict($"Store '{taken[0].s}' already has rubric '{taken[0].RubricId}'; a store is scored against one rubric.");
        var current = existing?.Current;
        if (current is not null && current.Name == command.Name!.Trim() && current.StoreIds.SequenceEqual(storeIds) && current.Items.SequenceEqual(items))
            return new Decision.Unchanged();
        return Decision.Of(new RubricPublished(rubricId, (current?.Version ?? 0) + 1, command.Name!.Trim(), storeIds, [.. items], now));
    }
}

/// <summary>What an inspector scored: points per scored item and the critical items failed.</summary>
public sealed record ScoreSheet(IReadOnlyList<ItemScore>? Scores, IReadOnlyList<string>? CriticalErrors);

public static class Scoring
{
    /// <summary>
    /// Score 0–100 = points over the rubric's maximum, to 2 places; any critical error makes it 0. Every scored item must be scored
    /// once, within 0..weight; critical errors must name critical items.
    /// </summary>
    public static (double Score, bool Critical, IReadOnlyList<ItemScore> Items, IReadOnlyList<string> CriticalErrors)? Score(RubricVersion rubric,
        ScoreSheet sheet, Errors errors)
    {
        var scores = sheet.Scores ?? [];
        if (scores.Any(s => s is null))
        {
            errors.Add("scores", "Each score is an object {code, points}.");
            return null;
        }
        var critical = (sheet.CriticalErrors ?? []).Distinct().ToList();
        foreach (var item in rubric.Items.Where(i => !i.Critical))
        {
            var given = scores.Where(s => s.Code == item.Code).ToList();
            if (given.Count != 1) errors.Add($"scores.{item.Code}", $"Score '{item.Code}' once (0 to {item.Weight}).");
            else if (given[0].Points < 0 || given[0].Points > item.Weight || double.IsNaN(given[0].Points))
                errors.Add($"scores.{item.Code}", $"Points from 0 to {item.Weight}.");
        }
        foreach (var unknown in scores.Select(s => s.Code).Where(c => !rubric.Items.Any(i => !i.Critical && i.Code == c)).Distinct())
            errors.Add("scores", $"'{unknown}' is not a scored item of rubric '{rubric.RubricId}' version {rubric.Version}.");
        foreach (var unknown in critical.Where(c => !rubric.Items.Any(i => i.Critical && i.Code == c)))
            errors.Add("criticalErrors", $"'{unknown}' is not a critical item of rubric '{rubric.RubricId}' version {rubric.Version}.");
        if (errors.Any) return null;
        var items = rubric.Items.Where(i => !i.Critical).Select(i => scores.First(s => s.Code == i.Code)).ToList();
        var isCritical = critical.Count > 0;
        var score = isCritical ? 0 : Math.Round(100 * items.Sum(s => s.Points) / rubric.MaxPoints, 2, MidpointRounding.AwayFromZero);
        return (score, isCritical, items, critical);
    }
}
