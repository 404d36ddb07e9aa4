using Marten;
using Marten.Services;
using Vendor.Agreements.Ingestion;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

/// <summary>Counts what a committed transaction recorded (ingested conversations, SLA targets newly missed): a rolled-back one counts nothing.</summary>
public sealed class CommittedFigures : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var e in commit.GetEvents())
            switch (e.Data)
            {
                case ConversationsIngested ingested:
                    // Per store: a vendor serves tens to hundreds of stores, and ops watch each one's feed.
                    VendorMetrics.ConversationsIngested.Add(ingested.Conversations.Count, new KeyValuePair<string, object?>("store", ingested.StoreId));
                    break;
                case SlaStatusChanged { To: "missed" } missed:
                    VendorMetrics.SlaBreaches.Add(1, new KeyValuePair<string, object?>("store", missed.StoreId),
                        new KeyValuePair<string, object?>("metric", missed.Metric));
                    break;
            }
        return Task.CompletedTask;
    }
}
