using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vendor.Ops.ErrorQueues;
using Vendor.Testing;
using Xunit.Abstractions;

namespace Vendor.Faults.Tests;

/// <summary>
/// The promise checked after each fault: every acknowledged conversation counted exactly once (SLA figures, monthly report,
/// the ledger's conversation list), sampled once in Quality (the test samples every one), every absence's alert raised once
/// per channel, and no message in an error queue of the private broker.
/// </summary>
public static partial class Totals
{
    public static async Task VerifyAsync(FaultPlatform platform, Traffic traffic, ITestOutputHelper output)
    {
        Assert.Empty(traffic.Errors);
        Assert.DoesNotContain("500", traffic.Outcomes.Keys);
        var acked = traffic.Acknowledged.ToHashSet();
        var store = traffic.StoreId;
        using var ops = platform.Client(FaultPlatform.OpsKey);
        async Task<JsonElement> Get(string path)
        {
            using var response = await Retry.UntilAcknowledgedAsync(() => ops.GetAsync(path));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        // SLA figures: converge to the acknowledged count (more would be a doubled conversation, which never goes away).
        var period = $"from={Traffic.Day}&to={Traffic.Day}";
        var counted = await Eventually.Until(async () => (await Get($"/api/sla/stores/{store}/sla?{period}")).GetProperty("conversations").GetInt64(),
            n => n >= acked.Count, TimeSpan.FromSeconds(60), $"{acked.Count} conversations in the SLA figures");
        Assert.Equal(acked.Count, counted);
        Assert.Equal(acked.Count, (await Get($"/api/sla/stores/{store}/reports/{Traffic.Month}")).GetProperty("conversations").GetInt64());

        // The ledger: each acknowledged conversation listed exactly once, nothing else.
        var listed = new List<string>();
        string? cursor = null;
        do
        {
            var page = await Get($"/api/sla/stores/{store}/conversations?{period}&limit=500{(cursor is null ? "" : $"&cursor={cursor}")}");
            listed.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("conversationId").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(acked.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));

        // Quality: every agent-conversation sampled (the policy samples all), none twice.
        var samples = await Eventually.Until(async () => (await Get($"/api/quality/samples?storeId={store}&date={Traffic.Day}")).EnumerateArray()
                .Select(s => (Conversation: s.GetProperty("conversationId").GetString()!, Agent: s.GetProperty("agentId").GetString()!)).ToList(),
            s => s.Count >= acked.Count, TimeSpan.FromSeconds(90), $"{acked.Count} samples in Quality");
        Assert.Equal(samples.Count, samples.Distinct().Count());
        Assert.Equal(acked.Order(StringComparer.Ordinal), samples.Select(s => s.Conversation).Order(StringComparer.Ordinal));

        // Alerts: each absence's team has one alert in Staffing, and its raise reached each channel exactly once.
        var teams = traffic.AbsentTeams.ToList();
        Assert.NotEmpty(teams);
        var alerts = await Eventually.Until(async () => (await Get("/api/staffing/alerts?status=all")).EnumerateArray()
                .Select(a => (Id: a.GetProperty("alertId").GetString()!, Scope: a.GetProperty("scope").GetString()!))
                .Where(a => teams.Contains(a.Scope["team:".Length..])).ToList(),
            a => teams.All(t => a.Any(x => x.Scope == $"team:{t}")), TimeSpan.FromSeconds(90), "an alert for each absent team");
        var doubled = alerts.GroupBy(a => a.Scope).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(a => a.Id))}").ToList();
        Assert.True(doubled.Count == 0, $"teams with more than one alert: {string.Join("; ", doubled)}");
        var raised = await Eventually.Until(() => Task.FromResult(RaisedDeliveries(platform.Receiver, teams)),
            r => teams.All(t => Channels.All(c => r.Any(x => x.Team == t && x.Channel == c))), TimeSpan.FromSeconds(90),
            "each alert raise accepted by DingTalk, WeCom and the webhook");
        // One alert identity (alert id and version, the Idempotency-Key) per team and channel. A process killed between a robot's
        // answer and the commit of "delivered" sends that same identity again on restart (at least once: DingTalk and WeCom
        // robots cannot deduplicate, a webhook receiver can by the key): reported, not counted as a second alert.
        var wrong = teams.SelectMany(t => Channels.Select(c => (t, c, Keys: raised.Where(x => x.Team == t && x.Channel == c).Select(x => x.Key).Distinct().ToList())))
            .Where(x => x.Keys.Count != 1)
            .Select(x => $"team {x.t} on {x.c}: {x.Keys.Count} alert raises ({string.Join(", ", x.Keys)})").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        var resent = raised.GroupBy(x => x.Key).Where(g => g.Count() > 1).ToList();
        if (resent.Count > 0)
            output.WriteLine($"the same alert message sent again after a kill (same Idempotency-Key): {string.Join(", ", resent.Select(g => $"{g.Key} ×{g.Count()}"))}");
        // Such a resend says so: every copy after the first is marked as a possible repeat.
        Assert.All(resent, g => Assert.All(g.Skip(1), x => Assert.True(x.MarkedRepeat, $"{x.Key} on {x.Channel} resent unmarked")));

