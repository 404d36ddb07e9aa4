using System.ComponentModel;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults.OpenApi;

namespace Vendor.Agreements.Explain;

/// <summary>One conversation as the SLA figures counted it (a line of GET .../conversations).</summary>
public sealed record ConversationItem(
    [property: Description("会话 ID / The conversation's id, as ingested.")] string ConversationId,
    [property: Description("类型：presales（售前）或 aftersales（售后） / presales or aftersales.")] string Kind,
    [property: Description("开始时间（最早一条消息，店铺当地时区） / When it started: its earliest message, in the store's local offset.")] DateTimeOffset Start,
    [property: Description("首次响应秒数（服务时间内），未回复为 null / First response time in service-hours seconds; null when the first turn was never answered.")] double? FirstResponseSeconds,
    [property: Description("是否漏接（首轮无人工回复） / Missed: the first customer turn was never answered by an agent.")] bool Missed,
    [property: Description("是否慢响应（任一轮超过慢响应阈值） / Slow: some turn was answered after the store's slow threshold.")] bool Slow,
    [property: Description("是否已解决（未标记视为未解决） / Marked resolved (absent counts as not resolved).")] bool Resolved,
    [property: Description("是否转化；仅计入询单转化率的售前会话有值，其余为 null / Converted: paid within the attribution window. Only presales conversations with a customer message count in inquiryConversionRate; null for the others.")] bool? Converted,
    [property: Description("评价：satisfied、neutral、unsatisfied 或 null / The customer's rating, or null when unrated.")] string? Rating) : IExample<ConversationItem>
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static ConversationItem Example => new("tb-20261118-000123", "presales", new DateTimeOffset(2026, 11, 18, 10, 2, 11, China), 37, false,
        false, true, true, "satisfied");

    /// <summary>A missed one: the customer asked at night and nobody answered.</summary>
    public static ConversationItem MissedExample => new("tb-20261118-000187", "aftersales", new DateTimeOffset(2026, 11, 18, 23, 41, 5, China), null,
        true, false, false, null, "unsatisfied");
}

/// <summary>A page of the list.</summary>
public sealed record ConversationPage(
    [property: Description("本页会话（按会话 ID 排序） / This page's conversations, ordered by conversationId.")] IReadOnlyList<ConversationItem> Items,
    [property: Description("下一页游标，最后一页为 null / Pass as cursor for the next page; null on the last page.")] string? NextCursor) : IExample<ConversationPage>
{
    public static ConversationPage Example => new([ConversationItem.Example, ConversationItem.MissedExample],
        ConversationsModule.Cursor(ConversationItem.MissedExample.ConversationId));
}

/// <summary>One customer turn of an explained conversation.</summary>
public sealed record TurnExplanation(
    [property: Description("本轮开始（顾客消息） / When the customer turn started.")] DateTimeOffset StartedAt,
    [property: Description("人工回复时间，未回复为 null / When an agent answered; null if never.")] DateTimeOffset? AnsweredAt,
    [property: Description("回复的客服 ID / The agent who answered.")] string? AnsweredBy,
    [property: Description("响应秒数（仅计服务时间） / Response time: service-hours seconds from start to answer.")] double? ResponseSeconds,
    [property: Description("跳过的非服务时间秒数（墙钟时长减去响应秒数） / Closed hours skipped: wall-clock seconds between start and answer minus the response seconds.")] double? ClosedSeconds,
    [property: Description("本轮是否超过慢响应阈值 / Answered after the slow threshold.")] bool Slow);

/// <summary>The service calendar a conversation was measured under.</summary>
public sealed record CalendarExplanation(
    [property: Description("时区（IANA） / The store's IANA time zone.")] string TimeZone,
    [property: Description("每日服务时段（结束不晚于开始即跨午夜） / Daily service hours; an end at or before the start runs past midnight.")] IReadOnlyList<HoursView> ServiceHours,
    [property: Description("营业的 ISO 星期（1-7） / Open ISO weekdays (1 Monday - 7 Sunday).")] IReadOnlyList<int> OpenDays,
    [property: Description("会话期间的休息日 / Holidays (closed) on the conversation's days.")] IReadOnlyList<DateOnly> Holidays,
    [property: Description("会话期间的调休工作日 / Make-up workdays (调休, open) on the conversation's days.")] IReadOnlyList<DateOnly> MakeUpWorkdays,
    [property: Description("慢响应阈值（秒） / Slow threshold in seconds.")] int SlowThresholdSeconds,
    [property: Description("该日历的生效时间 / When this calendar took effect.")] DateTimeOffset EffectiveFrom);

