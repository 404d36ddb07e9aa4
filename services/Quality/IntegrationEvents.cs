using JasperFx.Events;
using Vendor.Quality.Agents;
using Vendor.Quality.Feedback;
using Vendor.Quality.Reviews;
using Vendor.Quality.Training;

namespace Vendor.Quality;

/// <summary>The one place domain events leave the service.</summary>
public static class IntegrationEvents
{
    public static object? Map(IEvent committed) => committed.Data switch
    {
        ReviewCompleted e => new Contracts.QcReviewCompleted(e.ReviewId, e.StoreId, e.ConversationId, e.AgentId, e.Score, e.CompletedAt,
            e.Critical, Revision: 1),
        ReviewOverturned e => new Contracts.QcReviewCompleted(e.ReviewId, e.StoreId, e.ConversationId, e.AgentId, e.Score, e.At,
            e.Critical, e.Revision),
        TierChanged e => new Contracts.AgentTierChanged(e.AgentId, e.To, e.At),
        CertificationGranted e => new Contracts.AgentCertified(e.AgentId, e.StoreId, e.At, e.Skill),
        CertificationRevoked e => new Contracts.AgentCertificationRevoked(e.AgentId, e.StoreId, e.Reason, e.At, e.Skill),
        FeedbackOverdueFlagged e => new Contracts.StoreFeedbackOverdue(e.FeedbackId, e.StoreId, e.Kind, e.Severity, e.DueAt, e.Summary, e.At),
        FeedbackSettled e => new Contracts.StoreFeedbackSettled(e.FeedbackId, e.StoreId, e.At),
        _ => null,
    };
}
