using System.Text.RegularExpressions;

namespace Vendor.ServiceDefaults;

/// <summary>The shape of the natural ids every service and the gateway accept (storeId, agentId): they become stream keys and route segments.</summary>
public static partial class Ids
{
    public const string Rule = "1-64 letters, digits, '-' or '_', starting with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);
}
