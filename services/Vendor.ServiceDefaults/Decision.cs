namespace Vendor.ServiceDefaults;

/// <summary>What a pure decision function answers: events to append, or why not.</summary>
public abstract record Decision
{
    private Decision() { }

    public sealed record Append(IReadOnlyList<object> Events) : Decision;

    /// <summary>The command repeats what already happened: nothing to append (idempotent re-post).</summary>
    public sealed record Unchanged : Decision;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : Decision;

    public sealed record Conflict(string Reason) : Decision;

    /// <summary>If-Match named another version than the stream's current one.</summary>
    public sealed record Stale(long CurrentVersion) : Decision;

    public static Decision Of(params object[] events) => new Append(events);
}

/// <summary>Collects validation errors by field, in camelCase field names as the API spells them.</summary>
public sealed class Errors
{
    private readonly Dictionary<string, List<string>> _errors = new();

    public Errors Check(bool ok, string field, string message)
    {
        if (!ok) Add(field, message);
        return this;
    }

    public Errors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public bool Any => _errors.Count > 0;

    public Decision.Invalid ToDecision() => new(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));
}

public static class DecisionResults
{
    /// <summary>The problem answer of a refused decision (400 or 409), or null when it may proceed.</summary>
    public static Microsoft.AspNetCore.Http.IResult? Refusal(this Decision decision) => decision switch
    {
        Decision.Invalid invalid => Problems.Validation(invalid.Errors),
        Decision.Conflict conflict => Problems.Conflict(conflict.Reason),
        Decision.Stale stale => ETags.PreconditionFailed(stale.CurrentVersion),
        _ => null,
    };
}
