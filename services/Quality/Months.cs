using System.Globalization;

namespace Vendor.Quality;

/// <summary>Calendar months as the API spells them (yyyy-MM), shared by scorecards, tier reviews and feedback summaries.</summary>
public static class Months
{
    public static bool TryParse(string? text, out DateOnly first)
    {
        var ok = DateOnly.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out first);
        return ok && first.Year is >= 2000 and <= 2100;
    }

    public static DateOnly Last(DateOnly first) => first.AddMonths(1).AddDays(-1);

    public static string Label(DateOnly first) => first.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
