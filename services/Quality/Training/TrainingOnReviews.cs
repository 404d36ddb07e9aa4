using Marten;
using Vendor.Quality.Reviews;

namespace Vendor.Quality.Training;

/// <summary>The thresholds of remedial training and revocation (named so they can move to configuration later).</summary>
public sealed record RemedialSettings(double PassScore, int RepeatCriticalCount, TimeSpan RepeatCriticalWindow, string RemedialCourse)
{
    /// <summary>Below 60 fails a review; two critical reviews on one store within 30 days revoke the store's certifications.</summary>
    public static readonly RemedialSettings Default = new(60, 2, TimeSpan.FromDays(30), Catalogue.RemedialQuality);
}

/// <summary>The figures in force of a QC review, as the hook needs them.</summary>
public sealed record ReviewFacts(string ReviewId, string AgentId, string StoreId, double Score, bool Critical, string Status,
    DateTimeOffset CompletedAt)
{
    public static ReviewFacts Of(QcReview r) => new(r.ReviewId, r.AgentId, r.StoreId, r.Score, r.Critical, r.Status, r.CompletedAt);
}

public sealed record RemedialOutcome(IReadOnlyList<object> Training, IReadOnlyList<object> Certifications);

public static class RemedialDecisions
{
    /// <summary>
    /// What a review (new, or its figures changed by an overturn) means for the agent's training and certifications:
    /// <list type="bullet">
    /// <item>its figures are noted in the plan (they are what later reviews count as repeats);</item>
    /// <item>a failed (score below the pass score) or critical review assigns the remedial course, and a critical one also the store's
    /// product-knowledge courses (catalogue courses of category productKnowledge for that store) — each once per review;</item>
    /// <item>a critical review with enough other critical reviews in force on the same store within the window revokes every
    /// certification the agent holds for that store;</item>
    /// <item>when an overturn makes a review non-critical and a revocation it counted in no longer has enough critical reviews, the
    /// certifications that revocation took (and that were not earned again since) are reinstated. Remedial courses stay assigned.</item>
    /// </list>
    /// </summary>
    public static RemedialOutcome OnReview(TrainingPlan? plan, AgentCertifications? certifications, ReviewFacts review,
        IReadOnlyDictionary<string, CatalogueCourse> catalogue, RemedialSettings settings, DateTimeOffset now)
    {
        var before = plan ?? TrainingPlan.Empty(review.AgentId);
        var held = certifications ?? AgentCertifications.Empty(review.AgentId);
        var training = new List<object>();
        var noted = before.NotedReviews.FirstOrDefault(r => r.ReviewId == review.ReviewId);
        if (noted is null || noted.Score != review.Score || noted.Critical != review.Critical || noted.Status != review.Status)
            training.Add(new ReviewOutcomeNoted(review.AgentId, review.ReviewId, review.StoreId, review.Score, review.Critical, review.Status,
                review.CompletedAt, now));

        if (review.Score < settings.PassScore || review.Critical)
        {
            var remedial = review.Critical
                ? catalogue.Values.Where(c => c.Category == CourseCategories.ProductKnowledge && c.StoreId == review.StoreId)
                    .OrderBy(c => c.Code, StringComparer.Ordinal).Prepend(catalogue[settings.RemedialCourse])
                : [catalogue[settings.RemedialCourse]];
            var reason = review.Critical
                ? $"QC review {review.ReviewId} found a critical error (score {review.Score:0.#})."
                : $"QC review {review.ReviewId} scored {review.Score:0.#}, below {settings.PassScore:0.#}.";
            training.AddRange(remedial
                .Where(c => !before.RemedialAssignments.Contains(new RemedialAssignment(review.ReviewId, c.Code)))
                .Select(c => new CourseAssigned(review.AgentId, c.ToCourse(), CourseSources.Remedial, reason, review.ReviewId, review.StoreId, now)));
        }

        var after = TrainingPlan.Fold(before, review.AgentId, training);
        // Only a change of criticality counts: a dispute of a critical review that was already counted must not revoke a
        // certification the agent earned again since.
        var certificationEvents = (review.Critical, noted?.Critical) switch
        {
            (true, null or false) => Revocations(after, held, review, settings, now),
            (false, true) => Reinstatements(after, held, review, settings, now),
            _ => [],
        };
        return new RemedialOutcome(training, certificationEvents);
    }

