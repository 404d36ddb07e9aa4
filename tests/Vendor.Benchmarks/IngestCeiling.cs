using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Vendor.Agreements.Ingestion;
using Vendor.Agreements.Sla;
using Vendor.Agreements.Stores;
using Vendor.Quality.Conversations;

/// <summary>
/// What the ingest ratio could reach on this machine, from two measurements beside the ingest's own.
/// <para><see cref="StorageFloor"/>: the ingest's required writes alone. Rows the run just stored (Agreements' ledger rows and Quality's
/// fact rows, as many of those a conversation as the run wrote) are COPYed again, under new ids, into copies of the two tables with their
/// indexes, by as many connections as the ingest had clients, a request's worth of conversations a transaction. No HTTP, no bus, no
/// service code: its rate over the COPY baseline is the most the ingest ratio can reach on this machine, however lean the services get.
/// The copies are dropped afterwards.</para>
/// <para><see cref="ServiceWork"/>: the services' own work on each conversation, called in this process on one thread: what no
/// framework, network hop or other process adds.</para>
/// </summary>
static class IngestCeiling
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(3);

    /// <param name="PostgresMicros">PostgreSQL's CPU a conversation, less what it spent as fast before the floor's first write (autovacuum
    /// and checkpoints catching up on the load).</param>
    public sealed record Result(double Rate, double FactsPerConversation, double PostgresMicros, double PostgresIdleCores, double WriterMicros);

    /// <summary>
    /// The floor and the ceiling after an ingest load, printed and as rows beside the ingest's own. A failure costs these rows (an error
    /// row instead), not the ingest's.
    /// </summary>
    /// <param name="cpu">Cores each part of the platform used during the ingest's measured window, at <paramref name="rate"/> conversations/s.</param>
    public static async Task<IReadOnlyList<BenchRow>> Rows(Options o, string[] storeIds, IReadOnlyList<(string Part, double Cores)> cpu,
        double rate, double baseline, Work work, string copy)
    {
        try
        {
            if (await StorageFloor(o.Postgres, storeIds, o.Clients, o.Batch, TimeSpan.FromSeconds(Math.Min(o.Seconds, 20))) is not { } floor) return [];
            var writes = $"{floor.Rate:N0} conversations/s; PostgreSQL {floor.PostgresMicros:N1} µs + the writer {floor.WriterMicros:N1} µs of CPU a conversation";
            Console.WriteLine($"storage floor, the run's ledger rows and Quality's fact rows ({floor.FactsPerConversation:F2} a conversation) COPYed again by " +
                              $"{o.Clients} connections, nothing else: {writes} (PostgreSQL's {floor.PostgresIdleCores:F2} cores before it began left out); " +
                              $"RATIO floor/baseline = {floor.Rate / baseline:F3}");
            // The floor plus the least the rest can cost: the services' own work as measured in process, the gateway and RabbitMQ hops and
            // Staffing as they cost during the ingest; every core busy with nothing else.
            var gatewayBusStaffingMicros = cpu.Where(p => p.Part is "gateway" or "RabbitMQ" or "Staffing").Sum(p => p.Cores) / rate * 1e6;
            var least = floor.PostgresMicros + floor.WriterMicros + work.Total + gatewayBusStaffingMicros;
            var ceiling = Environment.ProcessorCount * 1e6 / least;
            Console.WriteLine($"ceiling: storage {floor.PostgresMicros + floor.WriterMicros:F1} + the services' own work {work.Total:F1} + gateway, RabbitMQ " +
                              $"and Staffing {gatewayBusStaffingMicros:F1} = {least:F1} µs a conversation; {Environment.ProcessorCount} cores allow {ceiling:N0}/s = " +
                              $"{ceiling / baseline:F3} of the baseline (the ingest spent {cpu.Sum(p => p.Cores) / rate * 1e6:F0} µs)");
            return
            [
                new("ingest", $"storage floor: the ledger and Quality's fact rows alone, COPYed by {o.Clients} connections (no HTTP, bus or service code)",
                    "— (a bound on the ratio)", writes, copy, $"{floor.Rate / baseline:F2}", null),
                new("ingest", "ceiling: the storage floor + the services' own work in process + gateway, RabbitMQ and Staffing as measured, every core busy",
                    "— (the ceiling of the ratio)", $"{least:F1} µs a conversation = {ceiling:N0} conversations/s", copy, $"{ceiling / baseline:F2}", null),
            ];
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
        {
            Console.Error.WriteLine($"storage floor: {e.Message}");
            return [new("ingest", "storage floor and ceiling", "—", "not measured", copy, "—", null, e.Message)];
        }
    }

    public static async Task<Result?> StorageFloor(string postgres, string[] storeIds, int clients, int conversationsPerTransaction,
        TimeSpan measured)
    {
        await using var data = NpgsqlDataSource.Create(postgres);
        var ledger = await Sample(data, "SELECT * FROM agreements.conversations WHERE store_id = ANY($1) LIMIT 8000", storeIds);
        var facts = await Sample(data, "SELECT * FROM quality.agent_conversations WHERE store_id = ANY($1) LIMIT 9000", storeIds);
        if (ledger.Rows.Count < conversationsPerTransaction || facts.Rows.Count == 0) return null;
        double factsPerConversation;
        await using (var counts = data.CreateCommand("SELECT (SELECT count(*) FROM quality.agent_conversations WHERE store_id = ANY($1))::float8 / " +
                                                     "(SELECT count(*) FROM agreements.conversations WHERE store_id = ANY($1))"))
        {
            counts.Parameters.Add(new() { Value = storeIds });
            factsPerConversation = (double)(await counts.ExecuteScalarAsync())!;
        }
        var factRows = (int)Math.Round(conversationsPerTransaction * factsPerConversation);
        try
        {
            // The ledger's body has no statistics (see ConversationLedger): LIKE does not copy that, and ANALYZE of a growing copy would sort
            // sampled jsonb bodies the real table never sorts.
            await Execute(data, """
                DROP SCHEMA IF EXISTS bench_floor CASCADE; CREATE SCHEMA bench_floor;
                CREATE TABLE bench_floor.conversations (LIKE agreements.conversations INCLUDING ALL);
                ALTER TABLE bench_floor.conversations ALTER COLUMN body SET STATISTICS 0;
                CREATE TABLE bench_floor.agent_conversations (LIKE quality.agent_conversations INCLUDING ALL);
                """);
            var idleBefore = MachineCpu.Snapshot();
            await Task.Delay(Idle);
            var idleCores = MachineCpu.Between(idleBefore, MachineCpu.Snapshot(), Idle).Where(p => p.Part == "PostgreSQL").Sum(p => p.Cores);

            long written = 0;
            var measuring = false;
            var stop = DateTime.UtcNow + WarmUp + measured;
            var clock = new Stopwatch();
            var cpuBefore = new Dictionary<int, (string Part, double Seconds)>();
            _ = Task.Delay(WarmUp).ContinueWith(_ =>
            {
                cpuBefore = MachineCpu.Snapshot();
                Interlocked.Exchange(ref written, 0); measuring = true; clock.Start();
            });
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
            {
                var random = new Random(c);
                for (var n = 0; DateTime.UtcNow < stop; n += conversationsPerTransaction)
                {
                    var first = random.Next(ledger.Rows.Count - conversationsPerTransaction);
                    var ids = Enumerable.Range(0, conversationsPerTransaction).Select(i => $"floor-{c:D2}-{n + i:D8}").ToArray();
                    await using var connection = await data.OpenConnectionAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    await Copy(connection, "conversations", ledger, ids.Select((id, i) => (first + i, id, false)));
                    // Rows past one a conversation are its second agents': the sampled row's agent, marked, under the same conversation id.
                    await Copy(connection, "agent_conversations", facts, Enumerable.Range(0, factRows)
                        .Select(k => ((first + k) % facts.Rows.Count, ids[k % ids.Length], k >= ids.Length)));
                    await transaction.CommitAsync();
                    if (measuring) Interlocked.Add(ref written, conversationsPerTransaction);
                }
            }));
            clock.Stop();
            var cpu = MachineCpu.Between(cpuBefore, MachineCpu.Snapshot(), clock.Elapsed);
            var rate = written / clock.Elapsed.TotalSeconds;
            double Cores(string part) => cpu.Where(p => p.Part == part).Sum(p => p.Cores);
            return new Result(rate, factsPerConversation, Math.Max(0, Cores("PostgreSQL") - idleCores) / rate * 1e6, idleCores,
                Cores(MachineCpu.Benchmark) / rate * 1e6);
        }
        finally
        {
            await Execute(data, "DROP SCHEMA IF EXISTS bench_floor CASCADE");
        }
    }

    /// <param name="Message">Building the conversation's part of the integration message and serializing it twice, as Agreements does:
    /// into its outbox row and onto the bus (the bus's options differ from the ledger's only in writing nulls).</param>
    /// <param name="Arrivals">Staffing's 5-minute arrival slots of the request, computed by Agreements.</param>
    public sealed record Work(double Parse, double Validate, double Measure, double LedgerBody, double Message, double Arrivals,
        double QualityRead, double QualityDecide)
    {
        public double Total => Parse + Validate + Measure + LedgerBody + Message + Arrivals + QualityRead + QualityDecide;
    }

    /// <summary>
    /// µs a conversation of what Agreements and Quality must do with it, on the benchmark's own request bodies: Agreements reads the
    /// request, validates and measures each conversation (under the bench stores' calendar), serializes its ledger body, its part of
    /// the message and the arrival slots; Quality reads the message and decides each (conversation, agent) for QC (no inspectors to
    /// assign). Each step's fastest of five rounds, after 3 s of warm-up; this process's own garbage collections fall inside the steps.
    /// </summary>
    public static Work ServiceWork(string[] templates)
    {
        var bodies = templates.Select(t => Encoding.UTF8.GetBytes(t.Replace("__ID__", "work"))).ToArray();
        var calendar = new ServiceCalendar(ServiceCalendar.DefaultTimeZone, [new HoursBlock(new TimeOnly(8, 0), TimeOnly.MinValue)],
            ServiceCalendar.EveryDay, [], [], ServiceCalendar.DefaultSlowThresholdSeconds);
        var store = new Store("store:work", "work", "work", "tmall", calendar.TimeZone, DateTimeOffset.UnixEpoch,
            [new CalendarVersion(DateTimeOffset.UnixEpoch, calendar)], 1);
        var json = ConversationLedger.Json;
        var conversations = bodies.Sum(b => JsonSerializer.Deserialize<IngestRequest>(b, IngestJson.Options)!.Conversations!.Count);
        var best = new double[8];
        Array.Fill(best, double.MaxValue);
        var warming = Stopwatch.StartNew();
        for (var measured = 0; measured < 5;)
        {
            var spent = new double[8];
            foreach (var body in bodies)
            {
                var clock = Stopwatch.StartNew();
                var request = JsonSerializer.Deserialize<IngestRequest>(body, IngestJson.Options)!;
                spent[0] += clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                var valid = request.Conversations!.Select(c => ConversationRules.Validate(c).Conversation!).ToList();
                spent[1] += clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                var rows = valid.Select(c => IngestionModule.Measure(store, null, c, null)).ToList();
                spent[2] += clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                foreach (var c in valid) JsonSerializer.SerializeToUtf8Bytes(c, json);
                spent[3] += clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                var recorded = new Vendor.Contracts.ConversationsRecordedV2("work", [.. rows.Select(r => IngestionModule.Recorded("work", r))]);
                JsonSerializer.SerializeToUtf8Bytes(recorded, json);
                var message = JsonSerializer.SerializeToUtf8Bytes(recorded, json);
                spent[4] += clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                JsonSerializer.SerializeToUtf8Bytes(new Vendor.Contracts.ConversationArrivals("work", IngestionModule.ArrivalSlots(rows)), json);
                spent[5] += clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                var read = JsonSerializer.Deserialize<Vendor.Contracts.ConversationsRecordedV2>(message, json)!;
                spent[6] += clock.Elapsed.TotalMicroseconds;
                clock.Restart();
                foreach (var c in read.Conversations)
                    foreach (var agentId in c.AgentIds.Distinct())
                        Sampling.Decide(SamplingPolicy.Default, c, agentId);
                spent[7] += clock.Elapsed.TotalMicroseconds;
            }
            // Rounds in the first 3 s warm up: the JIT compiles the hot methods' final tier in the background, after ~30 calls and a delay.
            if (warming.Elapsed < TimeSpan.FromSeconds(3)) continue;
            measured++;
            for (var i = 0; i < best.Length; i++) best[i] = Math.Min(best[i], spent[i] / conversations);
        }
        return new Work(best[0], best[1], best[2], best[3], best[4], best[5], best[6], best[7]);
    }

    private static async Task<(string[] Columns, NpgsqlDbType[] Types, List<object?[]> Rows)> Sample(NpgsqlDataSource data, string sql, string[] storeIds)
    {
        await using var command = data.CreateCommand(sql);
        command.Parameters.Add(new() { Value = storeIds });
        await using var reader = await command.ExecuteReaderAsync();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var types = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetDataTypeName(i) switch
        {
            "text" => NpgsqlDbType.Text, "jsonb" => NpgsqlDbType.Jsonb, "date" => NpgsqlDbType.Date,
            "timestamp with time zone" => NpgsqlDbType.TimestampTz, "bigint" => NpgsqlDbType.Bigint, "integer" => NpgsqlDbType.Integer,
            "smallint" => NpgsqlDbType.Smallint, "double precision" => NpgsqlDbType.Double, "boolean" => NpgsqlDbType.Boolean,
            "text[]" => NpgsqlDbType.Array | NpgsqlDbType.Text,
            var other => throw new InvalidOperationException($"The floor copies no column of type {other}."),
        }).ToArray();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            // jsonb as its text, the form a writer sends.
            for (var i = 0; i < row.Length; i++)
                row[i] = reader.IsDBNull(i) ? null : types[i] == NpgsqlDbType.Jsonb ? reader.GetString(i) : reader.GetValue(i);
            rows.Add(row);
        }
        return (columns, types, rows);
    }

    private static async Task Copy(NpgsqlConnection connection, string table, (string[] Columns, NpgsqlDbType[] Types, List<object?[]> Rows) sample,
        IEnumerable<(int Row, string ConversationId, bool SecondAgent)> rows)
    {
        var idColumn = Array.IndexOf(sample.Columns, "conversation_id");
        var agentColumn = Array.IndexOf(sample.Columns, "agent_id");
        await using var import = await connection.BeginBinaryImportAsync(
            $"COPY bench_floor.{table} ({string.Join(", ", sample.Columns)}) FROM STDIN (FORMAT BINARY)");
        foreach (var (row, conversationId, secondAgent) in rows)
        {
            await import.StartRowAsync();
            var values = sample.Rows[row];
            for (var i = 0; i < values.Length; i++)
            {
                var value = i == idColumn ? conversationId : i == agentColumn && secondAgent ? $"{values[i]}-second" : values[i];
                // Typed writes, as the services' writers make them (a boxed value costs Npgsql a converter lookup per field).
                var write = value switch
                {
                    null => import.WriteNullAsync(),
                    string text => import.WriteAsync(text, sample.Types[i]),
                    long number => import.WriteAsync(number, sample.Types[i]),
                    int number => import.WriteAsync(number, sample.Types[i]),
                    short number => import.WriteAsync(number, sample.Types[i]),
                    double number => import.WriteAsync(number, sample.Types[i]),
                    bool flag => import.WriteAsync(flag, sample.Types[i]),
                    DateOnly date => import.WriteAsync(date, sample.Types[i]),
                    DateTime instant => import.WriteAsync(instant, sample.Types[i]),
                    string[] texts => import.WriteAsync(texts, sample.Types[i]),
                    _ => import.WriteAsync(value, sample.Types[i]),
                };
                await write;
            }
        }
        await import.CompleteAsync();
    }

    private static async Task Execute(NpgsqlDataSource data, string sql)
    {
        await using var command = data.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
