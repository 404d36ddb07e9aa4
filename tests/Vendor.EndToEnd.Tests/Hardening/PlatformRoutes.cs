using Vendor.Testing;

namespace Vendor.EndToEnd.Tests.Hardening;

/// <summary>Every /api route of the platform, read from the OpenAPI documents of the gateway and the three services.</summary>
public static class PlatformRoutes
{
    public static async Task<IReadOnlyList<ApiRoute>> ReadAsync(PlatformFixture platform)
    {
        var routes = new List<ApiRoute>();
        routes.AddRange(await ApiRoutes.ReadAsync(platform.Gateway.CreateClient(), "gateway"));
        var (agreements, staffing, quality) = platform.GatewayAddresses;
        foreach (var (name, address) in new[] { ("agreements", agreements), ("staffing", staffing), ("quality", quality) })
        {
            using var direct = new HttpClient { BaseAddress = address };
            routes.AddRange(await ApiRoutes.ReadAsync(direct, name));
        }
        Assert.True(routes.Count > 50, $"Only {routes.Count} routes documented: are the OpenAPI documents served?");
        return routes;
    }

    /// <summary>A path for the route: {storeId} → <paramref name="storeId"/>, other placeholders from <paramref name="value"/>.</summary>
    public static string Path(ApiRoute route, string storeId, Func<string, string> value) =>
        System.Text.RegularExpressions.Regex.Replace(route.Template, @"\{([^}]+)\}",
            m => m.Groups[1].Value == "storeId" ? storeId : Uri.EscapeDataString(value(m.Groups[1].Value)));

    /// <summary>A plausible value for a path or query parameter by its name (month, date, ids).</summary>
    public static string PlainValue(string name) => (name.Length > 0 ? char.ToLowerInvariant(name[0]) + name[1..] : name) switch
    {
        "month" => Seeds.Month,
        "date" => "2026-12-14",
        "from" => Seeds.From,
        "to" => Seeds.To,
        "skill" => "presales",
        "code" => "fz-course",
        "q" => "退货",
        "limit" => "5",
        "contactsPerHour" => "200",
        "ahtSeconds" => "180",
        "serviceLevel" => "0.8",
        "answerSeconds" => "20",
        _ => $"x-{name}",
    };

    /// <summary>The query string of the route's required query parameters with plain values ("" when there are none).</summary>
    public static string RequiredQuery(ApiRoute route)
    {
        var required = route.Query.Where(p => p.Required).Select(p => $"{p.Name}={Uri.EscapeDataString(PlainValue(p.Name))}").ToList();
        return required.Count == 0 ? "" : "?" + string.Join('&', required);
    }
}
