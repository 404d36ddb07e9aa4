using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Vendor.Agreements.Sla;

namespace Vendor.Agreements.Ingestion;

[Description("对话中的一条消息。 / One message of a conversation.")]
public sealed record MessageInput(
    [property: Description("发送时间，ISO 8601 带时区偏移。 / When it was sent, ISO 8601 with an offset.")] string? At,
    [property: Description("发送方：customer、agent、bot 或 system（机器人和系统消息不计入响应）。 / Who sent it: customer, agent, bot or system (bot and system messages never answer a turn).")] string? From,
    [property: Description("客服 ID，agent 消息必填。 / The agent's id, required on agent messages.")] string? AgentId,
    [property: Description("消息文本（可省略）。 / The message text (optional).")] string? Text);

[Description("一个已结束或进行中的对话；按 conversationId 幂等，重复提交会合并。 / A finished or running conversation; idempotent by conversationId, a re-post is merged.")]
public sealed record ConversationInput(
    [property: Description("店铺内唯一的对话 ID：1-128 个字母、数字或 - _ . :。 / The conversation's id, unique in the store: 1-128 letters, digits, '-', '_', '.', ':'.")] string? ConversationId,
    [property: Description("渠道：chat（在线）或 hotline（热线）。 / The channel: chat or hotline.")] string? Channel,
    [property: Description("类型：presales（售前）或 aftersales（售后）。 / The kind: presales or aftersales.")] string? Kind,
    [property: Description("消息，按任意顺序；按时间排序后计算。 / The messages, in any order; they are taken in time order.")] IReadOnlyList<MessageInput>? Messages,
    [property: Description("是否已解决；省略视为未解决。 / Whether it was resolved; absent means not resolved.")] bool? Resolved,
    [property: Description("买家评价：satisfied、neutral 或 unsatisfied（可省略）。 / The buyer's rating: satisfied, neutral or unsatisfied (optional).")] string? Rating,
    [property: Description("售前对话中买家付款时间，ISO 8601（用于询单转化率）。 / When the buyer paid an order, ISO 8601 (presales: the inquiry conversion rate).")] string? OrderPaidAt);

/// <summary>The body of POST /api/sla/stores/{storeId}/conversations.</summary>
[Description("对话导入请求。 / A conversation ingestion request.")]
public sealed record IngestRequest(
    [property: Description("要记录的对话，每次最多 1000 个。 / The conversations to record, at most 1,000 a request.")] IReadOnlyList<ConversationInput>? Conversations)
    : IExample<IngestRequest>
{
    public static IngestRequest Example => new([
        new ConversationInput("tb-20261118-000123", "chat", "presales", [
            new MessageInput("2026-11-18T10:02:11+08:00", "customer", null, "这款龙井明前茶还有货吗？"),
            new MessageInput("2026-11-18T10:02:12+08:00", "bot", null, "您好，客服马上为您服务～"),
            new MessageInput("2026-11-18T10:02:48+08:00", "agent", "agent-lin", "亲，有货的，今天下单明天发顺丰。"),
        ], true, "satisfied", "2026-11-18T10:15:30+08:00"),
    ]);
}

public sealed record StoredMessage(DateTimeOffset At, string From, string? AgentId, string? Text);

