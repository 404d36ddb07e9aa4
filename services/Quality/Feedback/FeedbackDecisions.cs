using Vendor.ServiceDefaults.OpenApi;
using System.ComponentModel;
using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Feedback;

/// <summary>The body of POST /api/quality/stores/{storeId}/feedback.</summary>
[Description("店铺提交的反馈。 / Feedback a store files.")]
public sealed record FileFeedback(
    [property: Description("类型：complaint（投诉）、wrongAnswer（答错）、process（流程）或 praise（表扬）。 / The kind: complaint, wrongAnswer, process or praise.")] string? Kind,
    [property: Description("紧急程度：critical 或 normal。 / The severity: critical or normal.")] string? Severity,
    [property: Description("相关对话 ID（可选）。 / The conversation it is about (optional).")] string? ConversationId,
    [property: Description("相关客服 ID（可选）。 / The agent it is about (optional).")] string? AgentId,
    [property: Description("相关知识库文章 ID（可选，答错时有用）。 / The knowledge-base article it is about (optional; useful with wrongAnswer).")] string? ArticleId,
    [property: Description("反馈内容。 / What the store has to say.")] string? Text) : IExample<FileFeedback>
{
    public static FileFeedback Example => new("wrongAnswer", "critical", "tb-20261118-000123", "agent-lin", "kb-return-policy",
        "客服告诉买家定制茶礼盒支持七天无理由退货，但定制商品不支持，请纠正话术。");
}

public sealed record AssignFeedback(string? Assignee, string? Note);

public sealed record RespondToFeedback(string? Text);

public sealed record ResolveFeedback(string? Action, string? Note);

[Description("重新打开已解决反馈的理由。 / Why resolved feedback is reopened.")]
public sealed record ReopenFeedback(
    [property: Description("重新打开的理由。 / Why it is reopened.")] string? Reason) : IExample<ReopenFeedback>
{
    public static ReopenFeedback Example => new("同样的问题昨天又出现了，买家再次被告知可以退货。");
}

public sealed record SetFeedbackDueHours(double? CriticalHours, double? NormalHours);

public sealed record FeedbackDueHoursSet(string StoreId, double CriticalHours, double NormalHours, DateTimeOffset At);

/// <summary>
/// How long a store's feedback may take, per its contract (stream <c>feedback-settings:{storeId}</c>); absent: 4 hours for critical,
/// 48 for normal. Counted in wall-clock time (nights and holidays count).
/// </summary>
public sealed record FeedbackSettings(string Id, string StoreId, double CriticalHours, double NormalHours, DateTimeOffset? SetAt, long Revision)
{
    public const double DefaultCriticalHours = 4, DefaultNormalHours = 48;

    /// <summary>Fractional hours are allowed down to this (3.6 seconds): a contract may promise minutes; tests need seconds.</summary>
    public const double MinHours = 0.001, MaxHours = 24 * 90;

    public static string StreamKey(string storeId) => $"feedback-settings:{storeId}";

    public static FeedbackSettings Default(string storeId) => new(StreamKey(storeId), storeId, DefaultCriticalHours, DefaultNormalHours, null, 0);

    public static FeedbackSettings Create(IEvent<FeedbackDueHoursSet> e) =>
        new(e.StreamKey!, e.Data.StoreId, e.Data.CriticalHours, e.Data.NormalHours, e.Data.At, 1);

    public FeedbackSettings Apply(FeedbackDueHoursSet e) => this with
    {
        CriticalHours = e.CriticalHours, NormalHours = e.NormalHours, SetAt = e.At, Revision = Revision + 1,
    };

    public TimeSpan DueWithin(string severity) => TimeSpan.FromHours(severity == FeedbackSeverities.Critical ? CriticalHours : NormalHours);

    /// <summary>Due time of feedback of this severity received (or reopened) at <paramref name="from"/>: wall clock, no calendar.</summary>
    public DateTimeOffset DueAt(string severity, DateTimeOffset from) => from + DueWithin(severity);
}

