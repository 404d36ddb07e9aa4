using Marten;
using Marten.Services;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

/// <summary>Counts the SLA targets a committed transaction newly missed: a rolled-back one counts nothing (ingested conversations are counted by the ingestion after its commit).</summary>
public sealed class CommittedFigures : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var e in commit.GetEvents())
            switch (e.Data)
            {
                case SlaStatusChanged { To: "missed" } missed:
                    VendorMetrics.SlaBreaches.Add(1, new KeyValuePair<string, object?>("store", missed.StoreId),
                        new KeyValuePair<string, object?>("metric", missed.Metric));
                    break;
            }
        return Task.CompletedTask;
    }
}
