namespace Vendor.Quality.Training;

public sealed record HeldCertification(string StoreId, string Skill, DateTimeOffset CertifiedAt);

/// <summary>The certifications an agent holds now (per store and skill), stream <c>certifications:{agentId}</c>, kept as an inline snapshot.</summary>
public sealed record AgentCertifications(string Id, string AgentId, IReadOnlyList<HeldCertification> Held)
{
    public static string StreamKey(string agentId) => $"certifications:{agentId}";
}
