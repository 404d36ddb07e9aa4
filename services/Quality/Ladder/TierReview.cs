using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using JasperFx.Events;
using Vendor.Quality.Agents;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Ladder;

/// <summary>A half-year: H1 is January to June, H2 July to December.</summary>
public sealed partial record ReviewPeriod(int Year, int Half)
{
    [GeneratedRegex("^([0-9]{4})-H([12])$")]
    private static partial Regex Pattern();

    public static ReviewPeriod? Parse(string? text) =>
        text is not null && Pattern().Match(text) is { Success: true } m && int.Parse(m.Groups[1].Value) is >= 2000 and <= 2100 and var year
            ? new ReviewPeriod(year, int.Parse(m.Groups[2].Value))
            : null;

    public DateOnly Start => new(Year, Half == 1 ? 1 : 7, 1);

    public DateOnly End => Start.AddMonths(6).AddDays(-1);

    public override string ToString() => $"{Year}-H{Half}";
}

public sealed record TierProposal(string AgentId, string Name, string Team, string From, string To, string Outcome, double? Score,
    int MonthsWithData, IReadOnlyList<RuleResult> Rules, string Status, string? DecidedBy = null, string? TalkNotes = null,
    string? Reason = null, DateTimeOffset? DecidedAt = null)
{
    public string FromName => Tiers.Name(From);
    public string ToName => Tiers.Name(To);
}

public static class ProposalStatus
{
    public const string Pending = "pending", Approved = "approved", Rejected = "rejected";

    /// <summary>Who "approved" a promotion whose step needs no lead's approval.</summary>
    public const string ByLadder = "ladder-rules";
}

public sealed record TierReviewOpened(string ReviewId, string Period, string? Team, DateOnly AsOf, IReadOnlyList<TierProposal> Proposals,
    DateTimeOffset At);

public sealed record TierProposalApproved(string ReviewId, string AgentId, string LeadId, string TalkNotes, DateTimeOffset At);

public sealed record TierProposalRejected(string ReviewId, string AgentId, string LeadId, string Reason, DateTimeOffset At);

/// <summary>A half-yearly tier review of one team or of everyone, stream <c>tier-review:{reviewId}</c>, kept as an inline snapshot.</summary>
public sealed record TierReview(string Id, string ReviewId, string Period, string? Team, DateOnly AsOf, DateTimeOffset OpenedAt,
    IReadOnlyList<TierProposal> Proposals, long Version)
{
    public static string StreamKey(string reviewId) => $"tier-review:{reviewId}";

    /// <summary>
    /// One review per period and team, so the id is derived from them: a second POST finds the first. A team that is not a plain id
    /// (Chinese names, spaces) is hashed to keep the id a route segment.
    /// </summary>
    public static string IdFor(ReviewPeriod period, string? team) =>
        team is null ? $"{period}" : Ids.IsValid(team) ? $"{period}.{team}"
            : $"{period}.{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(team)))[..12]}";

    public static TierReview Create(IEvent<TierReviewOpened> e) =>
        new(e.StreamKey!, e.Data.ReviewId, e.Data.Period, e.Data.Team, e.Data.AsOf, e.Data.At, e.Data.Proposals, e.Version);

    public TierReview Apply(IEvent<TierProposalApproved> e) => Decided(e.Data.AgentId, e.Version,
        p => p with { Status = ProposalStatus.Approved, DecidedBy = e.Data.LeadId, TalkNotes = e.Data.TalkNotes, DecidedAt = e.Data.At });

    public TierReview Apply(IEvent<TierProposalRejected> e) => Decided(e.Data.AgentId, e.Version,
        p => p with { Status = ProposalStatus.Rejected, DecidedBy = e.Data.LeadId, Reason = e.Data.Reason, DecidedAt = e.Data.At });

    private TierReview Decided(string agentId, long version, Func<TierProposal, TierProposal> change) =>
        this with { Proposals = [.. Proposals.Select(p => p.AgentId == agentId ? change(p) : p)], Version = version };

    public TierProposal? Proposal(string agentId) => Proposals.FirstOrDefault(p => p.AgentId == agentId);
}

/// <summary>The body of POST /api/quality/tier-reviews.</summary>
public sealed record OpenTierReview(string? Period, string? Team);

/// <summary>The body of POST .../approve: the lead and the notes of the post-review talk (面谈).</summary>
public sealed record ApproveProposal(string? LeadId, string? TalkNotes);

public sealed record RejectProposal(string? LeadId, string? Reason);

public static class TierReviewDecisions
{
    public const int MaxNotesLength = 4000;