        await AssertErrorQueuesEmptyAsync(platform, output);
        output.WriteLine($"{store}: {traffic.Summary()}; SLA {counted}, listed {listed.Count}, sampled {samples.Count}, {teams.Count} alerts × 3 channels once each");
    }

    private static readonly string[] Channels = ["dingtalk", "wecom", "webhook"];

    /// <summary>Accepted "raised" messages by team and channel; a message resent with the same idempotency key counts each time.</summary>
    private static List<(string Team, string Channel, string Key, bool MarkedRepeat)> RaisedDeliveries(WebhookReceiver receiver, IReadOnlyCollection<string> teams)
    {
        var found = new List<(string, string, string, bool)>();
        foreach (var call in receiver.Calls.Where(c => c.Accepted))
        {
            var body = JsonDocument.Parse(call.Body).RootElement;
            string scope;
            bool isRaise, repeat;
            if (call.Robot == "webhook")
            {
                scope = body.GetProperty("alert").GetProperty("scope").GetString()!;
                isRaise = body.GetProperty("change").GetString() == "raised";
                repeat = body.GetProperty("possibleRepeat").GetBoolean();
            }
            else
            {
                var text = call.Robot == "dingtalk"
                    ? body.GetProperty("markdown").GetProperty("text").GetString()!
                    : body.GetProperty("markdown").GetProperty("content").GetString()!;
                scope = ScopeLine().Match(text).Groups[1].Value.Trim();
                repeat = text.StartsWith(RepeatMark, StringComparison.Ordinal);
                if (repeat) text = "### " + text[RepeatMark.Length..];
                isRaise = !text.StartsWith("### 【", StringComparison.Ordinal); // a raise's title has no state prefix
            }
            if (isRaise && scope.StartsWith("team:") && teams.Contains(scope["team:".Length..]))
                found.Add((scope["team:".Length..], call.Robot, call.IdempotencyKey ?? "?", repeat));
        }
        return found;
    }

    private const string RepeatMark = "### 【可能重复 possible repeat】";

    [GeneratedRegex(@"范围 scope: (\S+)")]
    private static partial Regex ScopeLine();

    /// <summary>Fails, printing each message with its fault reason, when an error (or skipped) queue of the private node holds messages.</summary>
    public static async Task AssertErrorQueuesEmptyAsync(FaultPlatform platform, ITestOutputHelper output)
    {
        var queues = await platform.Infra.QueuesAsync();
        Assert.NotEmpty(queues);
        var failed = queues.Where(q => ErrorQueueClient.IsParkedQueue(q.Name) && q.Messages > 0).ToList();
        if (failed.Count == 0) return;
        var report = new StringBuilder();
        await using var client = new ErrorQueueClient(new Uri(platform.Infra.RabbitMq));
        foreach (var queue in failed)
        {
            report.AppendLine($"{queue.Name}: {queue.Messages} messages");
            foreach (var m in (await client.InspectAsync(queue.Name, limit: 5))?.Messages ?? [])
                report.AppendLine($"  {m.MessageType} {m.MessageId} ({m.Consumer}): {m.ExceptionType}: {m.ExceptionMessage}");
        }
        output.WriteLine(report.ToString());
        Assert.Fail($"error queues are not empty:\n{report}");
    }
}