/// <summary>A conversation as stored: every message ever posted for it, in time order, and its latest outcome fields.</summary>
public sealed record RecordedConversation(string ConversationId, string Channel, string Kind, IReadOnlyList<StoredMessage> Messages,
    bool? Resolved, string? Rating, DateTimeOffset? OrderPaidAt)
{
    // Derived from the messages: not stored with them (the ledger body would carry a copy, computed at every write).
    [JsonIgnore]
    public DateTimeOffset StartedAt => Messages[0].At;

    [JsonIgnore]
    public IReadOnlyList<string> AgentIds =>
        Messages.Where(m => m.From == "agent" && m.AgentId is not null).Select(m => m.AgentId!).Distinct().Order().ToList();

    public bool Same(RecordedConversation other) =>
        ConversationId == other.ConversationId && Channel == other.Channel && Kind == other.Kind && Resolved == other.Resolved
        && Rating == other.Rating && OrderPaidAt == other.OrderPaidAt && Messages.SequenceEqual(other.Messages);

    public IReadOnlyList<Message> ForMetrics() =>
        Messages.Select(m => new Message(m.At, m.From switch
        {
            "customer" => Sender.Customer,
            "agent" => Sender.Agent,
            "bot" => Sender.Bot,
            _ => Sender.System,
        }, m.AgentId)).ToList();
}

public static partial class ConversationRules
{
    public const int MaxConversationsPerRequest = 1000;
    public const int MaxMessages = 5000;

    /// <summary>Longer is not a conversation; it would also make each turn's service-hours walk long.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(31);

    private static readonly string TimestampRule =
        $"An ISO 8601 timestamp with an offset, {SupportedDates.Span}, e.g. 2026-11-02T09:00:05+08:00.";
    private static readonly string[] Senders = ["customer", "agent", "bot", "system"];
    private static readonly string[] Ratings = ["satisfied", "neutral", "unsatisfied"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
    private static partial Regex IdPattern();

    // ISO 8601 with an explicit offset (Z or ±hh:mm): a local time without one is ambiguous across stores.
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimestampPattern();

    /// <summary>The conversation as it will be stored, or the errors by field that reject it.</summary>
    public static (RecordedConversation? Conversation, Dictionary<string, string[]> Errors) Validate(ConversationInput? input)
    {
        var errors = new Dictionary<string, string[]>();
        if (input is null) return (null, new Dictionary<string, string[]> { ["conversation"] = ["A conversation object, not null."] });
        void Add(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field) ?? [], message];

        if (input.ConversationId is null || !IdPattern().IsMatch(input.ConversationId))
            Add("conversationId", "Required: 1-128 letters, digits, '-', '_', '.', ':'.");
        if (input.Channel is not ("chat" or "hotline")) Add("channel", "Required: chat or hotline.");
        if (input.Kind is not ("presales" or "aftersales")) Add("kind", "Required: presales or aftersales.");
        if (input.Rating is not null && !Ratings.Contains(input.Rating)) Add("rating", "satisfied, neutral or unsatisfied.");
        DateTimeOffset? paid = null;
        if (input.OrderPaidAt is not null)
        {
            if (Timestamp(input.OrderPaidAt) is { } p) paid = p;
            else Add("orderPaidAt", TimestampRule);
        }

        var messages = new List<StoredMessage>(Math.Min(input.Messages?.Count ?? 0, MaxMessages));
        DateTimeOffset first = DateTimeOffset.MaxValue, last = DateTimeOffset.MinValue;
        if (input.Messages is not { Count: > 0 and <= MaxMessages })
            Add("messages", $"Required: 1 to {MaxMessages} messages.");
        else
            for (var i = 0; i < input.Messages.Count; i++)
            {
                var m = input.Messages[i] ?? new MessageInput(null, null, null, null);
                var at = m.At is null ? null : Timestamp(m.At);
                var knownSender = m.From is not null && Senders.Contains(m.From);
                if (at is null) Add($"messages[{i}].at", TimestampRule);
                if (!knownSender) Add($"messages[{i}].from", "customer, agent, bot or system.");
                if (m.AgentId is { Length: > 128 }) Add($"messages[{i}].agentId", "At most 128 characters.");
                if (at is not { } a || !knownSender) continue;
                messages.Add(new StoredMessage(a.ToUniversalTime(), m.From!, m.From == "agent" ? m.AgentId : null, m.Text));
                if (a < first) first = a;
                if (a > last) last = a;
            }
        if (messages.Count > 0 && last - first > MaxSpan)
            Add("messages", $"A conversation's messages span at most {MaxSpan.TotalDays:0} days.");
        if (errors.Count > 0) return (null, errors);

        return (new RecordedConversation(input.ConversationId!, input.Channel!, input.Kind!, InTimeOrder(messages),
            input.Resolved, input.Rating, paid?.ToUniversalTime()), errors);
    }

