namespace Vendor.Quality.Feedback;

public static class FeedbackKinds
{
    public const string Complaint = "complaint", WrongAnswer = "wrongAnswer", Process = "process", Praise = "praise";
    public static readonly IReadOnlyList<string> All = [Complaint, WrongAnswer, Process, Praise];

    /// <summary>Kinds that, naming a conversation, put it at the head of the QC queue.</summary>
    public static bool IsRiskPick(string kind) => kind is Complaint or WrongAnswer;
}

public static class FeedbackSeverities
{
    public const string Critical = "critical", Normal = "normal";
    public static readonly IReadOnlyList<string> All = [Critical, Normal];
}

public static class FeedbackStatus
{
    public const string Open = "open", Assigned = "assigned", Resolved = "resolved";

    /// <summary>What <c>?status=</c> accepts: a status, or <c>unresolved</c> (open or assigned).</summary>
    public const string Unresolved = "unresolved";
    public static readonly IReadOnlyList<string> Filters = [Open, Assigned, Resolved, Unresolved];
}

public sealed record FeedbackReceived(string FeedbackId, string StoreId, string Kind, string Severity, string? ConversationId, string? AgentId,
    string? ArticleId, string Text, string FiledBy, DateTimeOffset At, DateTimeOffset DueAt, string? KnowledgeTaskId);

public sealed record FeedbackAssigned(string FeedbackId, string Assignee, string? Note, string By, DateTimeOffset At);

/// <summary>An answer the store sees.</summary>
public sealed record FeedbackResponded(string FeedbackId, string Text, string By, DateTimeOffset At);

public sealed record FeedbackResolved(string FeedbackId, string StoreId, string Action, string? Note, string By, DateTimeOffset At);

/// <summary>The store was not satisfied: the item is open again with a new due time counted from the reopening.</summary>
public sealed record FeedbackReopened(string FeedbackId, string StoreId, string Reason, string By, DateTimeOffset At, DateTimeOffset DueAt);

/// <summary>The item passed this due time unresolved; appended once per due time (published as StoreFeedbackOverdue).</summary>
public sealed record FeedbackOverdueFlagged(string FeedbackId, string StoreId, string Kind, string Severity, DateTimeOffset DueAt, string Summary,
    DateTimeOffset At);

/// <summary>An item flagged overdue was resolved (published as StoreFeedbackSettled: Staffing resolves its alert).</summary>
public sealed record FeedbackSettled(string FeedbackId, string StoreId, DateTimeOffset At);

public sealed record FeedbackResponse(string Text, string By, DateTimeOffset At);

public sealed record FeedbackNote(string Text, string By, DateTimeOffset At);

public sealed record FeedbackReopening(string Reason, DateTimeOffset At, DateTimeOffset DueAt, string? PreviousAction);

