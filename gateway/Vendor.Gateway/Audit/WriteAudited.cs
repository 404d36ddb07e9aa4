using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Audit;

/// <summary>
/// One write request the gateway answered (accepted or refused): who, when, what, from where. Never a body, a query string or a
/// header value: those may carry secrets. Its own stream <c>audit:{position}</c>.
/// </summary>
/// <param name="Position">Unique, in time order: microseconds since 1970 × 1000 + a random 0-999 (a tie-breaker across replicas).</param>
/// <param name="Actor">The key id; <c>user:{name}</c> for a signed-in user; what sign-in named; or <c>anonymous</c>.</param>
/// <param name="StoreId">The store the path names (…/stores/{storeId}/…), if any.</param>
public sealed record WriteAudited(long Position, DateTimeOffset At, string Actor, string? Role, string? ActorStoreId, string Method,
    string Path, string? StoreId, int Status, string? RemoteAddress, string? UserAgent);

/// <summary>The queryable record of a <see cref="WriteAudited"/> (inline projection, one per stream).</summary>
public sealed record AuditEntry(string Id, long Position, DateTimeOffset At, string Actor, string? Role, string? ActorStoreId,
    string Method, string Path, string? StoreId, int Status, string? RemoteAddress, string? UserAgent)
{
    public static string StreamKey(long position) => $"audit:{position}";

    public static AuditEntry Create(IEvent<WriteAudited> e)
    {
        var d = e.Data;
        return new(e.StreamKey!, d.Position, d.At, d.Actor, d.Role, d.ActorStoreId, d.Method, d.Path, d.StoreId, d.Status,
            d.RemoteAddress, d.UserAgent);
    }
}

/// <summary>The pure parts: what is recorded of a request, and positions from times.</summary>
public static class AuditRecords
{
    public const int MaxPath = 512, MaxUserAgent = 200, MaxActor = 200;

    private const long UnixEpochTicks = 621_355_968_000_000_000;

    public static bool IsWrite(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>PostgreSQL keeps microseconds: the time is cut to them so it reads back exactly.</summary>
    public static DateTimeOffset ToMicroseconds(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);

    /// <summary>The smallest position at or after a time (every position of that microsecond is at least this).</summary>
    public static long PositionOf(DateTimeOffset at)
    {
        var micros = (ToMicroseconds(at).UtcTicks - UnixEpochTicks) / 10;
        return micros < 0 ? 0 : micros > long.MaxValue / 1000 - 1 ? long.MaxValue : micros * 1000;
    }

    public static long NewPosition(DateTimeOffset at) => PositionOf(at) + Random.Shared.Next(1000);

    /// <summary>Who: the key of the caller; else a signed-in user; else what sign-in named (<c>audit.actor</c>); else anonymous.</summary>
    public static (string Actor, string? Role, string? ActorStoreId) Who(HttpContext context)
    {
        if (context.Items[typeof(CallerIdentity)] is CallerIdentity caller) return (caller.KeyId, caller.Role, caller.StoreId);
        if (context.User.Identity is { IsAuthenticated: true } identity)
            return (Truncate($"user:{identity.Name}", MaxActor), context.User.IsInRole(Roles.Ops) ? Roles.Ops : null, null);
        if (context.Items["audit.actor"] is string { Length: > 0 } named) return (Truncate(named, MaxActor), null, null);
        return ("anonymous", null, null);
    }

    /// <summary>The store a path names: /api/{service}/stores/{storeId}/…</summary>
    public static string? StoreOf(string path) =>
        path.Trim('/').Split('/') is ["api", _, "stores", var store, ..] && Ids.IsValid(Uri.UnescapeDataString(store))
            ? Uri.UnescapeDataString(store)
            : null;

    public static WriteAudited Of(HttpContext context, DateTimeOffset now)
    {
        var at = ToMicroseconds(now);
        var (actor, role, actorStore) = Who(context);
        // Path only: the query string never (tokens travel there), nor any header but the user agent.
        var path = context.Request.PathBase.Add(context.Request.Path).Value ?? "/";
        var agent = context.Request.Headers.UserAgent.ToString();
        return new WriteAudited(NewPosition(at), at, actor, role, actorStore, context.Request.Method.ToUpperInvariant(),
            Truncate(path, MaxPath), StoreOf(context.Request.Path.Value ?? "/"), context.Response.StatusCode,
            context.Connection.RemoteIpAddress?.ToString(), agent.Length == 0 ? null : Truncate(agent, MaxUserAgent));
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
