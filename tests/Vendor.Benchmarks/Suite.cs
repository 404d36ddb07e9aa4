using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;

/// <summary>
/// One line of the suite's table: a figure, its target, what was measured, the baseline measured in the same run and their ratio.
/// <paramref name="Met"/>: whether the figure reaches its target (null: the figure has no target). <paramref name="Error"/>: the
/// benchmark did not run cleanly (failed requests, undelivered alerts, rule violations, an exception) — its figure is not to be trusted.
/// </summary>
sealed record BenchRow(string Bench, string Figure, string Target, string Measured, string Baseline, string Ratio, bool? Met, string? Error = null)
{
    public string Verdict => Error is not null ? "FAILED" : Met switch { true => "met", false => "missed", null => "—" };
}

/// <summary>
/// ./vendor bench [all] runs every benchmark in turn and prints one table (plain text, then Markdown for the README) and writes the
/// Markdown to --out; ./vendor bench NAME runs one and prints its rows the same way.
/// </summary>
static class Suite
{
    /// <summary>
    /// Every benchmark, in the order the suite runs them: the latency figures first, on a quiet platform; the ingest loads last
    /// (they leave the consumers a backlog, drained before the next one starts). The gateway's overhead comes after the SLA
    /// readers: run first, right after the stack started, its p99 ratio was 1.9 where alone it was 1.2-1.3.
    /// </summary>
    public static readonly (string Name, Func<Options, Task<IReadOnlyList<BenchRow>>> Run)[] Benchmarks =
    [
        ("sla", SlaLatencyBench.Run),
        ("gateway", GatewayOverheadBench.Run),
        ("knowledge", KnowledgeBench.Run),
        // Staffing: Erlang evaluations/s, absence → webhook latency, then the emergency-plan solver.
        ("staffing", async o => [.. await ErlangBench.Run(o), .. await AlertLatencyBench.Run(o), .. await PlanBench.Run(o)]),
        ("ingest", IngestBench.Run),
        ("quality", QualityBench.Run),
    ];

    public static bool Knows(string name) => Benchmarks.Any(b => b.Name == name);

    public static async Task<int> Run(Options o, IReadOnlyList<string> names)
    {
        var clock = Stopwatch.StartNew();
        var rows = new List<BenchRow>();
        foreach (var (name, run) in Benchmarks.Where(b => names.Contains(b.Name)))
        {
            Console.WriteLine($"== {name} ({clock.Elapsed:mm\\:ss} into the run) ==");
            var started = clock.Elapsed;
            try
            {
                rows.AddRange(await run(o));
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"{name}: {e}");
                rows.Add(new BenchRow(name, name, "", "", "", "", null, $"{e.GetType().Name}: {e.Message}"));
            }
            Console.WriteLine($"== {name} took {(clock.Elapsed - started).TotalSeconds:F0} s ==");
            Console.WriteLine();
        }
        var machine = await Machine(o);
        var took = clock.Elapsed;
        Console.WriteLine($"BENCHMARK SUMMARY ({string.Join(", ", names)}; {took:mm\\:ss}; {machine})");
        Console.WriteLine(Text(rows));
        var markdown = Markdown(rows, machine, took, o);
        Console.WriteLine(markdown);
        if (o.Out is { } path)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await File.WriteAllTextAsync(path, markdown);
            Console.WriteLine($"(written to {path})");
        }
        var failed = rows.Count(r => r.Error is not null);
        Console.WriteLine($"{rows.Count(r => r.Met == true)} of {rows.Count(r => r.Met is not null)} targets met, " +
                          $"{rows.Count(r => r.Met == false)} missed, {failed} benchmarks failed to run cleanly");
        return failed == 0 ? 0 : 1;
    }

    public static string Text(IReadOnlyList<BenchRow> rows)
    {
        string[] header = ["benchmark", "figure", "target", "measured", "baseline (same run)", "ratio", "verdict"];
        var cells = rows.Select(r => new[] { r.Bench, r.Figure, r.Target, r.Measured, r.Baseline, r.Ratio, r.Verdict + (r.Error is null ? "" : $" ({r.Error})") }).ToList();
        var widths = header.Select((h, i) => Math.Min(60, cells.Select(c => c[i].Length).Append(h.Length).Max())).ToArray();
        var text = new StringBuilder();
        void Line(string[] c) => text.AppendLine(string.Join(" | ", c.Select((s, i) => s.PadRight(widths[i]))).TrimEnd());
        Line(header);
        text.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        foreach (var c in cells) Line(c);
        return text.ToString();
    }

    public static string Markdown(IReadOnlyList<BenchRow> rows, string machine, TimeSpan took, Options o)
    {
        static string Cell(string s) => s.Replace("|", "\\|");
        var md = new StringBuilder();
        md.AppendLine($"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {machine}; `./vendor bench {o.Command}` took {took.TotalMinutes:F1} min.");
        md.AppendLine();
        md.AppendLine("| benchmark | figure | target | measured | baseline in the same run | ratio | verdict |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            md.AppendLine($"| {Cell(r.Bench)} | {Cell(r.Figure)} | {Cell(r.Target)} | {Cell(r.Measured)} | {Cell(r.Baseline)} | {Cell(r.Ratio)} | " +
                          $"{(r.Met == true ? "**met**" : Cell(r.Verdict))}{(r.Error is null ? "" : $" ({Cell(r.Error)})")} |");
        return md.ToString();
    }

    /// <summary>Cores, memory, runtime and the database's version: the figures mean little without them.</summary>
    private static async Task<string> Machine(Options o)
    {
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        var postgres = "PostgreSQL";
        try
        {
            await using var db = new NpgsqlConnection(o.Postgres);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand("SHOW server_version", db);
            postgres = $"PostgreSQL {((string)(await command.ExecuteScalarAsync())!).Split(' ')[0]}";
        }
        catch (NpgsqlException)
        {
        }
        return $"{Environment.ProcessorCount} cores, {memory:F0} GiB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, " +
               $"{postgres}, RabbitMQ; every process on the same machine";
    }

    /// <summary>Formatting shared by the benchmarks' rows.</summary>
    public static string Ms(double ms) => ms < 10 ? $"{ms:F2} ms" : ms < 100 ? $"{ms:F1} ms" : $"{ms:N0} ms";
}
