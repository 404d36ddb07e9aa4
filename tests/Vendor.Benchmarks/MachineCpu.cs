/// <summary>
/// CPU time of the platform's processes on this machine, by part (PostgreSQL, RabbitMQ, each service, the gateway, this benchmark),
/// read from /proc: two snapshots around a measured window say where a load's CPU went. Empty where /proc is not there.
/// </summary>
static class MachineCpu
{
    public const string Benchmark = "benchmark";

    // The first marker a command line contains names its part. This benchmark comes first: its own command line has "--postgres",
    // and until 2026-12-01 (tenth session) its CPU was counted as PostgreSQL's.
    private static readonly (string Part, string Marker)[] Parts =
    [
        (Benchmark, "Vendor.Benchmarks"), ("PostgreSQL", "postgres"), ("RabbitMQ", "beam.smp"), ("Agreements", "Vendor.Agreements"),
        ("Quality", "Vendor.Quality"), ("Staffing", "Vendor.Staffing"), ("gateway", "Vendor.Gateway"),
    ];

    /// <summary>Seconds of CPU (user + system) each part's processes have used so far, by process id.</summary>
    public static Dictionary<int, (string Part, double Seconds)> Snapshot()
    {
        var snapshot = new Dictionary<int, (string, double)>();
        if (!Directory.Exists("/proc")) return snapshot;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)) continue;
            try
            {
                var command = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                var part = Parts.FirstOrDefault(p => command.Contains(p.Marker, StringComparison.Ordinal)).Part;
                if (part is null) continue;
                // Fields after the command name in parentheses: utime and stime are the 12th and 13th, in clock ticks (100 a second).
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                snapshot[pid] = (part, (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended between listing and reading.
            }
        }
        return snapshot;
    }

    /// <summary>Cores each part used between two snapshots (processes that started in between count from zero).</summary>
    public static List<(string Part, double Cores)> Between(Dictionary<int, (string Part, double Seconds)> before,
        Dictionary<int, (string Part, double Seconds)> after, TimeSpan elapsed) =>
        after.GroupBy(p => p.Value.Part)
            .Select(g => (g.Key, g.Sum(p => p.Value.Seconds - (before.TryGetValue(p.Key, out var b) ? b.Seconds : 0)) / elapsed.TotalSeconds))
            .OrderByDescending(p => p.Item2).ToList();
}
