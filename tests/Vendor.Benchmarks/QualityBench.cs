using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Net.Http.Json;
using Npgsql;

/// <summary>
/// QC sampling under ingestion load: conversations posted to Agreements through the gateway reach Quality as ConversationsRecordedV2;
/// Quality stores and decides each one (decided_at). Baseline in the same run: the ingest rate itself — sampling keeps up when it
/// decides conversations as fast as they are ingested (ratio ≥ 1 over the run, and ≥ 5,000/s).
/// </summary>
static class QualityBench
{
    public static async Task<IReadOnlyList<BenchRow>> Run(Options o)
    {
        var run = DateTime.UtcNow.ToString("MMddHHmmss");
        var stores = await Http.IngestStores(o, $"bench-qc-{run}");
        var templates = Conversations.Templates(o.Batch);
        Console.WriteLine($"quality: {o.Clients} clients posting batches of {o.Batch} conversations to {o.Stores} stores for {o.Seconds} s after a 10 s warm-up; " +
                          "Quality consumes ConversationsRecordedV2 and decides each conversation for QC");

        var answered = new List<(string Store, string Batch, DateTimeOffset At)>();
        long accepted = 0;
        var measuring = false;
        DateTimeOffset measureFrom = default, measureTo = default;
        var stop = DateTime.UtcNow.AddSeconds(10 + o.Seconds);
        _ = Task.Delay(10_000).ContinueWith(_ => { Interlocked.Exchange(ref accepted, 0); measureFrom = DateTimeOffset.UtcNow; measuring = true; });
        var sent = 0L;
        await Task.WhenAll(Enumerable.Range(0, o.Clients).Select(async c =>
        {
            var n = 0;
            while (DateTime.UtcNow < stop)
            {
                var batch = Interlocked.Increment(ref sent);
                var (storeId, client) = stores[(int)(batch % stores.Count)];
                var prefix = $"{run}-{c:D2}-{n++:D8}";
                var body = templates[batch % templates.Length].Replace("__ID__", prefix);
                using var response = await client.PostAsync($"/api/sla/stores/{storeId}/conversations", new StringContent(body, Encoding.UTF8, "application/json"));
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (!response.IsSuccessStatusCode) { Console.Error.WriteLine($"HTTP {(int)response.StatusCode}: {answer}"); continue; }
                var at = DateTimeOffset.UtcNow;
                if (!measuring) continue;
                Interlocked.Add(ref accepted, answer.GetProperty("accepted").GetInt32());
                lock (answered) answered.Add((storeId, prefix, at));
            }
        }));
        measureTo = DateTimeOffset.UtcNow;
        var ingestRate = accepted / (measureTo - measureFrom).TotalSeconds;

        // Wait (up to 5 minutes) until Quality has decided every measured batch.
        var storeIds = stores.Select(s => s.Id).ToArray();
        await using var db = new NpgsqlConnection(o.Postgres);
        await db.OpenAsync();
        var decided = new Dictionary<(string, string), (DateTimeOffset Last, long Conversations)>();
        var drainDeadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            decided = await DecidedAsync(db, storeIds);
            var missing = answered.Count(a => !decided.ContainsKey((a.Store, a.Batch)) || decided[(a.Store, a.Batch)].Conversations < o.Batch);
            if (missing == 0) break;
            if (DateTime.UtcNow > drainDeadline)
            {
                Console.Error.WriteLine($"quality: {missing} batches still undecided after 5 minutes");
                return [new("quality", "QC sampling decisions under ingest load", "≥ 5,000 conversations/s", "", $"ingest {ingestRate:N0} conversations/s", "", false,
                    $"{missing} batches undecided after 5 minutes")];
            }
            await Task.Delay(500);
        }

        var lags = answered.Select(a => (decided[(a.Store, a.Batch)].Last - a.At).TotalMilliseconds).Order().ToList();
        var lastDecided = answered.Max(a => decided[(a.Store, a.Batch)].Last);
        var consumeRate = answered.Count * (double)o.Batch / (lastDecided - measureFrom).TotalSeconds;
        var (sampled, risk) = await SampledAsync(db, storeIds);
        var conversations = answered.Count * (long)o.Batch;

        Console.WriteLine($"ingest through the gateway (baseline, same run): {accepted:N0} conversations in {(measureTo - measureFrom).TotalSeconds:F1} s = {ingestRate:N0} conversations/s");
        Console.WriteLine($"quality decided the same {conversations:N0} conversations by {(lastDecided - measureFrom).TotalSeconds:F1} s = {consumeRate:N0} conversations/s " +
                          $"(target >= 5,000/s); sampled {sampled:N0} agent-conversations ({risk:N0} risk picks)");
        Console.WriteLine($"lag from the ingest answer to the sampling decision, per 500-conversation batch: p50 {Http.Percentile(lags, 0.5):F0} ms, " +
                          $"p99 {Http.Percentile(lags, 0.99):F0} ms, max {lags[^1]:F0} ms");
        Console.WriteLine($"RATIO sampling/ingest = {consumeRate / ingestRate:F3}   (keeps up at >= ~1)");
        return
        [
            new("quality", $"QC sampling decisions under ingest load, {conversations:N0} conversations", "≥ 5,000 conversations/s",
                $"{consumeRate:N0} conversations/s decided; lag p50 {Suite.Ms(Http.Percentile(lags, 0.5))}, p99 {Suite.Ms(Http.Percentile(lags, 0.99))}",
                $"ingest {ingestRate:N0} conversations/s", $"{consumeRate / ingestRate:F2}", consumeRate >= 5_000),
        ];
    }

    private static async Task<Dictionary<(string, string), (DateTimeOffset, long)>> DecidedAsync(NpgsqlConnection db, string[] stores)
    {
        // Bench ids are {run}-{client}-{batch}-{i:D4}: the batch is the id without its last 5 characters.
        await using var command = new NpgsqlCommand("""
            SELECT store_id, left(conversation_id, length(conversation_id) - 5), max(decided_at), count(DISTINCT conversation_id)
            FROM quality.agent_conversations WHERE store_id = ANY($1) GROUP BY 1, 2
            """, db) { Parameters = { new() { Value = stores } } };
        var result = new Dictionary<(string, string), (DateTimeOffset, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result[(reader.GetString(0), reader.GetString(1))] = (reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3));
        return result;
    }

    private static async Task<(long Sampled, long Risk)> SampledAsync(NpgsqlConnection db, string[] stores)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(*) FILTER (WHERE reason = 'risk') FROM quality.samples WHERE store_id = ANY($1)", db) { Parameters = { new() { Value = stores } } };
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
