using Marten;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

/// <summary>qcScore comes from Quality's reviews: each folds into its conversation's day, once per review (a re-score replaces it).</summary>
public sealed class QcReviewCompletedConsumer(IDocumentSession session, TimeProvider clock) : IdempotentConsumer<Contracts.QcReviewCompleted>(session, clock)
{
    private readonly TimeProvider _clock = clock;

    protected override async Task Handle(Contracts.QcReviewCompleted review, IDocumentSession session, CancellationToken ct)
    {
        var store = await session.LoadAsync<Store>(Store.StreamKey(review.StoreId), ct);
        if (store is null) return; // a review of a store Agreements does not serve: nothing to fold
        await ConversationLedger.FoldReviewAsync(session, review, store.Calendar.LocalDate(review.CompletedAt), ct);
        var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(review.StoreId), ct);
        await SlaWatch.CheckCurrentMonthAsync(session, store, contract, _clock.GetUtcNow(), ct);
    }
}
