namespace Vendor.Agreements.Sla;

public enum Sender { Customer, Agent, Bot, System }

public sealed record Message(DateTimeOffset At, Sender From, string? AgentId = null);

/// <summary>One customer turn: when it started and, if an agent answered, when, by whom and after how many service-hours seconds.</summary>
public sealed record Turn(DateTimeOffset StartedAt, DateTimeOffset? AnsweredAt, double? ResponseSeconds, string? AnsweredBy = null)
{
    /// <summary>Wall-clock seconds between start and answer that fell outside service hours (null while unanswered).</summary>
    public double? ClosedSeconds => AnsweredAt is { } answered ? (answered - StartedAt).TotalSeconds - ResponseSeconds!.Value : null;
}

/// <summary>The SLA facts of one conversation, computed once when it is recorded (DOMAIN.md, "Conversation metrics").</summary>
public sealed record ConversationFacts(
    DateTimeOffset StartedAt,
    bool HasCustomerMessage,
    IReadOnlyList<Turn> Turns,
    double? FirstResponseSeconds,
    bool Missed,
    bool Slow,
    bool Converted)
{
    public bool FirstTurnAnswered => FirstResponseSeconds is not null;

    /// <summary>First turn answered within 180 s, inclusive (3分钟人工响应率).</summary>
    public bool AnsweredWithinThreeMinutes => FirstResponseSeconds is <= 180;

    public IReadOnlyList<double> AnsweredResponseSeconds { get; } =
        Turns.Where(t => t.ResponseSeconds is not null).Select(t => t.ResponseSeconds!.Value).ToList();
}

public static class ConversationMetrics
{
    /// <summary>
    /// Turns are opened by the first customer message after the last agent message and answered by the next agent
    /// message; bot and system messages neither open, answer nor close a turn. Response times count service hours only.
    /// Converted: the order was paid within <paramref name="attributionHours"/> wall-clock hours after the first customer message.
    /// </summary>
    public static ConversationFacts Compute(IReadOnlyList<Message> messages, ServiceCalendar calendar,
        DateTimeOffset? orderPaidAt, double attributionHours)
    {
        if (messages.Count == 0) throw new ArgumentException("A conversation has at least one message.", nameof(messages));
        // Stable sort: messages with the same instant keep the order they were sent in.
        var ordered = messages.Select((m, i) => (m, i)).OrderBy(x => x.m.At).ThenBy(x => x.i).Select(x => x.m).ToList();

        var turns = new List<Turn>();
        DateTimeOffset? open = null;
        foreach (var message in ordered)
        {
            switch (message.From)
            {
                case Sender.Customer when open is null:
                    open = message.At;
                    break;
                case Sender.Agent when open is { } startedAt:
                    turns.Add(new Turn(startedAt, message.At, calendar.ServiceSecondsBetween(startedAt, message.At), message.AgentId));
                    open = null;
                    break;
            }
        }
        if (open is { } unanswered) turns.Add(new Turn(unanswered, null, null));

        var firstCustomer = ordered.FirstOrDefault(m => m.From == Sender.Customer)?.At;
        var first = turns.FirstOrDefault();
        return new ConversationFacts(
            StartedAt: ordered[0].At,
            HasCustomerMessage: firstCustomer is not null,
            Turns: turns,
            FirstResponseSeconds: first?.ResponseSeconds,
            Missed: first is { AnsweredAt: null },
            Slow: turns.Any(t => t.ResponseSeconds > calendar.SlowThresholdSeconds),
            Converted: firstCustomer is { } asked && orderPaidAt is { } paid
                       && paid >= asked && paid <= asked.AddHours(attributionHours));
    }
}