public static class FeedbackDecisions
{
    public const int MaxText = 4000, MaxShort = 2000;

    public static Decision SetDueHours(string storeId, FeedbackSettings? current, SetFeedbackDueHours command, DateTimeOffset now)
    {
        static bool InRange(double? h) => h is { } x && double.IsFinite(x) && x >= FeedbackSettings.MinHours && x <= FeedbackSettings.MaxHours;
        var rule = $"Hours from {FeedbackSettings.MinHours} to {FeedbackSettings.MaxHours} (fractions allowed).";
        var errors = new Errors()
            .Check(Ids.IsValid(storeId), "storeId", Ids.Rule)
            .Check(InRange(command.CriticalHours), "criticalHours", rule)
            .Check(InRange(command.NormalHours), "normalHours", rule);
        if (!errors.Any) errors.Check(command.CriticalHours <= command.NormalHours, "criticalHours", "Critical feedback cannot be given longer than normal feedback.");
        if (errors.Any) return errors.ToDecision();
        if (current is not null && current.CriticalHours == command.CriticalHours && current.NormalHours == command.NormalHours) return new Decision.Unchanged();
        return Decision.Of(new FeedbackDueHoursSet(storeId, command.CriticalHours!.Value, command.NormalHours!.Value, now));
    }

    /// <summary>Validates the store's feedback and fixes its due time from the store's settings.</summary>
    public static Decision Receive(string storeId, FileFeedback command, FeedbackSettings settings, string feedbackId, string filedBy,
        Func<string> newTaskId, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(Ids.IsValid(storeId), "storeId", Ids.Rule)
            .Check(command.Kind is not null && FeedbackKinds.All.Contains(command.Kind), "kind", $"One of: {string.Join(", ", FeedbackKinds.All)}.")
            .Check(command.Severity is not null && FeedbackSeverities.All.Contains(command.Severity), "severity",
                $"One of: {string.Join(", ", FeedbackSeverities.All)}.")
            .Check(command.ConversationId is null || command.ConversationId.Trim().Length is > 0 and <= 128, "conversationId", "1–128 characters when given.")
            .Check(command.AgentId is null || Ids.IsValid(command.AgentId), "agentId", Ids.Rule)
            .Check(command.ArticleId is null || Ids.IsValid(command.ArticleId), "articleId", Ids.Rule)
            .Check(!string.IsNullOrWhiteSpace(command.Text) && command.Text.Trim().Length <= MaxText, "text", $"Required: 1–{MaxText:N0} characters.");
        if (errors.Any) return errors.ToDecision();
        var taskId = command.Kind == FeedbackKinds.WrongAnswer ? newTaskId() : null;
        var received = new FeedbackReceived(feedbackId, storeId, command.Kind!, command.Severity!, command.ConversationId?.Trim(), command.AgentId,
            command.ArticleId, command.Text!.Trim(), filedBy, now, settings.DueAt(command.Severity!, now), taskId);
        return taskId is null
            ? Decision.Of(received)
            : Decision.Of(received, new KnowledgeTaskOpened(taskId, storeId, feedbackId, command.ArticleId, received.ConversationId, received.Text, now));
    }

    public static Decision Assign(FeedbackItem item, AssignFeedback command, string by, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(!string.IsNullOrWhiteSpace(command.Assignee) && command.Assignee.Trim().Length <= 100, "assignee", "Required: 1–100 characters.")
            .Check(command.Note is null || command.Note.Trim().Length is > 0 and <= MaxShort, "note", $"1–{MaxShort:N0} characters when given.");
        if (errors.Any) return errors.ToDecision();
        if (item.IsResolved) return new Decision.Conflict("The feedback is resolved; the store may reopen it.");
        if (item.Assignee == command.Assignee!.Trim() && command.Note is null) return new Decision.Unchanged();
        return Decision.Of(new FeedbackAssigned(item.FeedbackId, command.Assignee.Trim(), command.Note?.Trim(), by, now));
    }

