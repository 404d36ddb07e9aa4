using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using System.Text;
using JasperFx.Events.Projections;
using Marten;
using Vendor.Quality.Conversations;
using Vendor.ServiceDefaults;

namespace Vendor.Quality.Feedback;

/// <summary>A page of a store's feedback, newest first; <see cref="NextCursor"/> fetches the next page (null: the last one).</summary>
[Description("一页反馈。 / One page of feedback.")]
public sealed record FeedbackPage<T>(
    [property: Description("本页的反馈，最新的在前。 / This page's feedback, newest first.")] IReadOnlyList<T> Items,
    [property: Description("下一页的游标（最后一页为 null）。 / The cursor of the next page (null on the last page).")] string? NextCursor) : IExample<FeedbackPage<T>>
{
    public static FeedbackPage<T> Example =>
        typeof(T) == typeof(StoreFeedbackView) ? new FeedbackPage<T>([(T)(object)StoreFeedbackView.Example], "MjAyNi0xMS0xOFQwMTozMDowMC4wMDAwMDAwKzAwOjAwfGZiLTAxOTNiN2MyYTFkNDdlMGY4YzJiNWQ2ZTdmOGE5YjBj") : new([], null);
}

[Description("已受理的反馈。 / Feedback received.")]
public sealed record FeedbackFiled(
    [property: Description("反馈 ID。 / The feedback's id.")] string FeedbackId,
    [property: Description("处理期限（紧急 4 小时、普通 48 小时，除非店铺设置另有规定）。 / When it is due (4 hours critical, 48 normal, unless the store's settings say otherwise).")] DateTimeOffset DueAt,
    [property: Description("答错类反馈开启的知识库任务 ID（其他为 null）。 / The knowledge-base task a wrong answer opened (null otherwise).")] string? KnowledgeTaskId) : IExample<FeedbackFiled>
{
    public static FeedbackFiled Example => new("fb-0193b7c2a1d47e0f8c2b5d6e7f8a9b0c", new DateTimeOffset(2026, 11, 18, 9, 30, 0, TimeSpan.FromHours(8)).AddHours(48), "kbt-0193b7c2a1d47e0f8c2b5d6e7f8a9b0d");
}