/// <summary>The contract terms a conversation was measured under.</summary>
public sealed record TermsExplanation(
    [property: Description("合同编号，当日无合同为 null / The contract in force on the conversation's day; null when none.")] string? ContractId,
    [property: Description("转化归因窗口（小时，墙钟） / Attribution window in wall-clock hours after the first customer message (48 without a contract).")] double AttributionHours,
    [property: Description("当日生效的 SLA 目标 / The SLA targets in force that day.")] IReadOnlyList<SlaTarget> Targets,
    [property: Description("预警余量（百分比） / Warning margin, a percent of each target.")] decimal? WarningMarginPercent);

/// <summary>Why one conversation counted as it did.</summary>
public sealed record ConversationExplanation(
    [property: Description("会话 ID / The conversation's id.")] string ConversationId,
    [property: Description("presales 或 aftersales / presales or aftersales.")] string Kind,
    [property: Description("渠道：chat 或 hotline / chat or hotline.")] string Channel,
    [property: Description("开始时间（店铺当地时区） / When it started, in the store's local offset.")] DateTimeOffset Start,
    [property: Description("计入的店铺当地日期 / The store-local date it counts on.")] DateOnly LocalDate,
    [property: Description("首次响应秒数，未回复为 null / First response seconds; null when unanswered.")] double? FirstResponseSeconds,
    [property: Description("是否漏接 / Missed.")] bool Missed,
    [property: Description("是否慢响应 / Slow.")] bool Slow,
    [property: Description("是否已解决 / Resolved.")] bool Resolved,
    [property: Description("是否转化（非计入的会话为 null） / Converted (null when not counted in inquiryConversionRate).")] bool? Converted,
    [property: Description("评价 / The rating, or null.")] string? Rating,
    [property: Description("第一条顾客消息时间 / The first customer message (the attribution window starts here); null without one.")] DateTimeOffset? FirstCustomerMessageAt,
    [property: Description("付款时间 / When the order was paid, if it was.")] DateTimeOffset? OrderPaidAt,
    [property: Description("归因窗口结束时间 / The end of the attribution window; null without a customer message.")] DateTimeOffset? AttributionEndsAt,
    [property: Description("各轮顾客提问 / Every customer turn, in order.")] IReadOnlyList<TurnExplanation> Turns,
    [property: Description("计量所用服务日历 / The calendar it was measured under.")] CalendarExplanation Calendar,
    [property: Description("计量所用合同条款 / The contract terms it was measured under.")] TermsExplanation Terms,
    [property: Description("按现行日历与条款重算与已计入数值一致；为 false 时合同在计入后被追溯修改，指标仍按已计入数值，直到会话被重新提交 / True when re-measuring now gives what the figures counted; false when the terms were amended retroactively after it was counted (the figures keep the counted values until the conversation is re-posted).")] bool SameAsCounted) : IExample<ConversationExplanation>
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private static DateTimeOffset At(int day, int hour, int minute, int second) => new(2026, 11, day, hour, minute, second, China);

    /// <summary>Asked Friday evening before closing, answered after the weekend opening: the closed hours are skipped.</summary>
    public static ConversationExplanation Example => new("tb-20261120-000342", "presales", "chat", At(20, 21, 55, 10), new DateOnly(2026, 11, 20),
        1_150, false, true, true, true, "neutral", At(20, 21, 55, 10), At(21, 10, 12, 40), At(23, 21, 55, 10),
        [
            new TurnExplanation(At(20, 21, 55, 10), At(21, 9, 14, 20), "agent-lin", 1_150, 39_600, true),
            new TurnExplanation(At(21, 9, 20, 2), At(21, 9, 20, 31), "agent-lin", 29, 0, false),
        ],
        new CalendarExplanation("Asia/Shanghai", [new HoursView("09:00", "22:00")], [1, 2, 3, 4, 5, 6, 7], [], [], 60,
            new DateTimeOffset(2026, 10, 1, 0, 0, 0, China)),
        new TermsExplanation("ct-hz-tea-2026", 72, [new SlaTarget("firstResponseSeconds", 20, 20m), new SlaTarget("missedRate", 0.03, 30m),
            new SlaTarget("satisfactionRate", 0.95, 50m)], 10m),
        true);
}

