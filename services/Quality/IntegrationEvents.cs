using JasperFx.Events;
using Vendor.Quality.Agents;
using Vendor.Quality.Reviews;

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
        _ => null,
    };
}
