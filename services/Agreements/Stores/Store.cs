using JasperFx.Events;

namespace Vendor.Agreements.Stores;

public sealed record StoreOnboarded(string StoreId, string Name, string Platform, string TimeZone, DateTimeOffset OnboardedAt);

/// <summary>A client store, event-sourced in stream <c>store:{storeId}</c>; kept as an inline snapshot.</summary>
public sealed record Store(string Id, string StoreId, string Name, string Platform, string TimeZone,
    DateTimeOffset OnboardedAt, long Version)
{
    public static string StreamKey(string storeId) => $"store:{storeId}";

    public static Store Create(IEvent<StoreOnboarded> e) =>
        new(e.StreamKey!, e.Data.StoreId, e.Data.Name, e.Data.Platform, e.Data.TimeZone, e.Data.OnboardedAt, e.Version);
}

public static class Platforms
{
    public static readonly IReadOnlyList<string> All = ["taobao", "tmall", "jd", "douyin", "other"];
}
