using System.Buffers;
using System.ComponentModel;
using Vendor.ServiceDefaults.OpenApi;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Vendor.Agreements.ServiceContracts;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;
using Vendor.ServiceDefaults;

namespace Vendor.Agreements.Ingestion;

/// <summary>
/// What one ingestion request stored, as appended to the event store until the conversations got their own outbox
/// (<see cref="RecordedOutbox"/>); kept so that events appended before then are still read and published.
/// </summary>
public sealed record ConversationsIngested(string StoreId, IReadOnlyList<Contracts.ConversationRecorded> Conversations);

[Description("一个对话的导入结果，与请求中的顺序一致。 / What became of one conversation, in the request's order.")]
public sealed record IngestResult(
    [property: Description("对话 ID（请求中缺失时为 null）。 / The conversation's id (null when the request had none).")] string? ConversationId,
    [property: Description("accepted（新记录）、updated（已合并更改）、unchanged（无变化）或 rejected（见 errors）。 / accepted (new), updated (changes merged), unchanged, or rejected (see errors).")] string Status,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    [property: Description("被拒绝时按字段列出的原因。 / Why it was rejected, by field.")]
    IReadOnlyDictionary<string, string[]>? Errors = null);

[Description("导入请求的结果：各状态的数量和逐个对话的结果。 / What an ingestion request did: counts by status and a result per conversation.")]
public sealed record IngestAnswer(
    [property: Description("新记录的对话数。 / Conversations recorded for the first time.")] int Accepted,
    [property: Description("已合并更改的对话数。 / Conversations whose changes were merged.")] int Updated,
    [property: Description("与已记录内容相同的对话数。 / Conversations identical to what was recorded.")] int Unchanged,
    [property: Description("被拒绝的对话数。 / Conversations rejected.")] int Rejected,
    [property: Description("逐个对话的结果，与请求顺序一致。 / One result per conversation, in the request's order.")] IReadOnlyList<IngestResult> Results)
    : IExample<IngestAnswer>
{
    public static IngestAnswer Example => new(1, 0, 0, 1, [
        new IngestResult("tb-20261118-000123", "accepted"),
        new IngestResult("tb-20261118-000124", "rejected", new Dictionary<string, string[]> { ["kind"] = ["Required: presales or aftersales."] }),
    ]);
}

public static class IngestionModule
{
    // The 5 MB. The gateway refuses larger bodies itself with the same limit (Gateway:BodyLimits:IngestBytes): a service
    // stricter than the gateway cut uploads off mid-body and the gateway answered 502.
    public const long MaxRequestBytes = 5 * 1024 * 1024;
    public static void Configure(StoreOptions options) =>
        options.Events.MapEventType<ConversationsIngested>("conversations.ingested.v1");

