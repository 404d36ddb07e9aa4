using Marten;
using Npgsql;
using Vendor.Quality.Agents;
using Vendor.Quality.Conversations;
using Vendor.Quality.Reviews;

namespace Vendor.Quality.Scorecards;

/// <summary>Reads what scorecards are made of: the conversation facts table (one set-based query) and the QC reviews in force.</summary>
public static class ScorecardData
{
    private sealed record ConversationTotals(int Rows, int Conversations, int Inquiries, double ResponseSecondsSum, int ResponseCount,
        double FirstResponseSecondsSum, int FirstResponses, int Rated, int Satisfied, int InquiriesConverted, int Sales);

    // Served = answered (a first response); a row without one is a conversation the agent was in but missed.
    private static async Task<Dictionary<(string, DateOnly), ConversationTotals>> ConversationsAsync(IQuerySession session,
        IReadOnlyCollection<string> agentIds, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT agent_id, date_trunc('month', local_date)::date,
                count(*), count(first_response_seconds), count(*) FILTER (WHERE kind = 'presales' AND first_response_seconds IS NOT NULL),
                COALESCE(sum(response_seconds_sum), 0), COALESCE(sum(response_count), 0),
                COALESCE(sum(first_response_seconds), 0), count(first_response_seconds),
                count(rating), count(*) FILTER (WHERE rating = 'satisfied'),
                count(*) FILTER (WHERE kind = 'presales' AND first_response_seconds IS NOT NULL AND converted),
                count(*) FILTER (WHERE converted)
            FROM {ConversationFacts.Schema}.agent_conversations
            WHERE agent_id = ANY($1) AND local_date BETWEEN $2 AND $3
            GROUP BY 1, 2
            """)
        {
            Parameters = { new() { Value = agentIds.ToArray() }, new() { Value = from }, new() { Value = to } },
        };
        var totals = new Dictionary<(string, DateOnly), ConversationTotals>();
        await using var reader = await session.ExecuteReaderAsync(command, ct);
        while (await reader.ReadAsync(ct))
            totals[(reader.GetString(0), reader.GetFieldValue<DateOnly>(1))] = new ConversationTotals(
                (int)reader.GetInt64(2), (int)reader.GetInt64(3), (int)reader.GetInt64(4), reader.GetDouble(5), (int)reader.GetInt64(6),
                reader.GetDouble(7), (int)reader.GetInt64(8), (int)reader.GetInt64(9), (int)reader.GetInt64(10), (int)reader.GetInt64(11),
                (int)reader.GetInt64(12));
        return totals;
    }

    /// <summary>The agents' reviews dated in the range, with the score and critical flag in force (corrected after a dispute).</summary>
    public static async Task<IReadOnlyList<QcReview>> ReviewsAsync(IQuerySession session, IReadOnlyCollection<string> agentIds, DateOnly from,
        DateOnly to, CancellationToken ct)
    {
        var ids = agentIds.ToArray();
        return await session.Query<QcReview>().Where(r => ids.Contains(r.AgentId) && r.LocalDate >= from && r.LocalDate <= to).ToListAsync(ct);
    }

    /// <summary>Facts per agent and month (first day) over the range; an agent-month with nothing is absent.</summary>
    public static async Task<Dictionary<(string AgentId, DateOnly Month), AgentMonthFacts>> FactsAsync(IQuerySession session,
        IReadOnlyCollection<string> agentIds, DateOnly from, DateOnly to, IReadOnlyList<QcReview> reviews, CancellationToken ct)
    {
        var conversations = await ConversationsAsync(session, agentIds, from, to, ct);
        var qc = reviews.GroupBy(r => (r.AgentId, new DateOnly(r.LocalDate.Year, r.LocalDate.Month, 1)))
            .ToDictionary(g => g.Key, g => (Count: g.Count(), Sum: g.Sum(r => r.Score)));
        return conversations.Keys.Union(qc.Keys).ToDictionary(k => k, k =>
        {
            var c = conversations.GetValueOrDefault(k) ?? new ConversationTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            var (count, sum) = qc.GetValueOrDefault(k);
            return new AgentMonthFacts(c.Rows, c.Conversations, c.Inquiries, c.ResponseSecondsSum, c.ResponseCount, c.FirstResponseSecondsSum,
                c.FirstResponses, c.Rated, c.Satisfied, c.InquiriesConverted, c.Sales, count, sum);
        });
    }

    public static async Task<IReadOnlyList<QualityAgent>> TeamAsync(IQuerySession session, string team, CancellationToken ct) =>
        await session.Query<QualityAgent>().Where(a => a.Team == team).ToListAsync(ct);

    /// <summary>The team's cards for each month from <paramref name="firstMonth"/> to <paramref name="lastMonth"/> (first days).</summary>
    public static async Task<Dictionary<DateOnly, (WeightsVersion Weights, IReadOnlyList<AgentScorecard> Cards)>> TeamCardsAsync(
        IQuerySession session, string team, IReadOnlyList<QualityAgent> members, DateOnly firstMonth, DateOnly lastMonth,
        IReadOnlyList<QcReview> reviews, CancellationToken ct)
    {
        var ids = members.Select(m => m.AgentId).ToList();
        var facts = await FactsAsync(session, ids, firstMonth, Months.Last(lastMonth), reviews, ct);
        var weights = await session.LoadAsync<TeamWeights>(TeamWeights.StreamKey(team), ct);
        var cards = new Dictionary<DateOnly, (WeightsVersion, IReadOnlyList<AgentScorecard>)>();
        for (var month = firstMonth; month <= lastMonth; month = month.AddMonths(1))
        {
            var inForce = TeamWeights.InForce(weights, month);
            var byAgent = ids.ToDictionary(id => id, id => facts.GetValueOrDefault((id, month)) ?? AgentMonthFacts.None);
            cards[month] = (inForce, Scoring.ForTeam(team, month, inForce, byAgent));
        }
        return cards;
    }
}
