using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Vendor.Quality.Inspectors;

namespace Vendor.Quality.Conversations;

/// <summary>
/// How much of each risk raises the chance that an agent's conversation is picked for QC (1 = always picked). Summed over the
/// risks found, capped at 1.
/// </summary>
public sealed record RiskWeights(double Unsatisfied, double Complaint, double Missed, double Refund, double Slow)
{
    public static readonly RiskWeights Default = new(Unsatisfied: 1.0, Complaint: 1.0, Missed: 0.5, Refund: 0.2, Slow: 0.1);
}

/// <summary>
/// The QC sampling policy: a random share of every agent's conversations of every day, plus risk-weighted picks. Decisions are a
/// keyed hash of (seed, store, conversation, agent), so the same seed always picks the same conversations whatever order and
/// however often they arrive: a sample can be reproduced and audited.
/// </summary>
public sealed record SamplingPolicy(string Seed, double RandomShare, RiskWeights Weights, IReadOnlyList<string> RefundWords,
    IReadOnlyList<string> ComplaintWords)
{
    public static readonly SamplingPolicy Default = new("vendor-qc-2026", 0.05, RiskWeights.Default,
        ["退款", "退货", "退钱", "仅退款", "退换", "refund"],
        ["投诉", "差评", "举报", "12315", "骗子", "垃圾", "欺诈", "complain"]);
}

public static class SampleReasons
{
    public const string Risk = "risk", Random = "random";
    public const string Unsatisfied = "unsatisfied", Complaint = "complaint", Missed = "missed", Refund = "refund", Slow = "slow";
}

public sealed record SampleDecision(string AgentId, string Reason, double RiskScore, IReadOnlyList<string> RiskReasons);

public static class Sampling
{
    /// <summary>The risks a conversation shows and their summed weight (capped at 1).</summary>
    public static (double Score, IReadOnlyList<string> Reasons) Risk(SamplingPolicy policy, Contracts.ConversationRecorded c)
    {
        var reasons = new List<string>();
        var score = 0.0;
        void Add(bool found, string reason, double weight)
        {
            if (!found || weight <= 0) return;
            reasons.Add(reason);
            score += weight;
        }
        var text = c.CustomerText ?? "";
        Add(c.Rating == "unsatisfied", SampleReasons.Unsatisfied, policy.Weights.Unsatisfied);
        Add(ContainsAny(text, policy.ComplaintWords), SampleReasons.Complaint, policy.Weights.Complaint);
        Add(c.Missed, SampleReasons.Missed, policy.Weights.Missed);
        Add(ContainsAny(text, policy.RefundWords), SampleReasons.Refund, policy.Weights.Refund);
        Add(c.Slow, SampleReasons.Slow, policy.Weights.Slow);
        return (Math.Min(1, score), reasons);
    }

    /// <summary>Whether this agent's part of the conversation is sampled, and why; null when it is not.</summary>
    public static SampleDecision? Decide(SamplingPolicy policy, Contracts.ConversationRecorded c, string agentId)
    {
        var (score, reasons) = Risk(policy, c);
        if (score > 0 && Uniform(policy.Seed, "risk", c.StoreId, c.ConversationId, agentId) < score)
            return new SampleDecision(agentId, SampleReasons.Risk, score, reasons);
        return Uniform(policy.Seed, "random", c.StoreId, c.ConversationId, agentId) < policy.RandomShare
            ? new SampleDecision(agentId, SampleReasons.Random, score, reasons)
            : null;
    }

    /// <summary>
    /// The inspector a sample goes to: the highest hash among the active inspectors covering the store (rendezvous hashing, so
    /// adding an inspector moves only the share that becomes theirs). Null when nobody covers the store.
    /// </summary>
    public static string? AssignInspector(string seed, IEnumerable<Inspector> inspectors, string storeId, string conversationId, string agentId) =>
        inspectors.Where(i => i.Active && i.Covers(storeId))
            .Select(i => (i.InspectorId, Weight: Uniform(seed, "assign", storeId, conversationId, agentId, i.InspectorId)))
            .OrderByDescending(x => x.Weight).ThenBy(x => x.InspectorId, StringComparer.Ordinal)
            .Select(x => x.InspectorId).FirstOrDefault();

    /// <summary>A number in [0, 1) fixed by its inputs (SHA-256, so it is the same on every machine and release).</summary>
    public static double Uniform(params string[] parts)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts)), hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }

    private static bool ContainsAny(string text, IReadOnlyList<string> words) =>
        text.Length > 0 && words.Any(w => w.Length > 0 && text.Contains(w, StringComparison.OrdinalIgnoreCase));
}
