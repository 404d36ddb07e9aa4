namespace Vendor.Agreements.Sla;

public enum Better { Higher, Lower }

/// <summary>A pinned SLA metric (DOMAIN.md): its name in contracts, the API and reports, and which way is better.</summary>
public sealed record MetricDefinition(string Name, Better Better, double Max);

public static class Metrics
{
    public const string FirstResponseSeconds = "firstResponseSeconds";
    public const string ResponseSeconds = "responseSeconds";
    public const string ThreeMinuteResponseRate = "threeMinuteResponseRate";
    public const string MissedRate = "missedRate";
    public const string ResolutionRate = "resolutionRate";
    public const string InquiryConversionRate = "inquiryConversionRate";
    public const string SatisfactionRate = "satisfactionRate";
    public const string QcScore = "qcScore";

    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        new(FirstResponseSeconds, Better.Lower, double.MaxValue),
        new(ResponseSeconds, Better.Lower, double.MaxValue),
        new(ThreeMinuteResponseRate, Better.Higher, 1),
        new(MissedRate, Better.Lower, 1),
        new(ResolutionRate, Better.Higher, 1),
        new(InquiryConversionRate, Better.Higher, 1),
        new(SatisfactionRate, Better.Higher, 1),
        new(QcScore, Better.Higher, 100),
    ];

    private static readonly Dictionary<string, MetricDefinition> ByName = All.ToDictionary(m => m.Name);

    public static MetricDefinition? Find(string? name) => name is not null && ByName.TryGetValue(name, out var m) ? m : null;
}
