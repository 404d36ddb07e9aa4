namespace Vendor.Contracts;

/// <summary>A client store was onboarded by Agreements. Published once per store.</summary>
public sealed record StoreOnboarded(
    string StoreId,
    string Name,
    string Platform,
    string TimeZone,
    DateTimeOffset OnboardedAt);
