using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.Testing;

namespace Vendor.Faults.Tests;

/// <summary>
/// What a real ingest client does: posts until the gateway acknowledges (2xx). A connection reset, a 502/503/504 or a 429 is
/// retried with the same request (ingestion is idempotent per conversation id), and so is a 500 (recorded in the outcomes, which
/// the tests assert never hold one: it would be a bug, and retrying keeps the totals checkable); any other answer is returned.
/// </summary>
public static class Retry
{
    public static async Task<HttpResponseMessage> UntilAcknowledgedAsync(Func<Task<HttpResponseMessage>> send,
        ConcurrentDictionary<string, int>? outcomes = null, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(180));
        while (true)
        {
            string outcome;
            try
            {
                var response = await send();
                outcome = ((int)response.StatusCode).ToString();
                outcomes?.AddOrUpdate(outcome, 1, (_, n) => n + 1);
                if (response.StatusCode is not (HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
                    or HttpStatusCode.TooManyRequests)) return response;
                response.Dispose();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                outcome = e.GetType().Name;
                outcomes?.AddOrUpdate(outcome, 1, (_, n) => n + 1);
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Not acknowledged within the deadline; last outcome {outcome}");
            await Task.Delay(200);
        }
    }
}

/// <summary>
/// One scenario's load through the gateway: conversations of one store posted in batches by its ingest key, each batch
/// retried until acknowledged (every fifth acknowledged batch is posted once more on purpose), and absences reported to
/// Staffing every two seconds, one agent (and team) each, also retried until acknowledged. Stopping finishes the request in
/// flight first: nothing the platform may have committed is left unacknowledged.
/// </summary>
public sealed class Traffic(string storeId, HttpClient ingest, HttpClient ops, IReadOnlyList<(string Agent, string Team)> agents) : IDisposable
{
    public const string Day = "2026-11-20";
    public const string Month = "2026-11";
    private const int BatchSize = 10;

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<string, byte> _acked = new();
    private readonly ConcurrentQueue<string> _absentTeams = new();

    public string StoreId { get; } = storeId;
    public ConcurrentDictionary<string, int> Outcomes { get; } = new();
    public IReadOnlyCollection<string> Acknowledged => _acked.Keys.ToList();
    public IReadOnlyCollection<string> AbsentTeams => _absentTeams.ToList();
    public int Reposts { get; private set; }
    public List<string> Errors { get; } = [];

    public void Start()
    {
        _loops.Add(Task.Run(ConversationsAsync));
        _loops.Add(Task.Run(AbsencesAsync));
    }

    public Task WaitAcknowledgedAsync(int atLeast, TimeSpan? within = null) =>
        Eventually.Until(() => Task.FromResult(_acked.Count), n => n >= atLeast || _loops.Any(l => l.IsFaulted), within ?? TimeSpan.FromSeconds(120),
            $"{atLeast} conversations acknowledged");

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
    }

    /// <summary>The n-th conversation of the store: always the same content, on <see cref="Day"/> (store-local), answered by an agent.</summary>
    private object Conversation(int n)
    {
        var at = DateTimeOffset.Parse($"{Day}T09:00:00+08:00").AddSeconds(n % 30_000);
        return new
        {
            conversationId = $"c{n:D6}", channel = "chat", kind = n % 2 == 0 ? "presales" : "aftersales", rating = "satisfied", resolved = true,
            messages = new object[]
            {
                new { at = at.ToString("o"), from = "customer", text = "请问什么时候发货？" },
                new { at = at.AddSeconds(5 + n % 50).ToString("o"), from = "agent", agentId = $"fa-{n % 7}", text = "亲，今天下午发货哦" },
            },
        };
    }

    private async Task ConversationsAsync()
    {
        for (var batch = 0; !_stop.IsCancellationRequested; batch++)
        {
            var numbers = Enumerable.Range(batch * BatchSize, BatchSize).ToList();
            var body = new { conversations = numbers.Select(Conversation).ToArray() };
            await PostAsync(body);
            foreach (var n in numbers) _acked[$"c{n:D6}"] = 0;
            if (batch % 5 == 4)
            {
                await PostAsync(body); // a re-post of an acknowledged batch: counted once
                Reposts += numbers.Count;
            }
            try { await Task.Delay(100, _stop.Token); }
            catch (OperationCanceledException) { }
        }
    }

    private async Task PostAsync(object body)
    {
        using var response = await Retry.UntilAcknowledgedAsync(
            () => ingest.PostAsJsonAsync($"/api/sla/stores/{StoreId}/conversations", body), Outcomes);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            lock (Errors) Errors.Add($"ingest answered {(int)response.StatusCode}: {text}");
            return;
        }
        var answer = JsonDocument.Parse(text).RootElement;
        if (answer.GetProperty("rejected").GetInt32() != 0)
            lock (Errors) Errors.Add($"ingest rejected conversations: {text}");
    }

    private async Task AbsencesAsync()
    {
        foreach (var (agent, team) in agents)
        {
            if (_stop.IsCancellationRequested) return;
            var now = DateTimeOffset.UtcNow;
            var body = new { agentId = agent, kind = "sick", from = now.AddMinutes(-1), to = now.AddHours(8) };
            using var response = await Retry.UntilAcknowledgedAsync(() => ops.PostAsJsonAsync("/api/staffing/absences", body), Outcomes);
            if (response.IsSuccessStatusCode) _absentTeams.Enqueue(team);
            else
            {
                var text = await response.Content.ReadAsStringAsync();
                lock (Errors) Errors.Add($"absence answered {(int)response.StatusCode}: {text}");
            }
            try { await Task.Delay(2000, _stop.Token); }
            catch (OperationCanceledException) { return; }
        }
    }

    public string Summary() =>
        $"{_acked.Count} conversations acknowledged ({Reposts} re-posted on purpose), {_absentTeams.Count} absences; outcomes " +
        string.Join(", ", Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}×{o.Value}"));

    public void Dispose()
    {
        _stop.Cancel();
        ingest.Dispose();
        ops.Dispose();
        _stop.Dispose();
    }
}
