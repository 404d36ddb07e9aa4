using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vendor.ServiceDefaults;

/// <summary>
/// Gateway overhead: the SLA API (a route that reads PostgreSQL) through the gateway (API key lookup, rate limits, audit, YARP) against
/// Agreements called directly with the identity headers the gateway would have signed, at the same open-loop request rate. Both paths
/// are warmed up, then measured in alternating rounds (direct, gateway, gateway, direct, ...) so whatever else the machine does falls
/// on both alike. Target: p99 through the gateway at most 1.5 × p99 direct.
/// </summary>
static class GatewayOverheadBench
{
    private const string StoreId = "bench-gateway";
    private const int Seeded = 20_000;
    // Half-second rounds, alternating: a burst of other work on the machine (a build, another benchmark's backlog) lasts longer than
    // a round, so it falls on both paths alike instead of on whichever happened to be measured then.
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(0.5);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    public static async Task<IReadOnlyList<BenchRow>> Run(Options o)
    {
        var secretFile = o.GatewaySecretFile ?? throw new InvalidOperationException("--gateway-secret-file is needed to call Agreements directly");
        var secret = (await File.ReadAllTextAsync(secretFile)).Trim();
        var ops = Http.Client(o.Gateway, o.OpsKey);
        // Onboarding is idempotent (the same details again: 200); the store holds a few weeks of conversations, seeded once.
        var ingest = Http.Client(o.Gateway, await Http.StoreWithIngestKey(ops, StoreId));
        var issued = await ops.PostAsJsonAsync("/api/keys", new { name = $"bench store {StoreId}", role = Roles.Store, storeId = StoreId });
        issued.EnsureSuccessStatusCode();
        var key = await issued.Content.ReadFromJsonAsync<JsonElement>();
        var (keyId, storeKey) = (key.GetProperty("keyId").GetString()!, key.GetProperty("secret").GetString()!);

        var path = $"/api/sla/stores/{StoreId}/sla?from=2026-11-01&to=2026-11-30";
        var gateway = Http.Client(o.Gateway, storeKey);
        var direct = new HttpClient(new Vendor.Testing.GatewaySigningHandler(new CallerIdentity(keyId, Roles.Store, StoreId), secret) { InnerHandler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 } })
        {
            BaseAddress = o.Agreements, Timeout = TimeSpan.FromSeconds(30),
        };

