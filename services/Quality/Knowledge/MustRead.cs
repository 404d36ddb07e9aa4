using Vendor.Quality.Training;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Knowledge;

/// <summary>An agent read a critical article's version (the one in force when acknowledged).</summary>
public sealed record MustReadAcknowledged(string AgentId, string ArticleId, int Version, DateTimeOffset At);

public sealed record ReadAck(string ArticleId, int Version, DateTimeOffset At);

/// <summary>What an agent acknowledged, stream <c>reading:{agentId}</c>, kept as an inline snapshot (latest version per article).</summary>
public sealed record AgentReading(string Id, string AgentId, IReadOnlyList<ReadAck> Acks)
{
    public static string StreamKey(string agentId) => $"reading:{agentId}";

    public static AgentReading Create(MustReadAcknowledged e) => new AgentReading(StreamKey(e.AgentId), e.AgentId, []).Apply(e);

    public AgentReading Apply(MustReadAcknowledged e) =>
        this with { Acks = [.. Acks.Where(a => a.ArticleId != e.ArticleId), new ReadAck(e.ArticleId, e.Version, e.At)] };

    public int? AcknowledgedVersion(string articleId) => Acks.FirstOrDefault(a => a.ArticleId == articleId)?.Version;
}

public sealed record MustReadItem(string ArticleId, int Version, string? StoreId, string Kind, string Title, DateTimeOffset PublishedAt,
    int? AcknowledgedVersion);

public sealed record AcknowledgeMustRead(int? Version);

public sealed record MissingAck(string AgentId, DateTimeOffset Since, double HoursOutstanding, int? AcknowledgedVersion);

public sealed record ArticleCompliance(string ArticleId, int Version, string? StoreId, string Title, DateTimeOffset PublishedAt, int CertifiedAgents,
    int Acknowledged, IReadOnlyList<MissingAck> Missing);

public sealed record StoreCompliance(string StoreId, DateTimeOffset AsOf, bool AllAcknowledged, IReadOnlyList<ArticleCompliance> Articles);

/// <summary>
/// Must-read is computed, not stored: the critical articles in force that apply to a store an agent is certified for (the store's own or
/// shared), whose current version the agent has not acknowledged. A new version of a critical article is owed again.
/// </summary>
public static class MustRead
{
    private static IEnumerable<string> CertifiedStores(AgentCertifications? certifications) =>
        (certifications?.Held ?? []).Select(h => h.StoreId).Distinct();

    private static bool Critical(Article a) => a.InForce && a.Published!.Critical;

    /// <summary>Whether the article is a must-read for the agent at all (certified for a store it applies to).</summary>
    public static bool Applies(Article article, AgentCertifications? certifications) =>
        Critical(article) && CertifiedStores(certifications).Any(article.AppliesTo);

    /// <summary>Oldest first.</summary>
    public static IReadOnlyList<MustReadItem> For(AgentCertifications? certifications, IEnumerable<Article> articles, AgentReading? reading) =>
    [
        .. articles.Where(a => Applies(a, certifications))
            .Select(a => (Article: a, Current: a.Published!, Acked: reading?.AcknowledgedVersion(a.ArticleId)))
            .Where(x => x.Acked != x.Current.Version)
            .OrderBy(x => x.Current.PublishedAt).ThenBy(x => x.Article.ArticleId, StringComparer.Ordinal)
            .Select(x => new MustReadItem(x.Article.ArticleId, x.Current.Version, x.Article.StoreId, x.Article.Kind, x.Current.Title,
                x.Current.PublishedAt!.Value, x.Acked)),
    ];

    /// <summary>Records the version read; <see cref="AcknowledgeMustRead.Version"/>, when given, must be the one in force (else the agent read a stale one).</summary>
    public static Decision Acknowledge(string agentId, Article article, AgentCertifications? certifications, AgentReading? reading,
        AcknowledgeMustRead command, DateTimeOffset now)
    {
        if (!Applies(article, certifications))
            return new Decision.Conflict($"Article '{article.ArticleId}' is not a must-read for agent '{agentId}' (not critical, not in force, or not for a store the agent is certified for).");
        var current = article.Published!.Version;
        if (command.Version is { } read && read != current)
            return new Decision.Conflict($"Version {read} is not the one in force ({current}); read the current version.");
        if (reading?.AcknowledgedVersion(article.ArticleId) == current) return new Decision.Unchanged();
        return Decision.Of(new MustReadAcknowledged(agentId, article.ArticleId, current, now));
    }

    /// <summary>
    /// Per critical article in force for the store, the agents certified for it who have not acknowledged the current version, and since
    /// when they owe it: the version's publication, or the agent's certification for the store when that came later.
    /// </summary>
    public static StoreCompliance Compliance(string storeId, IEnumerable<AgentCertifications> agents, IEnumerable<Article> articles,
        IReadOnlyDictionary<string, AgentReading> readings, DateTimeOffset now)
    {
        var certified = agents
            .Select(a => (a.AgentId, Since: a.Held.Where(h => h.StoreId == storeId).Select(h => (DateTimeOffset?)h.CertifiedAt).Min()))
            .Where(a => a.Since is not null)
            .OrderBy(a => a.AgentId, StringComparer.Ordinal)
            .ToList();
        var result = articles.Where(a => Critical(a) && a.AppliesTo(storeId))
            .OrderBy(a => a.Published!.PublishedAt).ThenBy(a => a.ArticleId, StringComparer.Ordinal)
            .Select(a =>
            {
                var current = a.Published!;
                var missing = certified
                    .Select(agent => (agent, Acked: readings.GetValueOrDefault(agent.AgentId)?.AcknowledgedVersion(a.ArticleId)))
                    .Where(x => x.Acked != current.Version)
                    .Select(x =>
                    {
                        var since = x.agent.Since!.Value > current.PublishedAt!.Value ? x.agent.Since.Value : current.PublishedAt.Value;
                        return new MissingAck(x.agent.AgentId, since, Math.Round(Math.Max(0, (now - since).TotalHours), 1), x.Acked);
                    })
                    .OrderBy(m => m.Since).ThenBy(m => m.AgentId, StringComparer.Ordinal)
                    .ToList();
                return new ArticleCompliance(a.ArticleId, current.Version, a.StoreId, current.Title, current.PublishedAt!.Value, certified.Count,
                    certified.Count - missing.Count, missing);
            })
            .ToList();
        return new StoreCompliance(storeId, now, result.All(r => r.Missing.Count == 0), result);
    }
}
