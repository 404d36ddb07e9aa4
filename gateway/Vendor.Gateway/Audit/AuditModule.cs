using System.Globalization;
using JasperFx.Events.Projections;
using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Audit;

/// <summary>The filters of GET /api/audit, parsed and checked. Positions bound the time range and the cursor.</summary>
public sealed record AuditQuery(long FromPosition, long ToPosition, string? Actor, string? StoreId, int Limit, long? Before)
{
    public const int DefaultLimit = 100, MaxLimit = 500;

    /// <summary>The query, or the fields that are wrong (a 400).</summary>
    public static (AuditQuery? Query, Decision.Invalid? Invalid) Parse(string? from, string? to, string? actor, string? storeId,
        string? limit, string? cursor)
    {
        var errors = new Errors();
        DateTimeOffset? Time(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) return at;
            errors.Add(field, "An ISO 8601 time, e.g. 2026-12-01T08:00:00Z.");
            return null;
        }
        var (fromAt, toAt) = (Time(from, "from"), Time(to, "to"));
        if (fromAt is { } f && toAt is { } t) errors.Check(f < t, "to", "Must be after from.");
        errors.Check(actor is null || actor.Length is > 0 and <= AuditRecords.MaxActor, "actor",
            $"1-{AuditRecords.MaxActor} characters, as listed in the records (a key id, user:{{name}}, anonymous).");
        errors.Check(storeId is null || Ids.IsValid(storeId), "storeId", Ids.Rule + ".");
        var size = DefaultLimit;
        if (limit is not null)
            errors.Check(int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) && size is >= 1 and <= MaxLimit,
                "limit", $"A whole number from 1 to {MaxLimit}.");
        long? before = null;
        if (cursor is not null)
        {
            var ok = long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position > 0;
            errors.Check(ok, "cursor", "The nextCursor of a previous answer.");
            if (ok) before = position;
        }
        if (errors.Any) return (null, errors.ToDecision());
        return (new AuditQuery(fromAt is { } lo ? AuditRecords.PositionOf(lo) : 0, toAt is { } hi ? AuditRecords.PositionOf(hi) : long.MaxValue,
            actor, storeId, size, before), null);
    }
}

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, string? NextCursor);

public sealed record AuditEntryView(DateTimeOffset At, string Actor, string? Role, string? ActorStoreId, string Method, string Path,
    string? StoreId, int Status, string? RemoteAddress, string? UserAgent)
{
    public static AuditEntryView Of(AuditEntry e) =>
        new(e.At, e.Actor, e.Role, e.ActorStoreId, e.Method, e.Path, e.StoreId, e.Status, e.RemoteAddress, e.UserAgent);
}

public static class AuditModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<WriteAudited>("audit.write.v1");
        options.Projections.Snapshot<AuditEntry>(SnapshotLifecycle.Inline);
        options.Schema.For<AuditEntry>().Index(e => e.Position).Index(e => e.Actor).Index(e => e.StoreId!);
    }

    /// <summary>GET /api/audit, newest first, paged by cursor; ops only (the gateway policy, and again here).</summary>
    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", async Task<IResult> (IQuerySession session, CancellationToken ct,
                string? from, string? to, string? actor, string? storeId, string? limit, string? cursor) =>
            {
                var (query, invalid) = AuditQuery.Parse(from, to, actor, storeId, limit, cursor);
                if (invalid is not null) return invalid.Refusal()!;
                var q = query!;
                var upper = q.Before is { } before && before < q.ToPosition ? before : q.ToPosition;
                var entries = session.Query<AuditEntry>().Where(e => e.Position >= q.FromPosition && e.Position < upper);
                if (q.Actor is not null) entries = entries.Where(e => e.Actor == q.Actor);
                if (q.StoreId is not null) entries = entries.Where(e => e.StoreId == q.StoreId);
                var page = await entries.OrderByDescending(e => e.Position).Take(q.Limit + 1).ToListAsync(ct);
                var more = page.Count > q.Limit;
                var items = page.Take(q.Limit).ToList();
                return TypedResults.Ok(new AuditPage(items.Select(AuditEntryView.Of).ToList(),
                    more ? items[^1].Position.ToString(CultureInfo.InvariantCulture) : null));
            })
            .RequireOps()
            .WithTags("Audit").WithName("ReadAudit")
            .WithSummary("Every write the gateway answered (who, when, what, from where), newest first; from/to/actor/storeId filters, limit ≤ 500, cursor paging (ops).")
            .ProducesValidationProblem().ProducesProblem(403);
    }
}
