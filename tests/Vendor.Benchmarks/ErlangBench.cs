using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

/// <summary>
/// Erlang C evaluations per second through the gateway (GET /api/staffing/erlang, varied queues, o.Clients concurrent
/// clients for o.Seconds after a warm-up), against the gateway's own /health/live at the same concurrency in the same run.
/// </summary>
static class ErlangBench
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10); // freshly started services: let the JIT tier up first

    private sealed record Throughput(long Answered, long Failed, int? FailureStatus, TimeSpan Elapsed, double P50, double P99)
    {
        public double PerSecond => Answered / Elapsed.TotalSeconds;
    }

    public static async Task<IReadOnlyList<BenchRow>> Run(Options o)
    {
        var ops = Http.Client(o.Gateway, o.OpsKey);
        var queues = Queues(count: 256);
        var queries = queues.Select(q => q.Path).ToArray();

        // One answer first: a stack without the endpoint (or a bad key) should say so, not report a rate of errors.
        using (var probe = await ops.GetAsync(queries[0]))
        {
            var text = await probe.Content.ReadAsStringAsync();
            if (!probe.IsSuccessStatusCode || !JsonDocument.Parse(text).RootElement.TryGetProperty("seats", out _))
            {
                Console.Error.WriteLine($"GET {queries[0]}: HTTP {(int)probe.StatusCode} {text}");
                return [new("staffing", "Erlang C through the gateway", "", "", "", "", null, $"GET {queries[0]}: HTTP {(int)probe.StatusCode}")];
            }
        }
        Console.WriteLine($"erlang: {o.Clients} clients, {queries.Length} different queues (up to {queues.Max(q => q.Erlangs):N0} erlangs), " +
                          $"{o.Seconds} s each after a {WarmUp.TotalSeconds:N0} s warm-up");

        var baseline = await Measure(ops, _ => "/health/live", o.Clients, TimeSpan.FromSeconds(o.Seconds));
        var erlang = await Measure(ops, i => queries[i % queries.Length], o.Clients, TimeSpan.FromSeconds(o.Seconds));

        Report("Erlang C through the gateway", "evaluations/s", erlang);
        Report("baseline, gateway /health/live", "requests/s", baseline);
        Console.WriteLine($"RATIO erlang/baseline = {erlang.PerSecond / baseline.PerSecond:F3} (throughput), " +
                          $"p99 erlang/baseline = {erlang.P99 / baseline.P99:F1}");
        return
        [
            new("staffing", $"Erlang C through the gateway, {queries.Length} queues up to {queues.Max(q => q.Erlangs):N0} erlangs, {o.Clients} clients, {o.Seconds} s",
                "—", $"{erlang.PerSecond:N0} evaluations/s; p99 {Suite.Ms(erlang.P99)}", $"gateway /health/live {baseline.PerSecond:N0} requests/s",
                $"{erlang.PerSecond / baseline.PerSecond:F2} (throughput)", null,
                erlang.Failed + baseline.Failed == 0 ? null : $"{erlang.Failed + baseline.Failed:N0} requests failed (HTTP {erlang.FailureStatus ?? baseline.FailureStatus})"),
        ];
    }

    /// <summary>Queues from a quiet web shop to a national hotline, calls and chats, with and without caps.</summary>
    private static (string Path, double Erlangs)[] Queues(int count)
    {
        var random = new Random(42);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var contactsPerHour = Math.Round(Math.Exp(random.NextDouble() * Math.Log(50_000)), 1); // 1 to 50,000 an hour, log-spread
            var aht = random.Next(30, 901);
            var serviceLevel = new[] { 0.7, 0.8, 0.85, 0.9, 0.95 }[random.Next(5)];
            var answer = new[] { 10, 20, 30, 60 }[random.Next(4)];
            var query = string.Create(CultureInfo.InvariantCulture,
                $"/api/staffing/erlang?contactsPerHour={contactsPerHour}&ahtSeconds={aht}&serviceLevel={serviceLevel}&answerSeconds={answer}" +
                $"&concurrency={random.Next(1, 4)}&shrinkage={random.Next(0, 36) / 100.0}");
            return (random.Next(3) == 0 ? query + "&maxOccupancy=0.85" : query, contactsPerHour * aht / 3600);
        }).ToArray();
    }

    /// <summary>The same closed-loop load twice: once to warm up (discarded), then measured.</summary>
    private static async Task<Throughput> Measure(HttpClient client, Func<long, string> pathOf, int clients, TimeSpan window)
    {
        await Load(client, pathOf, clients, WarmUp);
        return await Load(client, pathOf, clients, window);
    }

    private static async Task<Throughput> Load(HttpClient client, Func<long, string> pathOf, int clients, TimeSpan window)
    {
        var clock = Stopwatch.StartNew();
        var next = -1L;
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            var latencies = new List<double>();
            var failed = 0L;
            int? failureStatus = null;
            while (clock.Elapsed < window)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await client.GetAsync(pathOf(Interlocked.Increment(ref next)));
                await response.Content.ReadAsByteArrayAsync();
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.IsSuccessStatusCode) latencies.Add(ms);
                else (failed, failureStatus) = (failed + 1, (int)response.StatusCode);
            }
            return (Latencies: latencies, Failed: failed, FailureStatus: failureStatus);
        }));
        var elapsed = clock.Elapsed; // until the last request of the window has answered
        var all = perClient.SelectMany(c => c.Latencies).Order().ToList();
        return new Throughput(all.Count, perClient.Sum(c => c.Failed), perClient.Select(c => c.FailureStatus).FirstOrDefault(s => s is not null),
            elapsed, Http.Percentile(all, 0.5), Http.Percentile(all, 0.99));
    }

    private static void Report(string what, string unit, Throughput t)
    {
        Console.WriteLine($"{what}: {t.Answered:N0} in {t.Elapsed.TotalSeconds:F1} s = {t.PerSecond:N0} {unit}; p50 {t.P50:F2} ms, p99 {t.P99:F2} ms");
        if (t.Failed > 0)
            Console.Error.WriteLine($"  {t.Failed:N0} requests failed (e.g. HTTP {t.FailureStatus}" +
                                    (t.FailureStatus == 429 ? ": the per-key rate limit; ./vendor bench lifts it)" : ")"));
    }
}
