using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Vendor.Testing;

/// <summary>
/// Every log line a host writes, with its structured values, scopes and exception, for tests that look for what must never be
/// logged. Add it with <c>builder.ConfigureLogging(l => l.AddProvider(capture))</c>.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<string> Lines => _lines.ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private static IEnumerable<string?> Values(object? state) => state switch
    {
        null => [],
        IEnumerable<KeyValuePair<string, object?>> pairs => pairs.Select(p => $"{p.Key}={p.Value}").Prepend(state.ToString()),
        _ => [state.ToString()],
    };

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var parts = new List<string?> { $"{logLevel} {category}: {formatter(state, exception)}" };
            parts.AddRange(Values(state));
            capture._scopes.ForEachScope((scope, list) => list.AddRange(Values(scope)), parts);
            if (exception is not null) parts.Add(exception.ToString());
            capture._lines.Enqueue(string.Join(" | ", parts));
        }
    }
}

/// <summary>Every activity of every source in this process while it lives: names, tags, events, baggage, status.</summary>
public sealed class ActivityCapture : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ActivityListener _listener;

    public ActivityCapture()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = Record,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<string> Lines => _lines.ToList();

    private void Record(Activity activity)
    {
        var parts = new List<string?> { $"{activity.Source.Name} {activity.OperationName} {activity.DisplayName} {activity.StatusDescription}" };
        parts.AddRange(activity.TagObjects.Select(t => $"{t.Key}={t.Value}"));
        parts.AddRange(activity.Baggage.Select(b => $"{b.Key}={b.Value}"));
        foreach (var e in activity.Events)
        {
            parts.Add(e.Name);
            parts.AddRange(e.Tags.Select(t => $"{t.Key}={t.Value}"));
        }
        _lines.Enqueue(string.Join(" | ", parts));
    }

    public void Dispose() => _listener.Dispose();
}