/// <summary>The explanation of one stored conversation (pure): the same measurement as ingestion, shown turn by turn.</summary>
public static class Explanations
{
    /// <summary>The list line of a stored row: what its counts say (exactly what the figures summed).</summary>
    public static ConversationItem Item(string conversationId, string kind, DateTimeOffset localStart, DailyCounts counts, string? rating) =>
        new(conversationId, kind, localStart, counts.FirstAnswered == 1 ? counts.FrtSum : null, counts.Missed == 1, counts.Slow == 1,
            counts.Resolved == 1, counts.Presales == 1 ? counts.Converted == 1 : null, rating);

    public static ConversationExplanation Explain(Store store, ServiceContract? contract, LedgerRow row)
    {
        var conversation = row.Conversation;
        var calendar = store.CalendarAt(conversation.StartedAt);
        // The ingestion's own measurement: same calendar, same terms, same code.
        var measured = IngestionModule.Measure(store, contract, conversation, row);
        var facts = measured.Facts!;
        var terms = contract?.TermsOn(measured.LocalDate);
        var attribution = terms?.AttributionHours ?? ContractDecisions.DefaultAttributionHours;
        var item = Item(conversation.ConversationId, conversation.Kind, calendar.Local(conversation.StartedAt), row.Counts, conversation.Rating);
        var firstCustomer = conversation.Messages.FirstOrDefault(m => m.From == "customer")?.At;

        var lastDay = calendar.LocalDate(conversation.Messages[^1].At);
        var firstDay = measured.LocalDate.AddDays(-1); // yesterday's block may run past midnight into the conversation
        bool During(DateOnly d) => d >= firstDay && d <= lastDay;
        var effectiveFrom = store.History.LastOrDefault(v => v.Calendar == calendar)?.EffectiveFrom ?? store.OnboardedAt;

        return new ConversationExplanation(
            item.ConversationId, item.Kind, conversation.Channel, item.Start, row.LocalDate, item.FirstResponseSeconds, item.Missed, item.Slow,
            item.Resolved, item.Converted, item.Rating,
            firstCustomer is { } f ? calendar.Local(f) : null,
            conversation.OrderPaidAt is { } paid ? calendar.Local(paid) : null,
            firstCustomer is { } asked ? calendar.Local(asked.AddHours(attribution)) : null,
            facts.Turns.Select(t => new TurnExplanation(calendar.Local(t.StartedAt), t.AnsweredAt is { } a ? calendar.Local(a) : null, t.AnsweredBy,
                t.ResponseSeconds, t.ClosedSeconds, t.ResponseSeconds > calendar.SlowThresholdSeconds)).ToList(),
            new CalendarExplanation(calendar.TimeZone,
                calendar.ServiceHours.Select(b => new HoursView(b.Start.ToString("HH:mm"), b.End.ToString("HH:mm"))).ToList(),
                calendar.OpenDays, calendar.Holidays.Where(During).ToList(), calendar.MakeUpWorkdays.Where(During).ToList(),
                calendar.SlowThresholdSeconds, effectiveFrom),
            new TermsExplanation(terms is null ? null : contract!.ContractIdOn(measured.LocalDate), attribution, terms?.Targets ?? [],
                terms?.WarningMarginPercent),
            SameAsCounted: measured.LocalDate == row.LocalDate && measured.Counts == row.Counts);
    }
}