    /// <summary>
    /// A re-posted conversation adds what is new: messages not seen before, and outcome fields it now carries.
    /// Posting an older, shorter copy after a newer one loses nothing.
    /// </summary>
    public static RecordedConversation Merge(RecordedConversation stored, RecordedConversation incoming)
    {
        // Outcome fields come from the fresher copy (the one whose last message is later; a tie goes to the incoming one),
        // so an old snapshot delivered late cannot undo a newer rating or resolution.
        var (newer, older) = incoming.Messages[^1].At >= stored.Messages[^1].At ? (incoming, stored) : (stored, incoming);
        return new(stored.ConversationId, newer.Channel, newer.Kind, InTimeOrder(stored.Messages.Union(incoming.Messages)),
            newer.Resolved ?? older.Resolved, newer.Rating ?? older.Rating, newer.OrderPaidAt ?? older.OrderPaidAt);
    }

    /// <summary>By time, messages of the same instant in the order given (a stable sort); exported chats usually come in order already.</summary>
    private static List<StoredMessage> InTimeOrder(IEnumerable<StoredMessage> messages)
    {
        var list = messages as List<StoredMessage> ?? [.. messages];
        for (var i = 1; i < list.Count; i++)
            if (list[i].At < list[i - 1].At)
                return list.Select((m, n) => (m, n)).OrderBy(x => x.m.At).ThenBy(x => x.n).Select(x => x.m).ToList();
        return list;
    }

    /// <summary>A message's or payment's time: ISO 8601 with an offset, within <see cref="SupportedDates"/>; null when it is not one.</summary>
    internal static DateTimeOffset? Timestamp(string text) =>
        TryCommonTimestamp(text, out var common) ? common : AnyTimestamp(text);

    /// <summary>Every form the rule allows (minutes only, fractions of a second, Z), through the general parser.</summary>
    internal static DateTimeOffset? AnyTimestamp(string text) =>
        TimestampPattern().IsMatch(text)
        && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
        && SupportedDates.Contains(value)
            ? value
            : null;

    /// <summary>
    /// The form nearly every export writes, <c>2026-11-02T09:00:05+08:00</c>, read digit by digit: the pattern and the culture-aware
    /// parser took a few microseconds a conversation (eight messages). Anything else, including out-of-range fields, is left to
    /// <see cref="AnyTimestamp"/>, so both agree on what is accepted and what is rejected.
    /// </summary>
    private static bool TryCommonTimestamp(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length != 25 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':'
            || text[19] is not ('+' or '-') || text[22] != ':')
            return false;
        if (!Digits(text, 0, 4, out var year) || !Digits(text, 5, 2, out var month) || !Digits(text, 8, 2, out var day)
            || !Digits(text, 11, 2, out var hour) || !Digits(text, 14, 2, out var minute) || !Digits(text, 17, 2, out var second)
            || !Digits(text, 20, 2, out var offsetHours) || !Digits(text, 23, 2, out var offsetMinutes))
            return false;
        if (year is < 2000 or > 2099 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23
            || minute > 59 || second > 59 || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60)
            return false;
        var offset = new TimeSpan(offsetHours, offsetMinutes, 0);
        var at = new DateTimeOffset(year, month, day, hour, minute, second, text[19] == '-' ? -offset : offset);
        if (!SupportedDates.Contains(at)) return false;
        value = at;
        return true;
    }

    private static bool Digits(string text, int start, int count, out int number)
    {
        number = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - '0';
            if (digit is < 0 or > 9) return false;
            number = number * 10 + digit;
        }
        return true;
    }
}
