using System.Globalization;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Sla;

/// <summary>
/// The dates the SLA figures deal in: this century. Chat logs, contracts and reports outside it are input mistakes, and
/// the bounds keep calendar arithmetic (a month later, a day's service hours) far from DateTime's limits.
/// </summary>
public static class SupportedDates
{
    public const string Span = "2000-01-01 to 2099-12-31";
    public static readonly DateTimeOffset First = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset End = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool Contains(DateOnly date) => date.Year is >= 2000 and <= 2099;

    public static bool Contains(DateTimeOffset at) => at >= First && at < End;

    /// <summary>The from..to query of the SLA routes (store-local dates, inclusive, at most <paramref name="maxDays"/>), or null with its errors.</summary>
    public static (DateOnly From, DateOnly To)? Range(string? from, string? to, int maxDays, Errors errors)
    {
        var (first, last) = (Date(from, "from", errors), Date(to, "to", errors));
        if (first is { } f && last is { } t)
            errors.Check(f <= t, "to", "On or after from.").Check(t.DayNumber - f.DayNumber < maxDays, "to", $"At most {maxDays} days.");
        return errors.Any ? null : (first!.Value, last!.Value);
    }

    private static DateOnly? Date(string? text, string field, Errors errors)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && Contains(date)) return date;
        errors.Add(field, $"Required date, yyyy-MM-dd (store-local, {Span}).");
        return null;
    }
}