    /// <summary>The review's proposals: each agent's standing against the ladder. A promotion whose step needs no approval is approved at once.</summary>
    public static TierReviewOpened Open(string reviewId, ReviewPeriod period, string? team, DateOnly asOf, LadderRules rules,
        IReadOnlyList<(QualityAgent Agent, Standing Standing)> agents, DateTimeOffset now)
    {
        var proposals = agents.OrderBy(a => a.Agent.AgentId, StringComparer.Ordinal).Select(a =>
        {
            var proposed = LadderEvaluation.Propose(rules, a.Standing);
            var automatic = proposed.Outcome == Outcomes.Promote && rules.Step(proposed.To) is { RequiresApproval: false };
            return new TierProposal(a.Agent.AgentId, a.Agent.Name, a.Agent.Team, proposed.From, proposed.To, proposed.Outcome, a.Standing.Score,
                a.Standing.MonthsWithData, proposed.Rules, automatic ? ProposalStatus.Approved : ProposalStatus.Pending,
                automatic ? ProposalStatus.ByLadder : null, DecidedAt: automatic ? now : null);
        }).ToList();
        return new TierReviewOpened(reviewId, period.ToString(), team, asOf, proposals, now);
    }

    /// <summary>What a decided proposal does to the agent's stream: the tier change (not for "keep") and the talk notes.</summary>
    public static IReadOnlyList<object> AgentEffects(string reviewId, string period, TierProposal proposal, string approvedBy, string? talkNotes,
        DateTimeOffset now)
    {
        var effects = new List<object>();
        if (proposal.Outcome != Outcomes.Keep)
            effects.Add(new TierChanged(proposal.AgentId, proposal.From, proposal.To, reviewId, period, approvedBy, now));
        if (!string.IsNullOrWhiteSpace(talkNotes))
            effects.Add(new TalkNoteRecorded(proposal.AgentId, reviewId, period, approvedBy, talkNotes, now));
        return effects;
    }

    public static Decision Approve(TierReview review, QualityAgent agent, ApproveProposal command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(command.LeadId), "leadId", $"Required: {Ids.Rule}.")
            .Check(!string.IsNullOrWhiteSpace(command.TalkNotes) && command.TalkNotes.Trim().Length <= MaxNotesLength, "talkNotes",
                $"Required: the notes of the post-review talk (面谈), at most {MaxNotesLength} characters.");
        if (errors.Any) return errors.ToDecision();
        var proposal = review.Proposal(agent.AgentId)!;
        var notes = command.TalkNotes!.Trim();
        if (proposal.Status == ProposalStatus.Approved)
            return proposal.DecidedBy == command.LeadId && proposal.TalkNotes == notes
                ? new Decision.Unchanged()
                : new Decision.Conflict($"The proposal for '{agent.AgentId}' was already approved by {proposal.DecidedBy}.");
        if (proposal.Status == ProposalStatus.Rejected)
            return new Decision.Conflict($"The proposal for '{agent.AgentId}' was rejected by {proposal.DecidedBy}.");
        if (proposal.Outcome != Outcomes.Keep && agent.Tier != proposal.From)
            return new Decision.Conflict(
                $"'{agent.AgentId}' is {agent.Tier} now, not {proposal.From} as when the review was opened; open a new review.");
        if (proposal.Outcome != Outcomes.Keep && agent.History.FirstOrDefault(h => h.Period == review.Period) is { } earlier)
            return new Decision.Conflict(
                $"'{agent.AgentId}' already changed tier for {review.Period} (review {earlier.ReviewId}): one change per agent and period.");
        return Decision.Of(new TierProposalApproved(review.ReviewId, agent.AgentId, command.LeadId!, notes, now));
    }

    public static Decision Reject(TierReview review, string agentId, RejectProposal command, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(command.LeadId), "leadId", $"Required: {Ids.Rule}.")
            .Check(!string.IsNullOrWhiteSpace(command.Reason) && command.Reason.Trim().Length <= MaxNotesLength, "reason",
                $"Required, at most {MaxNotesLength} characters.");
        if (errors.Any) return errors.ToDecision();
        var proposal = review.Proposal(agentId)!;
        var reason = command.Reason!.Trim();
        if (proposal.Status == ProposalStatus.Rejected)
            return proposal.DecidedBy == command.LeadId && proposal.Reason == reason
                ? new Decision.Unchanged()
                : new Decision.Conflict($"The proposal for '{agentId}' was already rejected by {proposal.DecidedBy}.");
        if (proposal.Status == ProposalStatus.Approved)
            return new Decision.Conflict($"The proposal for '{agentId}' was already approved by {proposal.DecidedBy}.");
        return Decision.Of(new TierProposalRejected(review.ReviewId, agentId, command.LeadId!, reason, now));
    }
}
