namespace Vendor.Agreements.Sla;

public static class MetricStatus
{
    public const string Met = "met";
    public const string AtRisk = "atRisk";
    public const string Missed = "missed";
    public const string NoData = "noData";

    /// <summary>
    /// met, atRisk (met, but within the warning margin — a percent of the target — of missing it), missed, or noData
    /// when there was nothing to measure (DOMAIN.md).
    /// </summary>
    public static string Of(string metric, double? actual, double target, decimal warningMarginPercent)
    {
        if (actual is not { } a) return NoData;
        var better = Metrics.Find(metric)?.Better ?? throw new ArgumentException($"Unknown metric {metric}", nameof(metric));
        var margin = target * (double)warningMarginPercent / 100;
        return better == Better.Higher
            ? a < target ? Missed : a < target + margin ? AtRisk : Met
            : a > target ? Missed : a > target - margin ? AtRisk : Met;
    }
}
