using Vendor.ServiceDefaults;

namespace Vendor.Gateway;

/// <summary>
/// Who may call which route, decided at the gateway before anything is forwarded. Services check again
/// (defence in depth). Store-scoped routes are /api/sla/stores/{storeId}/...
/// </summary>
public static class GatewayPolicy
{
    /// <summary>Null when allowed, else why the caller is refused (a 403).</summary>
    public static string? Refusal(CallerIdentity caller, string method, string path)
    {
        if (caller.IsOps) return null;
        var segments = path.Trim('/').Split('/');
        // api / sla / stores / {storeId} / ...
        if (segments.Length < 4 || segments[0] != "api" || segments[1] != "sla" || segments[2] != "stores")
            return $"A '{caller.Role}' key may only call its own store's SLA API.";
        var storeId = Uri.UnescapeDataString(segments[3]);
        if (!caller.MaySee(storeId)) return "This key is bound to another store.";

        var rest = segments.Skip(4).ToArray();
        var isRead = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        return caller.Role switch
        {
            // A store reads its SLA figures, reports and contract; nothing else.
            Roles.Store when isRead && rest is ["sla"] or ["reports", _] or ["contract"] or ["contract", "history"] => null,
            Roles.Store => "A store key may only read its store's SLA figures, reports and contract.",
            Roles.Ingest when rest is ["conversations"] && HttpMethods.IsPost(method) => null,
            Roles.Ingest => "An ingest key may only post conversations of its store.",
            _ => "Unknown role.",
        };
    }
}
