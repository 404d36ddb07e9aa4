using Vendor.ServiceDefaults.OpenApi;
using System.ComponentModel;
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
[Description("店铺看到的一条反馈。 / A piece of feedback as the store sees it.")]
public sealed record StoreFeedbackView(
    [property: Description("反馈 ID。 / The feedback's id.")] string FeedbackId,
    [property: Description("店铺 ID。 / The store's id.")] string StoreId,
    [property: Description("类型：complaint、wrongAnswer、process 或 praise。 / The kind: complaint, wrongAnswer, process or praise.")] string Kind,
    [property: Description("紧急程度：critical 或 normal。 / The severity: critical or normal.")] string Severity,
    [property: Description("相关对话 ID。 / The conversation it is about.")] string? ConversationId,
    [property: Description("相关客服 ID。 / The agent it is about.")] string? AgentId,
    [property: Description("相关文章 ID。 / The article it is about.")] string? ArticleId,
    [property: Description("反馈内容。 / What the store wrote.")] string Text,
    [property: Description("状态：open、assigned 或 resolved。 / The status: open, assigned or resolved.")] string Status,
    [property: Description("受理时间。 / When it was received.")] DateTimeOffset ReceivedAt,
    [property: Description("处理期限。 / When it is due.")] DateTimeOffset DueAt,
    [property: Description("是否已超期未解决。 / Whether it is past due unresolved.")] bool Overdue,
    [property: Description("服务商给店铺的回复。 / The vendor's responses to the store.")] IReadOnlyList<StoreFeedbackResponse> Responses,
    [property: Description("解决时采取的措施。 / The action taken when resolved.")] string? Action,
    [property: Description("解决时间。 / When it was resolved.")] DateTimeOffset? ResolvedAt,
    [property: Description("店铺重新打开的记录。 / The store's reopenings.")] IReadOnlyList<StoreFeedbackReopening> Reopenings) : IExample<StoreFeedbackView>
{
    public static StoreFeedbackView Example => new("fb-0193b7c2a1d47e0f8c2b5d6e7f8a9b0c", StoreApi.StoreIdExample, "wrongAnswer", "critical",
        "tb-20261118-000123", "agent-lin", "kb-return-policy", "客服告诉买家定制茶礼盒支持七天无理由退货，但定制商品不支持，请纠正话术。", "resolved",
        new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.FromHours(8)), new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.FromHours(8)).AddHours(4), false, [new StoreFeedbackResponse("已核实，已对该客服进行话术辅导。", new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.FromHours(8)).AddHours(1))],
        "更新了退货政策文章并通知全组客服。", new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.FromHours(8)).AddHours(2), []);

    public static StoreFeedbackView Of(FeedbackItem f, DateTimeOffset now) =>
        new(f.FeedbackId, f.StoreId, f.Kind, f.Severity, f.ConversationId, f.AgentId, f.ArticleId, f.Text, f.Status, f.ReceivedAt, f.DueAt,
            f.PastDue(now), [.. f.Responses.Select(r => new StoreFeedbackResponse(r.Text, r.At))], f.Action, f.ResolvedAt,
            [.. f.Reopenings.Select(r => new StoreFeedbackReopening(r.Reason, r.At, r.DueAt))]);
}

[Description("服务商给店铺的一条回复。 / One response of the vendor to the store.")]
public sealed record StoreFeedbackResponse(
    [property: Description("回复内容。 / The response.")] string Text,
    [property: Description("回复时间。 / When it was given.")] DateTimeOffset At);

[Description("店铺重新打开反馈的一次记录。 / One reopening of the feedback by the store.")]
public sealed record StoreFeedbackReopening(
    [property: Description("重新打开的理由。 / Why it was reopened.")] string Reason,
    [property: Description("重新打开的时间。 / When it was reopened.")] DateTimeOffset At,
    [property: Description("重新打开后的处理期限。 / When it is due again.")] DateTimeOffset DueAt);