    public static void MapIngestion(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/sla/stores/{storeId}/conversations", async Task<IResult> (string storeId, HttpRequest request, IDocumentStore store,
                TimeProvider clock, RecordedOutboxPublisher outbox, CancellationToken ct) =>
            {
                IngestRequest? body;
                try
                {
                    body = await ReadAsync(request, ct);
                }
                catch (JsonException e)
                {
                    // The request's own reader names the field and the serializer the conversation it is in (e.Path).
                    var where = e.Path is { } path && !e.Message.Contains("Path:", StringComparison.Ordinal) ? $" Path: {path}." : "";
                    return Problems.Result(StatusCodes.Status400BadRequest, "Bad request", $"The body is not valid JSON: {e.Message}{where}");
                }
                if (body?.Conversations is not { } conversations)
                    return Problems.Validation(new Dictionary<string, string[]> { ["conversations"] = ["Required: a list of conversations."] });
                if (conversations.Count > ConversationRules.MaxConversationsPerRequest)
                    return Problems.Result(StatusCodes.Status413PayloadTooLarge, "Too many conversations",
                        $"At most {ConversationRules.MaxConversationsPerRequest} conversations a request; split the batch.", ProblemCatalogue.TooManyConversations);

                // Ingests of a store run side by side; one that collided with another (both inserted the same new conversation) is
                // rolled back and done again alone, when it finds the other's rows and merges into them.
                for (var alone = false; ; alone = true)
                {
                    await using var session = store.LightweightSession();
                    var onboarded = await session.LoadAsync<Store>(Store.StreamKey(storeId), ct);
                    if (onboarded is null) return StoresModule.NotOnboarded(storeId);
                    var contract = await session.LoadAsync<ServiceContract>(ServiceContract.StreamKey(storeId), ct);
                    try
                    {
                        return TypedResults.Ok(await Ingest(session, onboarded, contract, conversations, clock.GetUtcNow(), outbox, alone, ct));
                    }
                    catch (Exception e) when (!alone && ConversationLedger.IsCollision(e))
                    {
                        VendorMetrics.IngestCollisions.Add(1);
                    }
                }
            })
            .RequireCaller(Roles.Ops, Roles.Ingest)
            .WithMetadata(new RequestSizeLimitAttribute(MaxRequestBytes))
            .StoreFacing()
            .StoreTag("Ingestion", "对话导入：店铺的聊天平台导出或工具提交对话，驱动 SLA 指标。 / Ingestion: the store's chat platform export posts conversations, which drive the SLA figures.")
            .WithName("IngestConversations")
            .WithSummary("Record finished or running conversations; idempotent by conversationId (ops, or the store's ingest key).")
            .WithDescription("记录已结束或进行中的对话（每次最多 1000 个，正文最多 5 MB）。按 conversationId 幂等：重复提交会与已记录的合并，" +
                             "相同内容为 unchanged。单个对话不合规只拒绝该对话（results 中给出原因），其余照常记录。\n\n" +
                             "Record finished or running conversations (at most 1,000 a request, body at most 5 MB). Idempotent by " +
                             "conversationId: a re-post is merged with what was recorded, an identical one is unchanged. An invalid " +
                             "conversation is rejected alone (its reasons in results); the others are recorded.")
            .Accepts<IngestRequest>("application/json")
            .Produces<IngestAnswer>(200)
            .ProducesValidationProblem().Problem(400, ProblemCatalogue.BadRequest).Problem(404, ProblemCatalogue.StoreNotOnboarded)
            .Problem(413, ProblemCatalogue.TooManyConversations);

    /// <summary>
    /// The body buffered whole (at most <see cref="MaxRequestBytes"/>, which Kestrel enforces while it is read), then parsed in one
    /// pass over contiguous bytes: parsed from the stream as it arrives, the serializer takes its resumable path, which suspends and
    /// resumes its converters at every buffer boundary (ReadConstructorArgumentsWithContinuation in the profile).
    /// </summary>
    private static async Task<IngestRequest?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(ct);
            if (read.IsCanceled) throw new OperationCanceledException(ct);
            if (read.IsCompleted)
            {
                var length = (int)read.Buffer.Length;
                var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                try
                {
                    read.Buffer.CopyTo(bytes);
                    var json = bytes.AsSpan(0, length);
                    // A file saved with a byte-order mark was accepted by the stream parser, which skips one; so is it here.
                    if (json.StartsWith("\uFEFF"u8)) json = json[3..];
                    return JsonSerializer.Deserialize<IngestRequest>(json, IngestJson.Options);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(bytes);
                    reader.AdvanceTo(read.Buffer.End);
                }
            }
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    public static async Task<IngestAnswer> Ingest(IDocumentSession session, Store store, ServiceContract? contract,
        IReadOnlyList<ConversationInput> inputs, DateTimeOffset now, RecordedOutboxPublisher outbox, bool alone, CancellationToken ct)
    {
        var results = new IngestResult[inputs.Count];
        var incoming = new Dictionary<string, (RecordedConversation Conversation, List<int> Positions)>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var (conversation, errors) = ConversationRules.Validate(inputs[i]);
            if (conversation is null)
            {
                results[i] = new IngestResult(inputs[i]?.ConversationId, "rejected", errors);
                continue;
            }
            // The same conversation twice in one batch: the second copy is merged like a re-post.
            incoming[conversation.ConversationId] = incoming.TryGetValue(conversation.ConversationId, out var seen)
                ? (ConversationRules.Merge(seen.Conversation, conversation), [.. seen.Positions, i])
                : (conversation, [i]);
        }

        // Measured and serialized before the store's lock, as if new (nearly every conversation is): the lock, which queues the
        // store's other requests, is then held only for what needs the stored rows. A re-post is measured again once merged.
        var asNew = new Dictionary<string, LedgerRow>(incoming.Count);
        foreach (var (id, (conversation, _)) in incoming)
            asNew[id] = Measure(store, contract, conversation, null) with { Body = JsonSerializer.SerializeToUtf8Bytes(conversation, ConversationLedger.Json) };

        await session.BeginTransactionAsync(ct);
        // Never beside a QC review of the store (it takes the lock exclusively); beside other ingests unless retried alone. A re-post's
        // merge and its rollup delta see the latest row: the rows merged into stay locked until the commit.
        if (alone) await ConversationLedger.LockStoreAsync(session, store.StoreId, ct);
        else await ConversationLedger.ShareStoreLockAsync(session, store.StoreId, ct);
        var existing = await ConversationLedger.LoadAsync(session, store.StoreId, incoming.Keys, ct, forUpdate: true);
        var orphanReviews = await ConversationLedger.OrphanReviewsAsync(session, store.StoreId,
            incoming.Keys.Where(id => !existing.ContainsKey(id)).ToList(), ct);

        var rows = new List<LedgerRow>();
        var movedDays = new List<LedgerRow>(); // rows whose reviews must follow them to another day
        var recorded = new List<Contracts.ConversationRecorded>();
        var deltas = new Dictionary<DateOnly, DailyCounts>();
        foreach (var (id, (conversation, positions)) in incoming)
        {
            existing.TryGetValue(id, out var before);
            var merged = before is null ? conversation : ConversationRules.Merge(before.Conversation, conversation);
            string status;
            if (before is not null && merged.Same(before.Conversation)) status = "unchanged";
            else
            {
                status = before is null ? "accepted" : "updated";
                var row = before is null ? asNew[id] : Measure(store, contract, merged, before);
                // Reviews that arrived before the conversation move from their fallback days onto the conversation's day.
                foreach (var (day, count, sum) in orphanReviews.GetValueOrDefault(id) ?? [])
                {
                    deltas[day] = deltas.GetValueOrDefault(day) - default(DailyCounts) with { QcCount = count, QcSum = sum };
                    row = row with { Counts = row.Counts with { QcCount = row.Counts.QcCount + count, QcSum = row.Counts.QcSum + sum } };
                }
                if (orphanReviews.ContainsKey(id) || before is not null && before.LocalDate != row.LocalDate) movedDays.Add(row);
                rows.Add(row);
                recorded.Add(Recorded(store.StoreId, row));
                if (before is not null) deltas[before.LocalDate] = deltas.GetValueOrDefault(before.LocalDate) - before.Counts;
                deltas[row.LocalDate] = deltas.GetValueOrDefault(row.LocalDate) + row.Counts;
            }
            foreach (var position in positions) results[position] = new IngestResult(id, status);
        }

        await ConversationLedger.WriteAsync(session, store.StoreId, rows, now, ct);
        await ConversationLedger.AddToRollupsAsync(session, store.StoreId, deltas, ct);
        await ConversationLedger.AlignReviewDaysAsync(session, store.StoreId, movedDays, ct);
        // What the request publishes: the conversations for Quality and, when some are new, their arrivals for Staffing.
        var outgoing = new List<(Guid Id, object Message)>();
        if (recorded.Count > 0)
        {
            outgoing.Add((Guid.CreateVersion7(now), new Contracts.ConversationsRecordedV2(store.StoreId, recorded)));
            if (ArrivalSlots(rows) is { Count: > 0 } slots)
                outgoing.Add((Guid.CreateVersion7(now), new Contracts.ConversationArrivals(store.StoreId, slots)));
            foreach (var (id, message) in outgoing) RecordedOutbox.Enqueue(session, store.StoreId, message, id);
            await SlaWatch.CheckCurrentMonthAsync(session, store, contract, now, ct);
        }
        await session.SaveChangesAsync(ct);
        // Per store: a vendor serves tens to hundreds of stores, and ops watch each one's feed.
        if (recorded.Count > 0)
            VendorMetrics.ConversationsIngested.Add(recorded.Count, new KeyValuePair<string, object?>("store", store.StoreId));
        foreach (var (id, message) in outgoing) outbox.Committed(id, message);

        return new IngestAnswer(results.Count(r => r.Status == "accepted"), results.Count(r => r.Status == "updated"),
            results.Count(r => r.Status == "unchanged"), results.Count(r => r.Status == "rejected"), results);
    }

    /// <summary>
    /// The facts of a conversation under the calendar in force when it started and the attribution window of the
    /// contract terms in force that day; QC reviews already folded in stay with it.
    /// </summary>
    public static LedgerRow Measure(Store store, ServiceContract? contract, RecordedConversation conversation, LedgerRow? before)
    {
        var calendar = store.CalendarAt(conversation.StartedAt);
        var localStart = calendar.Local(conversation.StartedAt);
        var localDate = DateOnly.FromDateTime(localStart.DateTime);
        var attribution = contract?.TermsOn(localDate)?.AttributionHours ?? ContractDecisions.DefaultAttributionHours;
        var facts = ConversationMetrics.Compute(conversation.ForMetrics(), calendar, conversation.OrderPaidAt, attribution);
        var counts = DailyCounts.Of(facts, conversation.Resolved ?? false, conversation.Rating, conversation.Kind == "presales")
            with { QcCount = before?.Counts.QcCount ?? 0, QcSum = before?.Counts.QcSum ?? 0 };
        return new LedgerRow(conversation, localDate, counts, (before?.Revision ?? 0) + 1) { Facts = facts, LocalStart = localStart };
    }

    public const int ArrivalSlotMinutes = 5;

    /// <summary>
    /// Staffing's demand from this request: conversations recorded for the first time, by store-local date and 5-minute slot of their
    /// first message, with handle time (first to last message) where there is one. Later revisions add messages, not arrivals.
    /// </summary>
    public static IReadOnlyList<Contracts.ArrivalSlot> ArrivalSlots(IEnumerable<LedgerRow> measured)
    {
        var slots = new Dictionary<(DateOnly Date, int Minute), Contracts.ArrivalSlot>();
        foreach (var row in measured.Where(r => r.Revision == 1))
        {
            var c = row.Conversation;
            var local = row.LocalStart!.Value;
            var key = (row.LocalDate, (local.Hour * 60 + local.Minute) / ArrivalSlotMinutes * ArrivalSlotMinutes);
            var handle = (c.Messages[^1].At - c.StartedAt).TotalSeconds;
            var slot = slots.GetValueOrDefault(key) ?? new Contracts.ArrivalSlot(key.Item1, key.Item2, 0, 0, 0);
            slots[key] = handle > 0
                ? slot with { Contacts = slot.Contacts + 1, HandleSeconds = slot.HandleSeconds + handle, Handled = slot.Handled + 1 }
                : slot with { Contacts = slot.Contacts + 1 };
        }
        return [.. slots.Values];
    }

    /// <summary>A measured row as the integration event that carries it to Quality.</summary>
    public static Contracts.ConversationRecorded Recorded(string storeId, LedgerRow row)
    {
        var (c, f) = (row.Conversation, row.Facts!);
        return new Contracts.ConversationRecorded(storeId, c.ConversationId, row.Revision, c.Channel, c.Kind, c.AgentIds, c.StartedAt,
            row.LocalDate, c.Messages.Count, f.FirstResponseSeconds, f.AnsweredResponseSeconds.ToList(), f.Missed, f.Slow,
            c.Resolved ?? false, c.Rating, c.Kind == "presales" && f.Converted, c.Messages[^1].At, CustomerText(c.Messages));
    }

    private const int CustomerTextLimit = 1_000;

    /// <summary>What the customer wrote, for Quality's risk words (退款, 投诉); capped so a long chat does not bloat the message.</summary>
    public static string? CustomerText(IReadOnlyList<StoredMessage> messages)
    {
        var text = string.Join('\n', messages.Where(m => m.From == "customer" && !string.IsNullOrEmpty(m.Text)).Select(m => m.Text));
        if (text.Length <= CustomerTextLimit) return text.Length == 0 ? null : text;
        return text[..(char.IsHighSurrogate(text[CustomerTextLimit - 1]) ? CustomerTextLimit - 1 : CustomerTextLimit)];
    }
}
