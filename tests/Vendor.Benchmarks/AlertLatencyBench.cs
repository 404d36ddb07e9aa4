using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

/// <summary>
/// ./vendor bench staffing, part 1: absence POST through the gateway → alert raised → webhook received by a local receiver,
/// p50/p99 over many absences (each of its own one-agent team, so each raises its own alert; the bench lowers the spike
/// floor to one absence). Baseline in the same run: the absence POST's own round trip.
/// </summary>
static class AlertLatencyBench
{
    public static async Task<IReadOnlyList<BenchRow>> Run(Options o, int events = 1000, int perSecond = 25)
    {
        var ops = Http.Client(o.Gateway, o.OpsKey);
        var run = DateTime.UtcNow.ToString("MMddHHmmss");
        var received = new ConcurrentDictionary<string, long>();
        using var listener = StartReceiver(received, out var url);
        var channel = await ops.PostAsJsonAsync("/api/staffing/alert-channels", new { kind = "webhook", url, name = $"bench {run}" });
        channel.EnsureSuccessStatusCode();
        var channelId = (await channel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("channelId").GetString();

        var agents = Enumerable.Range(0, events).Select(i => (Agent: $"b{run}-{i:D5}", Team: $"bench-{run}-{i:D5}")).ToList();
        await Parallel.ForEachAsync(agents, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (a, ct) =>
            (await ops.PostAsJsonAsync("/api/staffing/agents", new { agentId = a.Agent, name = "压测", team = a.Team, skills = new[] { "presales" }, hiredOn = "2026-01-01" }, ct))
            .EnsureSuccessStatusCode());

        Console.WriteLine($"alerts: {events} absences at {perSecond}/s, each raising its own alert to a local webhook");
        var sentAt = new ConcurrentDictionary<string, long>();
        var postLatencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        var tasks = agents.Select(async (a, i) =>
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            var now = DateTimeOffset.UtcNow;
            var started = Stopwatch.GetTimestamp();
            sentAt[$"team:{a.Team}"] = started;
            var response = await ops.PostAsJsonAsync("/api/staffing/absences", new { agentId = a.Agent, kind = "sick", from = now.AddMinutes(-1), to = now.AddHours(8) });
            postLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            response.EnsureSuccessStatusCode();
        }).ToList();
        await Task.WhenAll(tasks);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (agents.Any(a => !received.ContainsKey($"team:{a.Team}")) && DateTime.UtcNow < deadline) await Task.Delay(100);

        var latencies = agents.Where(a => received.ContainsKey($"team:{a.Team}"))
            .Select(a => Stopwatch.GetElapsedTime(sentAt[$"team:{a.Team}"], received[$"team:{a.Team}"]).TotalMilliseconds).Order().ToList();
        var posts = postLatencies.Order().ToList();
        await ops.DeleteAsync($"/api/staffing/alert-channels/{channelId}");
        Console.WriteLine($"absence POST → webhook received: {latencies.Count:N0} of {events:N0} delivered; p50 {Http.Percentile(latencies, 0.5):F0} ms, " +
                          $"p99 {Http.Percentile(latencies, 0.99):F0} ms, max {(latencies.Count > 0 ? latencies[^1] : 0):F0} ms  (target p99 < 1,000 ms)");
        Console.WriteLine($"baseline, the absence POST's own round trip: p50 {Http.Percentile(posts, 0.5):F1} ms, p99 {Http.Percentile(posts, 0.99):F1} ms; " +
                          $"RATIO p99 end-to-end/POST = {Http.Percentile(latencies, 0.99) / Math.Max(0.001, Http.Percentile(posts, 0.99)):F1}");
        var p99 = Http.Percentile(latencies, 0.99);
        var postP99 = Http.Percentile(posts, 0.99);
        return
        [
            new("staffing", $"absence POST → alert webhook received, {events:N0} absences at {perSecond}/s", "p99 < 1 s",
                $"p50 {Suite.Ms(Http.Percentile(latencies, 0.5))}, p99 {Suite.Ms(p99)}", $"the absence POST alone: p99 {Suite.Ms(postP99)}",
                $"{p99 / Math.Max(0.001, postP99):F1} (p99)", p99 < 1000 && latencies.Count == events,
                latencies.Count == events ? null : $"{events - latencies.Count:N0} alerts not delivered within 60 s"),
        ];
    }

    /// <summary>A minimal webhook receiver: notes when the first "raised" delivery of each scope arrived.</summary>
    private static HttpListener StartReceiver(ConcurrentDictionary<string, long> received, out string url)
    {
        var port = Random.Shared.Next(20_000, 40_000);
        var listener = new HttpListener();
        url = $"http://127.0.0.1:{port}/hook/";
        listener.Prefixes.Add(url);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                var at = Stopwatch.GetTimestamp();
                using (var body = JsonDocument.Parse(context.Request.InputStream))
                {
                    if (body.RootElement.GetProperty("change").GetString() == "raised")
                        received.TryAdd(body.RootElement.GetProperty("alert").GetProperty("scope").GetString()!, at);
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        return listener;
    }
}