    public static Decision Respond(FeedbackItem item, RespondToFeedback command, string by, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(command.Text) || command.Text.Trim().Length > MaxText)
            return new Errors().Add("text", $"Required: 1–{MaxText:N0} characters.").ToDecision();
        if (item.Responses.Count > 0 && item.Responses[^1].Text == command.Text.Trim()) return new Decision.Unchanged();
        if (item.IsResolved) return new Decision.Conflict("The feedback is resolved; the store may reopen it.");
        return Decision.Of(new FeedbackResponded(item.FeedbackId, command.Text.Trim(), by, now));
    }

    /// <summary>Resolving with the action taken; an item that was flagged overdue is settled in the same step (its alert resolves).</summary>
    public static Decision Resolve(FeedbackItem item, ResolveFeedback command, string by, DateTimeOffset now)
    {
        var errors = new Errors()
            .Check(!string.IsNullOrWhiteSpace(command.Action) && command.Action.Trim().Length <= MaxShort, "action", $"Required: the action taken, 1–{MaxShort:N0} characters.")
            .Check(command.Note is null || command.Note.Trim().Length is > 0 and <= MaxShort, "note", $"1–{MaxShort:N0} characters when given.");
        if (errors.Any) return errors.ToDecision();
        if (item.IsResolved)
            return item.Action == command.Action!.Trim() ? new Decision.Unchanged() : new Decision.Conflict("The feedback is resolved already.");
        var resolved = new FeedbackResolved(item.FeedbackId, item.StoreId, command.Action!.Trim(), command.Note?.Trim(), by, now);
        return item.Unsettled ? Decision.Of(resolved, new FeedbackSettled(item.FeedbackId, item.StoreId, now)) : Decision.Of(resolved);
    }

    /// <summary>The store reopens resolved feedback; it is due again, counted from now with the store's settings.</summary>
    public static Decision Reopen(FeedbackItem item, ReopenFeedback command, FeedbackSettings settings, string by, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(command.Reason) || command.Reason.Trim().Length > MaxShort)
            return new Errors().Add("reason", $"Required: why it is not resolved, 1–{MaxShort:N0} characters.").ToDecision();
        if (!item.IsResolved)
            return item.Reopenings.Count > 0 && item.Reopenings[^1].Reason == command.Reason.Trim()
                ? new Decision.Unchanged()
                : new Decision.Conflict("The feedback is not resolved: only resolved feedback can be reopened.");
        return Decision.Of(new FeedbackReopened(item.FeedbackId, item.StoreId, command.Reason.Trim(), by, now, settings.DueAt(item.Severity, now)));
    }

    /// <summary>Flags an unresolved item past its due time, once per due time (a reopened item can be flagged again for its new one).</summary>
    public static Decision FlagOverdue(FeedbackItem? item, DateTimeOffset now)
    {
        if (item is null || item.IsResolved || now < item.DueAt || item.FlaggedDueAt == item.DueAt) return new Decision.Unchanged();
        return Decision.Of(new FeedbackOverdueFlagged(item.FeedbackId, item.StoreId, item.Kind, item.Severity, item.DueAt, Summary(item), now));
    }

    public static string Summary(FeedbackItem item)
    {
        var text = item.Text.ReplaceLineEndings(" ");
        if (text.Length > 80) text = text[..80] + "…";
        var about = item.ConversationId is { } c ? $" about conversation {c}" : "";
        return $"{item.Severity} {item.Kind} from store {item.StoreId}{about}, due {item.DueAt:yyyy-MM-dd HH:mm} UTC, unresolved: {text}";
    }

    /// <summary>The item after the decided events (for the answer of a write).</summary>
    public static FeedbackItem Applied(FeedbackItem item, IEnumerable<object> events) => events.Aggregate(item, (f, e) => e switch
    {
        FeedbackAssigned x => f.Apply(x),
        FeedbackResponded x => f.Apply(x),
        FeedbackResolved x => f.Apply(x),
        FeedbackReopened x => f.Apply(x),
        FeedbackOverdueFlagged x => f.Apply(x),
        FeedbackSettled x => f.Apply(x),
        _ => f,
    });
}