        var held = (await gateway.GetFromJsonAsync<JsonElement>(path)).GetProperty("conversations").GetInt64();
        if (held < Seeded)
        {
            Console.WriteLine($"gateway: seeding {StoreId} with {Seeded:N0} conversations in November 2026 (once per database)");
            for (var b = 0; b < Seeded / 500; b++)
            {
                var body = Conversations.Batch($"g{b}", 500, new DateTimeOffset(2026, 11, 1 + b % 30, 0, 0, 0, TimeSpan.FromHours(8)), new Random(b));
                (await ingest.PostAsync($"/api/sla/stores/{StoreId}/conversations", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            }
            await Http.Drain(o, [StoreId]);
        }
        // Both paths must give the same answer, or the comparison is meaningless.
        var viaGateway = await gateway.GetStringAsync(path);
        var viaDirect = await direct.GetStringAsync(path);
        if (JsonDocument.Parse(viaGateway).RootElement.GetProperty("conversations").GetInt64() != JsonDocument.Parse(viaDirect).RootElement.GetProperty("conversations").GetInt64())
            throw new InvalidOperationException("the gateway and Agreements answered differently");

        // At least 30 s a path (6,000 requests at 200/s): a p99 of fewer samples swings with any one burst of other work.
        var rounds = (int)(Math.Max(30, o.Seconds) / Round.TotalSeconds);
        Console.WriteLine($"gateway overhead: GET {path} ({viaDirect.Length:N0} bytes), {o.Rate} requests/s open loop, {WarmUp.TotalSeconds:N0} s warm-up each, " +
                          $"then {rounds} rounds of {Round.TotalSeconds:N1} s each path, alternating");
        await Paced(direct, path, o.Rate, WarmUp);
        await Paced(gateway, path, o.Rate, WarmUp);
        var (d, g) = (new Sample(), new Sample());
        var gatewayProcess = GatewayProcess(o);
        var gatewayCpu = TimeSpan.Zero;
        for (var r = 0; r < rounds; r++)
        {
            // direct, gateway, gateway, direct, ...: neither path always goes first.
            var order = r % 2 == 0 ? new[] { (direct, d), (gateway, g) } : [(gateway, g), (direct, d)];
            foreach (var (client, sample) in order)
            {
                var before = CpuTime(gatewayProcess);
                sample.Add(await Paced(client, path, o.Rate, Round));
                if (sample == g) gatewayCpu += CpuTime(gatewayProcess) - before;
            }
        }
        // What the gateway process itself spends on a proxied request (its idle background work included, which is small).
        var cpuPerRequest = gatewayProcess is null || g.Count == 0 ? (double?)null : gatewayCpu.TotalMicroseconds / g.Count;
        var (dp50, dp99, gp50, gp99) = (d.P(0.5), d.P(0.99), g.P(0.5), g.P(0.99));
        var ratio = gp99 / dp99;
        Console.WriteLine($"  direct to Agreements: {d.Count:N0} requests, p50 {Suite.Ms(dp50)}, p99 {Suite.Ms(dp99)}, max {Suite.Ms(d.P(1))}; " +
                          $"dispatch lag mean {d.MeanLag:F2} ms, {d.Failed} failed");
        Console.WriteLine($"  through the gateway:  {g.Count:N0} requests, p50 {Suite.Ms(gp50)}, p99 {Suite.Ms(gp99)}, max {Suite.Ms(g.P(1))}; " +
                          $"dispatch lag mean {g.MeanLag:F2} ms, {g.Failed} failed");
        Console.WriteLine($"RATIO p99 gateway/direct = {ratio:F2} ({gp99 - dp99:+0.00;-0.00} ms; p50 {gp50 - dp50:+0.00;-0.00} ms)   (target <= 1.5)" +
                          (cpuPerRequest is { } us ? $"; the gateway process spent {us:N0} µs of CPU a request" : ""));
        return
        [
            new("gateway", $"gateway overhead: GET …/sla (reads PostgreSQL) through the gateway, {o.Rate} requests/s open loop, {d.Count:N0} requests a path",
                "p99 ≤ 1.5 × direct", $"p50 {Suite.Ms(gp50)}, p99 {Suite.Ms(gp99)}" + (cpuPerRequest is { } cpu ? $"; gateway CPU {cpu:N0} µs a request" : ""), $"Agreements directly (signed caller headers): p50 {Suite.Ms(dp50)}, p99 {Suite.Ms(dp99)}",
                $"{ratio:F2} (p99; {gp99 - dp99:+0.00;-0.00} ms; p50 {gp50 - dp50:+0.00;-0.00} ms)", ratio <= 1.5,
                d.Failed + g.Failed == 0 ? null : $"{d.Failed + g.Failed} requests failed"),
        ];
    }

    /// <summary>The gateway's process (from --gateway-pid-file, which ./vendor passes), to read its CPU time; null when not on this machine.</summary>
    private static Process? GatewayProcess(Options o)
    {
        try
        {
            return o.GatewayPidFile is { } file && File.Exists(file) ? Process.GetProcessById(int.Parse(File.ReadAllText(file).Trim())) : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static TimeSpan CpuTime(Process? process)
    {
        if (process is null) return TimeSpan.Zero;
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>Latencies of one path, over every round.</summary>
    private sealed class Sample
    {
        private readonly List<double> _latencies = [];
        private double _lagSum;

        public int Failed { get; private set; }
        public int Count => _latencies.Count;
        public double MeanLag => Count == 0 ? 0 : _lagSum / Count;

        public void Add(PacedRun run)
        {
            _latencies.AddRange(run.Latencies);
            _lagSum += run.LagSum;
            Failed += run.Failed;
            _latencies.Sort();
        }

        public double P(double p) => Http.Percentile(_latencies, p);
    }

    private sealed record PacedRun(List<double> Latencies, double LagSum, int Failed);

    /// <summary>
    /// Open loop: request i is sent at start + i / rate whether or not the earlier ones have answered (a slow answer does not slow
    /// the load down). A dedicated thread paces the sends (5 ms apart at 200/s); each latency is from its send to the last byte of its answer.
    /// </summary>
    private static async Task<PacedRun> Paced(HttpClient client, string path, int rate, TimeSpan duration)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var latencies = new double[count];
        var lags = new double[count];
        var ok = new bool[count];
        var sends = new Task[count];
        var start = Stopwatch.GetTimestamp();
        var pacer = new Thread(() =>
        {
            for (var i = 0; i < count; i++)
            {
                var due = start + (long)(i * (double)Stopwatch.Frequency / rate);
                // Sleeping, not spinning: a spinning pacer would take a third of a core from the servers measured. The send is up to
                // about a millisecond late (reported as the dispatch lag); the latency counts from the actual send either way.
                while (Stopwatch.GetTimestamp() < due) Thread.Sleep(1);
                lags[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
                sends[i] = Send(i);
            }
        }) { IsBackground = true, Name = "pacer" };

        async Task Send(int i)
        {
            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                ok[i] = response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
            }
        }

        pacer.Start();
        await Task.Run(pacer.Join);
        await Task.WhenAll(sends);
        var answered = Enumerable.Range(0, count).Where(i => ok[i]).ToList();
        return new PacedRun(answered.Select(i => latencies[i]).ToList(), lags.Sum(), count - answered.Count);
    }
}
