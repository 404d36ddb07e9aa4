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
        // api / sla|quality / stores / {storeId} / ...
        if (segments.Length < 4 || segments[0] != "api" || segments[1] is not ("sla" or "quality") || segments[2] != "stores")
            return $"A '{caller.Role}' key may only call its own store's routes.";
        var storeId = Uri.UnescapeDataString(segments[3]);
        if (!caller.MaySee(storeId)) return "This key is bound to another store.";

        var rest = segments.Skip(4).ToArray();
        var isRead = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        var isPost = HttpMethods.IsPost(method);
        var isDelete = HttpMethods.IsDelete(method);
        return (caller.Role, segments[1]) switch
        {
            // A store reads its SLA figures, reports, contract and the conversations behind the figures; nothing else of the SLA API.
            (Roles.Store, "sla") when isRead && rest is ["sla"] or ["sla", "daily"] or ["reports", _] or ["contract"] or ["contract", "history"]
                or ["conversations"] or ["conversations", _] => null,
            // ... and manages its own webhooks.
            (Roles.Store, "sla") when StoreMayCallWebhooks(rest, isRead, isPost, isDelete) => null,
            (Roles.Store, "sla") => "A store key may only read its store's SLA figures, reports, contract and conversations, and manage its webhooks.",
            // With Quality a store keeps the knowledge base together (reads, proposes) and files feedback it can follow up.
            (Roles.Store, "quality") when StoreMayCallQuality(rest, isRead, isPost) => null,
            (Roles.Store, "quality") => "A store key may only read its knowledge base and quick replies, propose changes, and file or follow its feedback.",
            (Roles.Ingest, "sla") when rest is ["conversations"] && isPost => null,
            (Roles.Ingest, _) => "An ingest key may only post conversations of its store.",
            _ => "Unknown role.",
        };
    }

    private static bool StoreMayCallWebhooks(string[] rest, bool isRead, bool isPost, bool isDelete) => rest switch
    {
        ["webhooks"] => isRead || isPost,
        ["webhooks", _] => isDelete,
        ["webhooks", _, "test"] or ["webhooks", _, "deliveries", _, "replay"] => isPost,
        _ => false,
    };

    private static bool StoreMayCallQuality(string[] rest, bool isRead, bool isPost) => rest switch
    {
        ["knowledge"] or ["knowledge", "articles"] or ["knowledge", "articles", _] or ["quick-replies"] => isRead,
        ["knowledge", "proposals"] => isRead || isPost,
        ["knowledge", "proposals", _] => isRead,
        ["feedback"] => isRead || isPost,
        ["feedback", "summary"] or ["feedback", _] => isRead,
        ["feedback", _, "reopen"] => isPost,
        _ => false,
    };
}