public static class FeedbackModule
{
    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<FeedbackReceived>("feedback.received.v1");
        options.Events.MapEventType<FeedbackAssigned>("feedback.assigned.v1");
        options.Events.MapEventType<FeedbackResponded>("feedback.responded.v1");
        options.Events.MapEventType<FeedbackResolved>("feedback.resolved.v1");
        options.Events.MapEventType<FeedbackReopened>("feedback.reopened.v1");
        options.Events.MapEventType<FeedbackOverdueFlagged>("feedback.overdue-flagged.v1");
        options.Events.MapEventType<FeedbackSettled>("feedback.settled.v1");
        options.Events.MapEventType<FeedbackDueHoursSet>("feedback.due-hours-set.v1");
        options.Events.MapEventType<KnowledgeTaskOpened>("kbtask.opened.v1");
        options.Events.MapEventType<KnowledgeTaskDone>("kbtask.done.v1");
        options.Projections.Snapshot<FeedbackItem>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<FeedbackSettings>(SnapshotLifecycle.Inline);
        options.Projections.Snapshot<KnowledgeTask>(SnapshotLifecycle.Inline);
        options.Schema.For<FeedbackItem>().Index(f => f.StoreId).Index(f => f.DueAt);
        options.Schema.For<KnowledgeTask>().Index(t => t.Status);
    }

    public static void AddFeedback(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Quality:Feedback").Get<FeedbackSweepSettings>() ?? new FeedbackSweepSettings();
        services.AddSingleton(settings);
        services.AddSingleton<FeedbackSignal>();
        if (settings.Background) services.AddHostedService<FeedbackSweeper>();
    }

    public static async Task<FeedbackSettings> SettingsAsync(IQuerySession session, string storeId, CancellationToken ct) =>
        await session.LoadAsync<FeedbackSettings>(FeedbackSettings.StreamKey(storeId), ct) ?? FeedbackSettings.Default(storeId);

    public static void MapFeedback(this IEndpointRouteBuilder app)
    {
        var store = app.MapGroup("/api/quality/stores/{storeId}/feedback").WithTags("Feedback");

        store.MapPost("/", async Task<IResult> (string storeId, FileFeedback command, IDocumentStore documents, TimeProvider clock,
                FeedbackSignal signal, HttpContext http, CancellationToken ct) =>
            {
                var now = clock.GetUtcNow();
                await using var session = documents.LightweightSession();
                var settings = await SettingsAsync(session, storeId, ct);
                var feedbackId = $"fb-{Guid.CreateVersion7():N}";
                var decision = FeedbackDecisions.Receive(storeId, command, settings, feedbackId, http.Caller().KeyId,
                    () => $"kbt-{Guid.CreateVersion7():N}", now);
                if (decision.Refusal() is { } refusal) return refusal;
                var events = ((Decision.Append)decision).Events;
                var received = (FeedbackReceived)events[0];

                await session.BeginTransactionAsync(ct);
                session.Events.StartStream<FeedbackItem>(FeedbackItem.StreamKey(feedbackId), received);
                if (events.OfType<KnowledgeTaskOpened>().SingleOrDefault() is { } task)
                    session.Events.StartStream<KnowledgeTask>(KnowledgeTask.StreamKey(task.TaskId), task);
                if (FeedbackKinds.IsRiskPick(received.Kind) && received.ConversationId is { } conversationId)
                    await ConversationFacts.PrioritizeAsync(session, storeId, conversationId, $"feedback:{received.Kind}", now, ct);
                await session.SaveChangesAsync(ct);
                signal.Poke();
                ETags.Set(http.Response, 1);
                return TypedResults.Created($"/api/quality/stores/{storeId}/feedback/{feedbackId}",
                    new FeedbackFiled(feedbackId, received.DueAt, received.KnowledgeTaskId));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("Feedback", "反馈：店铺提交投诉、答错、流程问题或表扬，并跟进处理结果。 / Feedback: the store files complaints, wrong answers, process issues or praise, and follows them up.")
            .WithName("FileFeedback")
            .WithDescription("店铺提交反馈（投诉、答错、流程、表扬；紧急或普通），紧急 4 小时、普通 48 小时内处理（店铺设置可另定）。涉及对话的投诉或答错会优先质检；答错会开启知识库任务。\n\nThe store files feedback (complaint, wrongAnswer, process, praise; critical or normal), due in 4 / 48 hours unless its settings say otherwise. A complaint or wrong answer naming a conversation puts it first in the QC queue; a wrong answer opens a knowledge-base task.")
            .Produces<FeedbackFiled>(201)
            .ResponseHeader(201, "ETag", "反馈的版本（重新打开时用于 If-Match）。 / The feedback's version (for If-Match when reopening).", "\"1\"")
            .WithSummary("A store files feedback (complaint, wrongAnswer, process, praise; critical or normal), due in 4 / 48 hours unless its settings say otherwise (store key or ops). A complaint or wrong answer naming a conversation puts it at the head of the QC queue; a wrong answer opens a knowledge-base task.")
            .ProducesValidationProblem();

        store.MapGet("/", async Task<IResult> (string storeId, string? status, string? cursor, int? limit, IQuerySession session, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                var errors = new Errors()
                    .Check(status is null || FeedbackStatus.Filters.Contains(status), "status", $"One of: {string.Join(", ", FeedbackStatus.Filters)}.")
                    .Check(limit is null or >= 1 and <= 100, "limit", "From 1 to 100.");
                var after = cursor is null ? null : Cursors.Decode(cursor);
                errors.Check(cursor is null || after is not null, "cursor", "Not a cursor this API gave out.");
                if (errors.Any) return errors.ToDecision().Refusal()!;
                var take = limit ?? 20;
                var page = await PageAsync(session, storeId, status, after, take + 1, ct);
                var next = page.Count > take ? Cursors.Encode(page[take - 1]) : null;
                var now = clock.GetUtcNow();
                var items = page.Take(take);
                return http.Caller().IsOps
                    ? TypedResults.Ok(new FeedbackPage<FeedbackItem>([.. items], next))
                    : TypedResults.Ok(new FeedbackPage<StoreFeedbackView>([.. items.Select(f => StoreFeedbackView.Of(f, now))], next));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("Feedback", "反馈：店铺提交投诉、答错、流程问题或表扬，并跟进处理结果。 / Feedback: the store files complaints, wrong answers, process issues or praise, and follows them up.")
            .WithName("ListFeedback")
            .WithDescription("本店的反馈，最新的在前，按状态筛选，用游标分页。\n\nThe store's feedback, newest first, by status, a page at a time with a cursor.")
            .Parameter("status", "只列此状态（可选）：open、assigned、resolved、unresolved。 / Only this status (optional): open, assigned, resolved, unresolved.", "unresolved")
            .Parameter("cursor", "上一页返回的 nextCursor（第一页省略）。 / The nextCursor of the page before (absent for the first page).", "MjAyNi0xMS0xOFQwMTozMDowMC4wMDAwMDAwKzAwOjAwfGZiLTAxOTNiN2MyYTFkNDdlMGY4YzJiNWQ2ZTdmOGE5YjBj")
            .Parameter("limit", "每页条数，1-100，默认 20。 / Items a page, 1-100, default 20.", "20")
            .Produces<FeedbackPage<StoreFeedbackView>>(200).WithSummary("The store's feedback, newest first, by status (open, assigned, resolved, unresolved), a page at a time with a cursor (store key: what the store sees; ops: everything).")
            .ProducesValidationProblem();

        store.MapGet("/summary", async Task<IResult> (string storeId, string? month, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
            {
                var now = clock.GetUtcNow();
                month ??= FeedbackSummaries.MonthOf(now);
                if (!Months.TryParse(month, out var first))
                    return Problems.Validation(new Dictionary<string, string[]> { ["month"] = ["A month as yyyy-MM."] });
                var (from, to) = FeedbackSummaries.Range(first);
                var items = await session.Query<FeedbackItem>().Where(f => f.StoreId == storeId && f.ReceivedAt >= from && f.ReceivedAt < to)
                    .ToListAsync(ct);
                return TypedResults.Ok(FeedbackSummaries.Of(storeId, first, items, now));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("Feedback", "反馈：店铺提交投诉、答错、流程问题或表扬，并跟进处理结果。 / Feedback: the store files complaints, wrong answers, process issues or praise, and follows them up.")
            .WithName("FeedbackSummary")
            .WithDescription("本店某月收到的反馈（Asia/Shanghai 月份）：收到、解决、按期解决、超期、解决时长中位数，合计及按类型。\n\nThe store's feedback received in a month (Asia/Shanghai months): received, resolved, resolved in time, overdue, median hours to resolve, in total and by kind.")
            .Parameter("month", "月份 yyyy-MM（可选，默认本月）。 / The month, yyyy-MM (optional, default this month).", "2026-11")
            .Produces<FeedbackMonthSummary>(200).WithSummary("The month's feedback of the store (received that month, Asia/Shanghai months): received, resolved, resolved in time, overdue, median hours to resolve, in total and by kind.")
            .ProducesValidationProblem();

        store.MapGet("/{feedbackId}", async Task<IResult> (string storeId, string feedbackId, IQuerySession session, TimeProvider clock, HttpContext http,
                CancellationToken ct) =>
            {
                var item = await session.LoadAsync<FeedbackItem>(FeedbackItem.StreamKey(feedbackId), ct);
                if (item is null || item.StoreId != storeId) return Problems.NotFound($"Store '{storeId}' has no feedback '{feedbackId}'.");
                ETags.Set(http.Response, item.Revision);
                return http.Caller().IsOps ? TypedResults.Ok(item) : TypedResults.Ok(StoreFeedbackView.Of(item, clock.GetUtcNow()));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("Feedback", "反馈：店铺提交投诉、答错、流程问题或表扬，并跟进处理结果。 / Feedback: the store files complaints, wrong answers, process issues or praise, and follows them up.")
            .WithName("GetFeedback")
            .WithDescription("本店的一条反馈及服务商的回复、措施和重新打开记录。\n\nOne piece of the store's feedback with the vendor's responses, the action taken and its reopenings.")
            .Parameter("feedbackId", "反馈 ID。 / The feedback's id.", "fb-0193b7c2a1d47e0f8c2b5d6e7f8a9b0c")
            .Produces<StoreFeedbackView>(200)
            .ResponseHeader(200, "ETag", "反馈的版本（重新打开时用于 If-Match）。 / The feedback's version (for If-Match when reopening).", "\"3\"").WithSummary("One piece of feedback with its responses (store key: what the store sees; ops: with assignee and internal notes).")
            .ProducesProblem(404);

        store.MapPost("/{feedbackId}/reopen", async Task<IResult> (string storeId, string feedbackId, ReopenFeedback command, IDocumentStore documents,
                TimeProvider clock, FeedbackSignal signal, HttpContext http, CancellationToken ct) =>
            {
                FeedbackSettings settings;
                await using (var query = documents.QuerySession()) settings = await SettingsAsync(query, storeId, ct);
                var result = await ChangeAsync(documents, storeId, feedbackId, http,
                    item => FeedbackDecisions.Reopen(item, command, settings, http.Caller().KeyId, clock.GetUtcNow()), clock, ct);
                signal.Poke();
                return result;
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .StoreFacing().StoreTag("Feedback", "反馈：店铺提交投诉、答错、流程问题或表扬，并跟进处理结果。 / Feedback: the store files complaints, wrong answers, process issues or praise, and follows them up.")
            .WithName("ReopenFeedback")
            .WithDescription("店铺说明理由后重新打开已解决的反馈；从现在起重新计算期限。可带 If-Match。\n\nThe store reopens resolved feedback with a reason; it is due again from now. If-Match is honoured.")
            .Parameter("feedbackId", "反馈 ID。 / The feedback's id.", "fb-0193b7c2a1d47e0f8c2b5d6e7f8a9b0c")
            .Produces<StoreFeedbackView>(200).WithSummary("The store reopens resolved feedback with a reason; it is due again from now (store key or ops; If-Match honoured).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

        // Triage by ops: each a change of the item with its own command (If-Match honoured).
        MapTriage<AssignFeedback>(store, "assign", "AssignFeedback", "Assign feedback to someone, with an optional internal note (ops; If-Match honoured).",
            FeedbackDecisions.Assign);
        MapTriage<RespondToFeedback>(store, "respond", "RespondToFeedback", "Answer the store (it sees the response) (ops; If-Match honoured).",
            FeedbackDecisions.Respond);
        MapTriage<ResolveFeedback>(store, "resolve", "ResolveFeedback",
            "Resolve feedback with the action taken (the store sees it) and an optional internal note; settles its overdue alert (ops; If-Match honoured).",
            FeedbackDecisions.Resolve);

        var settingsRoute = app.MapGroup("/api/quality/stores/{storeId}/feedback-settings").WithTags("Feedback").RequireCaller(Roles.Ops);

        settingsRoute.MapPut("/", async Task<IResult> (string storeId, SetFeedbackDueHours command, IDocumentStore documents, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                var (decision, settings) = await documents.DecideAsync<FeedbackSettings>(FeedbackSettings.StreamKey(storeId),
                    current => FeedbackDecisions.SetDueHours(storeId, current, command, clock.GetUtcNow()), ETags.IfMatch(http.Request), ct);
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, settings!.Revision);
                return TypedResults.Ok(settings);
            })
            .WithName("SetFeedbackDueHours").WithSummary("How many hours (wall clock, fractions allowed) the store's critical and normal feedback may take, per its contract (ops; applies to feedback received or reopened from now).")
            .ProducesValidationProblem().ProducesProblem(412);

        settingsRoute.MapGet("/", async (string storeId, IQuerySession session, HttpContext http, CancellationToken ct) =>
            {
                var settings = await SettingsAsync(session, storeId, ct);
                ETags.Set(http.Response, settings.Revision);
                return TypedResults.Ok(settings);
            })
            .WithName("GetFeedbackDueHours").WithSummary("The store's feedback due hours (defaults 4 critical / 48 normal) (ops).");

        var tasks = app.MapGroup("/api/quality/knowledge/tasks").WithTags("Feedback").RequireCaller(Roles.Ops);

        tasks.MapGet("/", async Task<IResult> (string? status, string? storeId, IQuerySession session, CancellationToken ct) =>
            {
                if (status is not (null or "all" or KnowledgeTaskStatus.Open or KnowledgeTaskStatus.Done))
                    return Problems.Validation(new Dictionary<string, string[]> { ["status"] = ["One of: open (default), done, all."] });
                var query = session.Query<KnowledgeTask>().AsQueryable();
                var wanted = status ?? KnowledgeTaskStatus.Open;
                if (wanted != "all") query = query.Where(t => t.Status == wanted);
                if (storeId is not null) query = query.Where(t => t.StoreId == storeId);
                return TypedResults.Ok(await query.OrderBy(t => t.OpenedAt).Take(500).ToListAsync(ct));
            })
            .WithName("ListKnowledgeTasks").WithSummary("Knowledge-base corrections asked for by wrong-answer feedback, oldest first: open (default), done or all (ops).")
            .ProducesValidationProblem();

        tasks.MapPost("/{taskId}/done", async Task<IResult> (string taskId, CompleteKnowledgeTask? command, IDocumentStore documents, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
            {
                var exists = true;
                var (decision, task) = await documents.DecideAsync<KnowledgeTask>(KnowledgeTask.StreamKey(taskId), current =>
                {
                    if (current is not null) return KnowledgeTask.Complete(current, command ?? new CompleteKnowledgeTask(null), http.Caller().KeyId, clock.GetUtcNow());
                    exists = false;
                    return new Decision.Unchanged();
                }, ETags.IfMatch(http.Request), ct);
                if (!exists) return Problems.NotFound($"No knowledge task '{taskId}'.");
                if (decision.Refusal() is { } refusal) return refusal;
                ETags.Set(http.Response, task!.Revision);
                return TypedResults.Ok(task);
            })
            .WithName("CompleteKnowledgeTask").WithSummary("The article was corrected: the task is done (ops).")
            .ProducesProblem(404).ProducesProblem(412);
    }

    private static void MapTriage<TCommand>(RouteGroupBuilder store, string action, string name, string summary,
        Func<FeedbackItem, TCommand, string, DateTimeOffset, Decision> decide) =>
        store.MapPost($"/{{feedbackId}}/{action}", (string storeId, string feedbackId, TCommand command, IDocumentStore documents, TimeProvider clock,
                HttpContext http, CancellationToken ct) =>
                ChangeAsync(documents, storeId, feedbackId, http, item => decide(item, command, http.Caller().KeyId, clock.GetUtcNow()), clock, ct))
            .RequireCaller(Roles.Ops)
            .WithName(name).WithSummary(summary)
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);

    private static async Task<IResult> ChangeAsync(IDocumentStore documents, string storeId, string feedbackId, HttpContext http,
        Func<FeedbackItem, Decision> decide, TimeProvider clock, CancellationToken ct)
    {
        var (decision, item) = await documents.DecideAsync<FeedbackItem>(FeedbackItem.StreamKey(feedbackId),
            current => current?.StoreId == storeId ? decide(current) : new Decision.Unchanged(), ETags.IfMatch(http.Request), ct);
        if (item is null || item.StoreId != storeId) return Problems.NotFound($"Store '{storeId}' has no feedback '{feedbackId}'.");
        if (decision.Refusal() is { } refusal) return refusal;
        ETags.Set(http.Response, item.Revision);
        return http.Caller().IsOps ? TypedResults.Ok(item) : TypedResults.Ok(StoreFeedbackView.Of(item, clock.GetUtcNow()));
    }

    private static async Task<IReadOnlyList<FeedbackItem>> PageAsync(IQuerySession session, string storeId, string? status,
        (string ReceivedAt, string FeedbackId)? after, int take, CancellationToken ct)
    {
        // Newest first by (receivedAt, feedbackId): both sides of the comparison parse the timestamp in PostgreSQL the same way.
        var sql = new StringBuilder("where data ->> 'storeId' = ?");
        var args = new List<object> { storeId };
        switch (status)
        {
            case null: break;
            case FeedbackStatus.Unresolved:
                sql.Append(" and data ->> 'status' <> ?");
                args.Add(FeedbackStatus.Resolved);
                break;
            default:
                sql.Append(" and data ->> 'status' = ?");
                args.Add(status);
                break;
        }
        if (after is { } a)
        {
            sql.Append(" and ((data ->> 'receivedAt')::timestamptz, data ->> 'feedbackId' COLLATE \"C\") < (?::timestamptz, ? COLLATE \"C\")");
            args.Add(a.ReceivedAt);
            args.Add(a.FeedbackId);
        }
        sql.Append(" order by (data ->> 'receivedAt')::timestamptz desc, data ->> 'feedbackId' COLLATE \"C\" desc limit ?");
        args.Add(take);
        return await session.QueryAsync<FeedbackItem>(sql.ToString(), ct, [.. args]);
    }

    /// <summary>Opaque page cursors: the (receivedAt, feedbackId) of the last item of the page, base64url.</summary>
    public static class Cursors
    {
        public static string Encode(FeedbackItem last) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{last.ReceivedAt:O}|{last.FeedbackId}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static (string ReceivedAt, string FeedbackId)? Decode(string cursor)
        {
            try
            {
                var padded = cursor.Replace('-', '+').Replace('_', '/');
                padded += new string('=', (4 - padded.Length % 4) % 4);
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split('|');
                if (parts.Length != 2 || !DateTimeOffset.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.RoundtripKind, out _) || !parts[1].StartsWith("fb-")) return null;
                return (parts[0], parts[1]);
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
