namespace Vendor.Quality.Conversations;

/// <summary>
/// What Quality keeps of each conversation Agreements recorded: one row per (conversation, agent who answered in it), in a plain
/// table fed by ConversationsRecorded (5,000 conversations a second arrive as 500-conversation messages). A row is replaced only
/// by a later revision of its conversation. Scorecards read it per agent and month; sampling writes its decision beside it.
/// </summary>
public static class ConversationFacts
{
    public const string Schema = "quality";

    public static readonly string CreateTables = $"""
        CREATE SCHEMA IF NOT EXISTS {Schema};
        CREATE TABLE IF NOT EXISTS {Schema}.agent_conversations (
            store_id text NOT NULL, conversation_id text NOT NULL, agent_id text NOT NULL,
            revision int NOT NULL, local_date date NOT NULL, started_at timestamptz NOT NULL,
            channel text NOT NULL, kind text NOT NULL, message_count int NOT NULL,
            first_response_seconds double precision NULL,
            response_seconds_sum double precision NOT NULL, response_count int NOT NULL,
            missed boolean NOT NULL, slow boolean NOT NULL, resolved boolean NOT NULL,
            rating text NULL, converted boolean NOT NULL,
            decided_at timestamptz NOT NULL,
            PRIMARY KEY (store_id, conversation_id, agent_id));
        CREATE INDEX IF NOT EXISTS agent_conversations_by_agent ON {Schema}.agent_conversations (agent_id, local_date);
        CREATE TABLE IF NOT EXISTS {Schema}.samples (
            store_id text NOT NULL, conversation_id text NOT NULL, agent_id text NOT NULL,
            local_date date NOT NULL, started_at timestamptz NOT NULL,
            reason text NOT NULL, risk_score double precision NOT NULL, risk_reasons text[] NOT NULL,
            inspector_id text NULL, sampled_at timestamptz NOT NULL,
            review_id text NULL,
            PRIMARY KEY (store_id, conversation_id, agent_id));
        CREATE INDEX IF NOT EXISTS samples_pending ON {Schema}.samples (sampled_at) WHERE review_id IS NULL;
        """;
}