/// <summary>
/// One piece of a store's feedback from receipt to resolution, stream <c>feedback:{feedbackId}</c>, an inline snapshot.
/// <see cref="DueAt"/> is the due time in force (from the receipt, or from the last reopening). <see cref="Overdue"/>: that due time
/// was flagged; <see cref="Unsettled"/>: flagged and not resolved since; <see cref="Late"/>: some due time was missed (flagged, or
/// resolved after it). <see cref="Assignee"/>, <see cref="Notes"/> and <see cref="FiledBy"/> are internal: the store never sees them.
/// <see cref="Revision"/> counts the events (the stream version, for ETags).
/// </summary>
public sealed record FeedbackItem(string Id, string FeedbackId, string StoreId, string Kind, string Severity, string? ConversationId,
    string? AgentId, string? ArticleId, string Text, string FiledBy, DateTimeOffset ReceivedAt, DateTimeOffset DueAt, string Status,
    string? Assignee, IReadOnlyList<FeedbackResponse> Responses, IReadOnlyList<FeedbackNote> Notes, string? Action, DateTimeOffset? ResolvedAt,
    IReadOnlyList<FeedbackReopening> Reopenings, bool Overdue, bool Unsettled, bool Late, DateTimeOffset? FlaggedDueAt, string? KnowledgeTaskId,
    long Revision)
{
    public static string StreamKey(string feedbackId) => $"feedback:{feedbackId}";

    public static FeedbackItem Create(FeedbackReceived e) =>
        new(StreamKey(e.FeedbackId), e.FeedbackId, e.StoreId, e.Kind, e.Severity, e.ConversationId, e.AgentId, e.ArticleId, e.Text, e.FiledBy,
            e.At, e.DueAt, FeedbackStatus.Open, null, [], [], null, null, [], false, false, false, null, e.KnowledgeTaskId, 1);

    public FeedbackItem Apply(FeedbackAssigned e) => this with
    {
        Assignee = e.Assignee,
        Status = Status == FeedbackStatus.Resolved ? Status : FeedbackStatus.Assigned,
        Notes = e.Note is null ? Notes : [.. Notes, new FeedbackNote(e.Note, e.By, e.At)],
        Revision = Revision + 1,
    };

    public FeedbackItem Apply(FeedbackResponded e) => this with { Responses = [.. Responses, new FeedbackResponse(e.Text, e.By, e.At)], Revision = Revision + 1 };

    public FeedbackItem Apply(FeedbackResolved e) => this with
    {
        Status = FeedbackStatus.Resolved, Action = e.Action, ResolvedAt = e.At, Late = Late || e.At > DueAt,
        Notes = e.Note is null ? Notes : [.. Notes, new FeedbackNote(e.Note, e.By, e.At)],
        Revision = Revision + 1,
    };

    public FeedbackItem Apply(FeedbackReopened e) => this with
    {
        Status = Assignee is null ? FeedbackStatus.Open : FeedbackStatus.Assigned, DueAt = e.DueAt, Overdue = false,
        Reopenings = [.. Reopenings, new FeedbackReopening(e.Reason, e.At, e.DueAt, Action)], Action = null, ResolvedAt = null,
        Revision = Revision + 1,
    };

    public FeedbackItem Apply(FeedbackOverdueFlagged e) => this with
    {
        Overdue = true, Unsettled = true, Late = true, FlaggedDueAt = e.DueAt, Revision = Revision + 1,
    };

    public FeedbackItem Apply(FeedbackSettled e) => this with { Unsettled = false, Revision = Revision + 1 };

    public bool IsResolved => Status == FeedbackStatus.Resolved;

    /// <summary>Past its due time unresolved now (whether the sweep flagged it yet or not).</summary>
    public bool PastDue(DateTimeOffset now) => !IsResolved && now >= DueAt;
}

/// <summary>What a store sees of its feedback: responses and the action taken, never the assignee, internal notes or who filed it.</summary>
public sealed record StoreFeedbackView(string FeedbackId, string StoreId, string Kind, string Severity, string? ConversationId, string? AgentId,
    string? ArticleId, string Text, string Status, DateTimeOffset ReceivedAt, DateTimeOffset DueAt, bool Overdue,
    IReadOnlyList<StoreFeedbackResponse> Responses, string? Action, DateTimeOffset? ResolvedAt, IReadOnlyList<StoreFeedbackReopening> Reopenings)
{
    public static StoreFeedbackView Of(FeedbackItem f, DateTimeOffset now) =>
        new(f.FeedbackId, f.StoreId, f.Kind, f.Severity, f.ConversationId, f.AgentId, f.ArticleId, f.Text, f.Status, f.ReceivedAt, f.DueAt,
            f.PastDue(now), [.. f.Responses.Select(r => new StoreFeedbackResponse(r.Text, r.At))], f.Action, f.ResolvedAt,
            [.. f.Reopenings.Select(r => new StoreFeedbackReopening(r.Reason, r.At, r.DueAt))]);
}

public sealed record StoreFeedbackResponse(string Text, DateTimeOffset At);

public sealed record StoreFeedbackReopening(string Reason, DateTimeOffset At, DateTimeOffset DueAt);
