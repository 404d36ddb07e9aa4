using System.Text;
using Marten;
using Npgsql;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;
using Vendor.ServiceDefaults.OpenApi;

namespace Vendor.Agreements.Explain;

/// <summary>
/// "Why is my missed rate 4 %?": the conversations behind the SLA figures, read from the ledger table (never from event streams),
/// and one conversation explained turn by turn.
/// </summary>
public static class ConversationsModule
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    /// <summary>
    /// Each filter is a condition on the very columns the rollups sum, so a filtered list adds up to its figure: missed items /
    /// missedRate's sample = missedRate; unresolved = conversations − resolved; unconverted = presales − converted (aftersales
    /// conversations are never "unconverted": they are not in inquiryConversionRate); unsatisfied = rated but not "satisfied" (neutral
    /// or unsatisfied: the ratings that lower satisfactionRate, so unsatisfied / rated = 1 − satisfactionRate).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Filters = new Dictionary<string, string>
    {
        ["missed"] = "missed = 1",
        ["slow"] = "slow = 1",
        ["unresolved"] = "resolved = 0",
        ["unconverted"] = "presales = 1 AND converted = 0",
        ["unsatisfied"] = "rated = 1 AND satisfied = 0",
    };

    private const string CursorVersion = "1|";

    /// <summary>The opaque cursor after a conversation id: base64url of a version prefix and the id.</summary>
    public static string Cursor(string conversationId) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(CursorVersion + conversationId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The conversation id a cursor names, or null when it is not one this API gave out.</summary>
    public static string? After(string cursor)
    {
        if (cursor.Length is 0 or > 400 || cursor.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))) return null;
        var padded = cursor.Replace('-', '+').Replace('_', '/') + new string('=', (4 - cursor.Length % 4) % 4);
        try
        {
            var text = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(padded));
            return text.StartsWith(CursorVersion, StringComparison.Ordinal) && text.Length > CursorVersion.Length ? text[CursorVersion.Length..] : null;
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }

    public static void MapConversationExplanations(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/api/sla/stores/{storeId}/conversations")
            .StoreTag("Conversations", "会话明细：列出计入 SLA 指标的会话（可按漏接、慢响应等过滤）并逐轮解释单个会话的计量。 / Conversations: " +
                                       "the conversations behind the SLA figures (filtered to the missed, slow, ... ones) and one conversation " +
                                       "explained turn by turn.");

        conversations.MapGet("/", async Task<IResult> (string storeId, string? from, string? to, string? filter, string? cursor, int? limit,
                IQuerySession session, CancellationToken ct) =>
            {
                var errors = new Errors();
                var range = SupportedDates.Range(from, to, SlaModule.MaxDays, errors);
                errors.Check(filter is null || Filters.ContainsKey(filter), "filter", $"One of: {string.Join(", ", Filters.Keys)}.");
                var after = cursor is null ? "" : After(cursor);
                errors.Check(after is not null, "cursor", "Not a cursor this API gave out: pass nextCursor as it came.");
                var size = limit ?? DefaultLimit;
                errors.Check(size is >= 1 and <= MaxLimit, "limit", $"From 1 to {MaxLimit} (default {DefaultLimit}).");
                if (errors.Any) return Problems.Validation(errors.ToDecision().Errors, after is null ? ProblemCatalogue.InvalidCursor : null);

                var store = await session.LoadAsync<Store>(Store.StreamKey(storeId), ct);
                if (store is null) return StoresModule.NotOnboarded(storeId);
                var (items, more) = await PageAsync(session, store, range!.Value.From, range.Value.To, filter, after!, size, ct);
                return TypedResults.Ok(new ConversationPage(items, more ? Cursor(items[^1].ConversationId) : null));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithName("ListConversations")
            .WithSummary("The store's conversations that started in from..to (store-local dates, inclusive), optionally only the missed, " +
                         "slow, unresolved, unconverted or unsatisfied ones, in pages (ops, or the store's key).")
            .WithDescription("列出期间内开始的会话（店铺当地日期，含首尾），可按 missed、slow、unresolved、unconverted、unsatisfied 过滤；" +
                             "每条的数值正是 SLA 指标所计入的数值，例如 missed 条数 ÷ missedRate 的 sample = missedRate。按会话 ID 分页，" +
                             "翻页期间有新会话写入也不会重复或遗漏；limit 默认 100，最大 500；最后一页 nextCursor 为 null。\n\n" +
                             "Lists the conversations that started in the period (store-local dates, inclusive), optionally filtered. Each line " +
                             "carries exactly what the SLA figures counted, so a filtered list adds up to its figure (missed items / the sample " +
                             "of missedRate = missedRate). unconverted lists presales conversations not converted; aftersales ones never appear " +
                             "there and have converted null. Pages are keyed by conversationId: paging while conversations are ingested shows " +
                             "every conversation present at the first page exactly once. limit defaults to 100, at most 500; nextCursor is null on " +
                             "the last page; a cursor not given out by this API is a 400.")
            .Parameter("from", "起始日期 yyyy-MM-dd（店铺本地，含；必填）。 / The first date, yyyy-MM-dd (store-local, inclusive; required).", "2026-11-01")
            .Parameter("to", "结束日期 yyyy-MM-dd（店铺本地，含；必填，不早于 from，最多 366 天）。 / The last date, yyyy-MM-dd (store-local, " +
                             "inclusive; required, not before from, at most 366 days).", "2026-11-30")
            .Parameter("filter", "只列某类会话（可选）：missed（漏接）、slow（慢响应）、unresolved（未解决）、unconverted（售前未转化）、" +
                                 "unsatisfied（有评价但不是满意：一般或不满意，即拉低满意度的会话）。 / Only one kind (optional): missed, slow, unresolved, " +
                                 "unconverted (presales not converted) or unsatisfied (rated, but not satisfied: neutral or unsatisfied, the " +
                                 "ratings that lower satisfactionRate).", "missed")
            .Parameter("cursor", "上一页返回的 nextCursor（第一页省略）。 / The nextCursor of the page before (absent for the first page).",
                Cursor(ConversationItem.MissedExample.ConversationId))
            .Parameter("limit", $"每页条数，1-{MaxLimit}，默认 {DefaultLimit}。 / Items a page, 1-{MaxLimit}, default {DefaultLimit}.", "100")
            .Produces<ConversationPage>(200).ProducesValidationProblem().WithMetadata(new ProblemCodesDoc(400, [ProblemCatalogue.InvalidCursor]))
            .Problem(404, ProblemCatalogue.StoreNotOnboarded);

        conversations.MapGet("/{conversationId}", async Task<IResult> (string storeId, string conversationId, IQuerySession session,
                CancellationToken ct) =>
            {
                var store = await session.LoadAsync<Store>(Store.StreamKey(storeId), ct);
                if (store is null) return StoresModule.NotOnboarded(storeId);
                var rows = await ConversationLedger.LoadAsync(session, storeId, [conversationId], ct);
                if (!rows.TryGetValue(conversationId, out var row))
                    return Problems.NotFound($"Store '{storeId}' has no conversation '{conversationId}'.");
                var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
                return TypedResults.Ok(Explanations.Explain(store, contract, row));
            })
            .RequireCaller(Roles.Ops, Roles.Store)
            .WithName("ExplainConversation")
            .WithSummary("One conversation explained: every customer turn (answered when and by whom, service-hours seconds, closed hours " +
                         "skipped) and the calendar and contract terms it was measured under (ops, or the store's key).")
            .WithDescription("解释一个会话为何被计为漏接、慢响应或未转化：逐轮给出开始、回复时间与客服、服务时间内的响应秒数、跳过的非服务时间，" +
                             "以及计量所用的服务日历（时区、服务时段、期间的节假日与调休）和合同条款（归因窗口、当日目标）。数值与 SLA 指标计入的一致。\n\n" +
                             "Explains why a conversation counted as it did: each customer turn with its start, answer time and agent, response " +
                             "seconds inside service hours and the closed hours skipped, and the calendar (time zone, hours, holidays and make-up " +
                             "days on its dates, slow threshold) and contract terms (attribution window, targets in force that day) it was " +
                             "measured under. Its numbers are what the SLA figures counted.")
            .Parameter("conversationId", "会话 ID（导入时提交的 conversationId）。 / The conversation's id, as ingested.", "tb-20261120-000342")
            .Produces<ConversationExplanation>(200).Problem(404, ProblemCatalogue.StoreNotOnboarded);
    }

    private static async Task<(List<ConversationItem> Items, bool More)> PageAsync(IQuerySession session, Store store, DateOnly from, DateOnly to,
        string? filter, string after, int limit, CancellationToken ct)
    {
        var condition = filter is null ? "" : $"AND {Filters[filter]}";
        await using var command = new NpgsqlCommand($"""
            SELECT conversation_id, kind, started_at, body ->> 'rating', {string.Join(", ", DailyCounts.Columns)}
            FROM {ConversationLedger.Schema}.conversations
            WHERE store_id = $1 AND local_date BETWEEN $2 AND $3 AND conversation_id > $4 {condition}
            ORDER BY conversation_id LIMIT $5
            """)
        {
            Parameters =
            {
                new() { Value = store.StoreId }, new() { Value = from }, new() { Value = to }, new() { Value = after },
                new() { Value = limit + 1 },
            },
        };
        var items = new List<ConversationItem>(limit + 1);
        await using (var reader = await session.ExecuteReaderAsync(command, ct))
            while (await reader.ReadAsync(ct))
            {
                var start = reader.GetFieldValue<DateTimeOffset>(2);
                var counts = DailyCounts.From(i => reader.GetValue(4 + i));
                items.Add(Explanations.Item(reader.GetString(0), reader.GetString(1), store.CalendarAt(start).Local(start), counts,
                    reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        var more = items.Count > limit;
        if (more) items.RemoveAt(items.Count - 1);
        return (items, more);
    }
}
