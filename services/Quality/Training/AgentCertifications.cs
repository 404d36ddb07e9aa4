using System.Text.Json.Serialization;
using JasperFx.Events;

namespace Vendor.Quality.Training;

public sealed record HeldCertification(string StoreId, string Skill, DateTimeOffset CertifiedAt);

/// <summary>An agent passed what a store and skill require (or had a revoked certification reinstated: <see cref="Reason"/>).</summary>
public sealed record CertificationGranted(string AgentId, string StoreId, string Skill, DateTimeOffset At, string? Reason = null);

/// <summary>Repeated critical QC errors on the store: <see cref="ReviewIds"/> are the reviews that counted.</summary>
public sealed record CertificationRevoked(string AgentId, string StoreId, string Skill, string Reason, IReadOnlyList<string> ReviewIds,
    DateTimeOffset At);

public static class CertificationChanges
{
    public const string Certified = "certified", Revoked = "revoked";
}

public sealed record CertificationChange(string StoreId, string Skill, string Change, DateTimeOffset At, string? Reason = null,
    IReadOnlyList<string>? ReviewIds = null);

/// <summary>The certifications an agent holds now (per store and skill), stream <c>certifications:{agentId}</c>, kept as an inline snapshot.
/// <see cref="History"/> lists every grant and revocation, oldest first.</summary>
public sealed record AgentCertifications(string Id, string AgentId, IReadOnlyList<HeldCertification> Held,
    IReadOnlyList<CertificationChange>? History = null)
{
    public static string StreamKey(string agentId) => $"certifications:{agentId}";

    public static AgentCertifications Empty(string agentId) => new(StreamKey(agentId), agentId, []);

    public static AgentCertifications Create(IEvent<CertificationGranted> e) => Empty(e.Data.AgentId).Step(e.Data);

    public static AgentCertifications Create(IEvent<CertificationRevoked> e) => Empty(e.Data.AgentId).Step(e.Data);

    public AgentCertifications Apply(CertificationGranted e) => Step(e);

    public AgentCertifications Apply(CertificationRevoked e) => Step(e);

    [JsonIgnore]
    public IReadOnlyList<CertificationChange> Changes => History ?? [];

    public bool Holds(string storeId, string skill) => Held.Any(h => h.StoreId == storeId && h.Skill == skill);

    /// <summary>When the store's certifications were last revoked: a pass from before does not certify again.</summary>
    public DateTimeOffset? LastRevokedAt(string storeId) =>
        Changes.LastOrDefault(c => c.StoreId == storeId && c.Change == CertificationChanges.Revoked)?.At;

    public static AgentCertifications Fold(AgentCertifications? state, string agentId, IEnumerable<object> events) =>
        events.Aggregate(state ?? Empty(agentId), (s, e) => s.Step(e));

    public AgentCertifications Step(object @event) => @event switch
    {
        CertificationGranted e => this with
        {
            Held = [.. Held.Where(h => h.StoreId != e.StoreId || h.Skill != e.Skill), new HeldCertification(e.StoreId, e.Skill, e.At)],
            History = [.. Changes, new CertificationChange(e.StoreId, e.Skill, CertificationChanges.Certified, e.At, e.Reason)],
        },
        CertificationRevoked e => this with
        {
            Held = [.. Held.Where(h => h.StoreId != e.StoreId || h.Skill != e.Skill)],
            History = [.. Changes, new CertificationChange(e.StoreId, e.Skill, CertificationChanges.Revoked, e.At, e.Reason, e.ReviewIds)],
        },
        _ => this,
    };
}
