namespace Vendor.Quality.Scorecards;

public static class KpiGroups
{
    public const string Workload = "workload", Efficiency = "efficiency", Attitude = "attitude", Return = "return";
    public static readonly IReadOnlyList<string> All = [Workload, Efficiency, Attitude, Return];
}

/// <summary>How a KPI turns its actual into points.</summary>
public enum KpiScale
{
    /// <summary>A count, scored against the team's mean that month: weight × min(1, actual / mean).</summary>
    TeamRelative,
    /// <summary>A rate or score, linear from the floor (0 points) up to the target (full points).</summary>
    HigherIsBetter,
    /// <summary>A time, linear from the floor (0 points) down to the target (full points).</summary>
    LowerIsBetter,
}

public sealed record KpiDefinition(string Kpi, string Group, KpiScale Scale, double Weight, double? Target, double? Floor,
    double Min, double Max, string Description);

/// <summary>One KPI's weight (and, for rates and times, target and floor) in a team's weights.</summary>
public sealed record KpiSetting(string Kpi, double Weight, double? Target, double? Floor);

/// <summary>The eight KPIs of the 115-point scorecard (seed 003: workload, efficiency, attitude, return) and their defaults.</summary>
public static class Kpis
{
    public const double MaxTotal = 115;

    public const string Inquiries = "inquiries", Conversations = "conversations", ResponseSeconds = "responseSeconds",
        FirstResponseSeconds = "firstResponseSeconds", QcScore = "qcScore", SatisfactionRate = "satisfactionRate",
        InquiryConversionRate = "inquiryConversionRate", Sales = "sales";

    public static readonly IReadOnlyList<KpiDefinition> All =
    [
        new(Inquiries, KpiGroups.Workload, KpiScale.TeamRelative, 15, null, null, 0, 0, "presales conversations served"),
        new(Conversations, KpiGroups.Workload, KpiScale.TeamRelative, 15, null, null, 0, 0, "conversations served"),
        new(ResponseSeconds, KpiGroups.Efficiency, KpiScale.LowerIsBetter, 15, 30, 180, 0, 3600, "mean response time, seconds"),
        new(FirstResponseSeconds, KpiGroups.Efficiency, KpiScale.LowerIsBetter, 15, 20, 120, 0, 3600, "mean first response time, seconds"),
        new(QcScore, KpiGroups.Attitude, KpiScale.HigherIsBetter, 20, 90, 60, 0, 100, "mean QC review score in force"),
        new(SatisfactionRate, KpiGroups.Attitude, KpiScale.HigherIsBetter, 10, 0.95, 0.80, 0, 1, "satisfied / rated conversations"),
        new(InquiryConversionRate, KpiGroups.Return, KpiScale.HigherIsBetter, 15, 0.50, 0.20, 0, 1, "converted / served presales conversations"),
        new(Sales, KpiGroups.Return, KpiScale.TeamRelative, 10, null, null, 0, 0, "converted conversations"),
    ];

    public static readonly IReadOnlyDictionary<string, KpiDefinition> ByName = All.ToDictionary(k => k.Kpi);

    public static IReadOnlyList<KpiSetting> Defaults { get; } = [.. All.Select(k => new KpiSetting(k.Kpi, k.Weight, k.Target, k.Floor))];
}
