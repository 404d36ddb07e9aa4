namespace Vendor.Agreements.Sla;

/// <summary>
/// The dates the SLA figures deal in: this century. Chat logs, contracts and reports outside it are input mistakes, and
/// the bounds keep calendar arithmetic (a month later, a day's service hours) far from DateTime's limits.
/// </summary>
public static class SupportedDates
{
    public const string Range = "2000-01-01 to 2099-12-31";
    public static readonly DateTimeOffset First = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset End = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static bool Contains(DateOnly date) => date.Year is >= 2000 and <= 2099;

    public static bool Contains(DateTimeOffset at) => at >= First && at < End;
}
