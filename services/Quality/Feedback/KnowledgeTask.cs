using Vendor.ServiceDefaults;

namespace Vendor.Quality.Feedback;

public static class KnowledgeTaskStatus
{
    public const string Open = "open", Done = "done";
}

/// <summary>A store said an agent answered wrongly: the knowledge-base article involved needs correcting.</summary>
public sealed record KnowledgeTaskOpened(string TaskId, string StoreId, string FeedbackId, string? ArticleId, string? ConversationId, string Text,
    DateTimeOffset At);

public sealed record KnowledgeTaskDone(string TaskId, string By, string? Note, DateTimeOffset At);

public sealed record CompleteKnowledgeTask(string? Note);

/// <summary>
/// A task to correct the knowledge base after a store's <c>wrongAnswer</c> feedback, stream <c>kbtask:{taskId}</c>, an inline snapshot.
/// <see cref="ArticleId"/> is what the store named, when it did; the knowledge base itself is another feature's.
/// </summary>
public sealed record KnowledgeTask(string Id, string TaskId, string StoreId, string FeedbackId, string? ArticleId, string? ConversationId, string Text,
    string Status, DateTimeOffset OpenedAt, string? DoneBy, string? DoneNote, DateTimeOffset? DoneAt, long Revision)
{
    public static string StreamKey(string taskId) => $"kbtask:{taskId}";

    public static KnowledgeTask Create(KnowledgeTaskOpened e) =>
        new(StreamKey(e.TaskId), e.TaskId, e.StoreId, e.FeedbackId, e.ArticleId, e.ConversationId, e.Text, KnowledgeTaskStatus.Open, e.At, null, null,
            null, 1);

    public KnowledgeTask Apply(KnowledgeTaskDone e) => this with
    {
        Status = KnowledgeTaskStatus.Done, DoneBy = e.By, DoneNote = e.Note, DoneAt = e.At, Revision = Revision + 1,
    };

    public static Decision Complete(KnowledgeTask task, CompleteKnowledgeTask command, string by, DateTimeOffset now)
    {
        if (command.Note is not null && command.Note.Trim().Length is 0 or > FeedbackDecisions.MaxShort)
            return new Errors().Add("note", $"1–{FeedbackDecisions.MaxShort:N0} characters when given.").ToDecision();
        if (task.Status == KnowledgeTaskStatus.Done) return new Decision.Unchanged();
        return Decision.Of(new KnowledgeTaskDone(task.TaskId, by, command.Note?.Trim(), now));
    }
}