    private static IReadOnlyList<object> Revocations(TrainingPlan plan, AgentCertifications held, ReviewFacts review, RemedialSettings settings,
        DateTimeOffset now)
    {
        var critical = CriticalOnStore(plan, review.StoreId)
            .Where(r => (r.CompletedAt - review.CompletedAt).Duration() <= settings.RepeatCriticalWindow)
            .OrderBy(r => r.CompletedAt).Select(r => r.ReviewId).ToList();
        if (critical.Count < settings.RepeatCriticalCount) return [];
        var reason = $"{critical.Count} critical QC errors on store {review.StoreId} within {settings.RepeatCriticalWindow.TotalDays:0} days "
                     + $"(reviews {string.Join(", ", critical)}).";
        return
        [
            .. held.Held.Where(h => h.StoreId == review.StoreId).OrderBy(h => h.Skill, StringComparer.Ordinal)
                .Select(h => new CertificationRevoked(review.AgentId, review.StoreId, h.Skill, reason, critical, now)),
        ];
    }

    private static IReadOnlyList<object> Reinstatements(TrainingPlan plan, AgentCertifications held, ReviewFacts review,
        RemedialSettings settings, DateTimeOffset now)
    {
        var stillCritical = CriticalOnStore(plan, review.StoreId).Select(r => r.ReviewId).ToHashSet();
        // Only a revocation that is still the last word on its store and skill: one earned again since needs nothing.
        return
        [
            .. held.Changes.Where(c => c.StoreId == review.StoreId)
                .GroupBy(c => c.Skill).Select(g => g.Last())
                .Where(c => c.Change == CertificationChanges.Revoked && (c.ReviewIds ?? []).Contains(review.ReviewId)
                            && (c.ReviewIds ?? []).Count(stillCritical.Contains) < settings.RepeatCriticalCount)
                .OrderBy(c => c.Skill, StringComparer.Ordinal)
                .Select(c => new CertificationGranted(review.AgentId, c.StoreId, c.Skill, now,
                    $"Reinstated: review {review.ReviewId} was overturned and is no longer critical.")),
        ];
    }

    private static IEnumerable<NotedReview> CriticalOnStore(TrainingPlan plan, string storeId) =>
        plan.NotedReviews.Where(r => r.Critical && r.StoreId == storeId);
}

/// <summary>The remedial-training hook the reviews code calls in its own session, before it commits.</summary>
public static class TrainingOnReviews
{
    /// <summary>
    /// Stages (never commits) what <paramref name="review"/> means for its agent's training and certifications. The review's own new
    /// events are staged but not committed in this session, so its figures come from the argument; the agent's plan and certifications are
    /// read as committed plus anything already staged in this session (two reviews of one agent handled in one session see each other).
    /// </summary>
    public static async Task OnReviewAsync(IDocumentSession session, QcReview review, DateTimeOffset now, CancellationToken ct)
    {
        var planKey = TrainingPlan.StreamKey(review.AgentId);
        var certificationsKey = AgentCertifications.StreamKey(review.AgentId);
        var plan = TrainingPlan.Fold(await session.LoadAsync<TrainingPlan>(planKey, ct), review.AgentId, Staged(session, planKey));
        var held = AgentCertifications.Fold(await session.LoadAsync<AgentCertifications>(certificationsKey, ct), review.AgentId,
            Staged(session, certificationsKey));
        var catalogue = await Catalogue.LoadAsync(session, ct);

        var outcome = RemedialDecisions.OnReview(plan, held, ReviewFacts.Of(review), catalogue, RemedialSettings.Default, now);
        // Plain appends (no expected version): a concurrent progress request on the plan retries on its own, and the review stream
        // the caller writes already serialises two handlings of the same review.
        if (outcome.Training.Count > 0) session.Events.Append(planKey, [.. outcome.Training]);
        if (outcome.Certifications.Count > 0) session.Events.Append(certificationsKey, [.. outcome.Certifications]);
    }

    private static IEnumerable<object> Staged(IDocumentSession session, string streamKey) =>
        session.PendingChanges.Streams().Where(s => s.Key == streamKey).SelectMany(s => s.Events).Select(e => e.Data);
}
