using Vendor.Quality.Reviews;
using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Knowledge;

/// <summary>The body of POST /api/quality/reviews/{reviewId}/case.</summary>
public sealed record PromoteCase(string? Title, string? Body, IReadOnlyList<string?>? CourseCodes, IReadOnlyList<string?>? Tags);

public static class CaseDecisions
{
    /// <summary>One case per review: the id derives from the review, so a repeated promotion finds the first.</summary>
    public static string ArticleId(string reviewId) => $"case-{reviewId}";

    /// <summary>
    /// A QC review becomes a teaching case draft for the review's store, its title and body masked (the article decisions mask every
    /// version of a case), linked to courses of the Training catalogue.
    /// </summary>
    public static Decision Promote(QcReview review, Article? existing, PromoteCase command, IReadOnlyDictionary<string, CatalogueCourse> catalogue,
        string by, IEnumerable<Article> inForce, DateTimeOffset now)
    {
        if (existing is not null)
            return new Decision.Conflict($"Review '{review.ReviewId}' was promoted to case '{existing.ArticleId}' already; revise that article.");
        var unknown = (command.CourseCodes ?? []).Where(c => c is null || !catalogue.ContainsKey(c)).ToList();
        if (unknown.Count > 0)
            return new Errors().Add("courseCodes", $"Unknown course codes: {string.Join(", ", unknown.Select(c => c ?? "null"))}.").ToDecision();
        var tags = (command.Tags ?? []).Concat(["case", review.Critical ? "critical-error" : "qc"]).ToList();
        return ArticleDecisions.Create(ArticleId(review.ReviewId),
            new DraftArticle(review.StoreId, ArticleKinds.Case, command.Title, command.Body, tags, false, null), by, inForce, now,
            sourceReviewId: review.ReviewId, courseCodes: [.. (command.CourseCodes ?? []).Select(c => c!).Distinct()]);
    }
}
