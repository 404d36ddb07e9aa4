using System.Globalization;
using System.Text;

namespace Vendor.Gateway.Edge;

/// <summary>
/// One quota policy as a caller meets it on one request: the policy (a token bucket of <paramref name="Quota"/> requests that refills
/// completely in <paramref name="WindowSeconds"/>) and what is left of it now: <paramref name="Remaining"/> requests, and
/// <paramref name="ResetSeconds"/> until at least one more is available.
/// </summary>
public sealed record QuotaState(string Policy, long Quota, long WindowSeconds, long Remaining, long ResetSeconds);

/// <summary>
/// The IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers-11, structured-field Lists of Strings with parameters):
/// <c>RateLimit-Policy: "key";q=100;w=2, "address";q=400;w=2</c> (every policy that applies to the caller) and
/// <c>RateLimit: "key";r=41;t=1</c> (the one nearest to exhaustion). Pure: the tests hit these functions directly.
/// </summary>
public static class RateLimitFields
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string Header = "RateLimit";

    /// <summary>How a token bucket reads as a quota policy: the burst is the quota, the window the seconds it takes to refill it all
    /// (rounded up, so the advertised rate is never above the real one).</summary>
    public static (long Quota, long WindowSeconds) PolicyOf(RateLimitSettings settings)
    {
        var quota = Math.Max(1, settings.Burst);
        var rate = Math.Max(settings.TokensPerSecond, 0.001);
        return (quota, Math.Max(1, (long)Math.Ceiling(quota / rate - 1e-9)));
    }

    /// <summary>The RateLimit-Policy value: every policy, in the order given (null when there is none).</summary>
    public static string? Policy(IReadOnlyCollection<QuotaState> quotas) =>
        quotas.Count == 0
            ? null
            : string.Join(", ", quotas.Select(q => $"{SfString(q.Policy)};q={SfInteger(q.Quota)};w={SfInteger(Math.Max(1, q.WindowSeconds))}"));

    /// <summary>The RateLimit value: the policy with the fewest requests left (on a tie the longer wait, then the first given).</summary>
    public static string? Current(IReadOnlyCollection<QuotaState> quotas)
    {
        if (quotas.Count == 0) return null;
        var nearest = quotas.Select((q, i) => (q, i))
            .OrderBy(x => Math.Max(0, x.q.Remaining)).ThenByDescending(x => x.q.ResetSeconds).ThenBy(x => x.i).First().q;
        return $"{SfString(nearest.Policy)};r={SfInteger(Math.Max(0, nearest.Remaining))};t={SfInteger(Math.Max(0, nearest.ResetSeconds))}";
    }

    /// <summary>Retry-After in delay-seconds: whole seconds, at least 1.</summary>
    public static long RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    /// <summary>A structured-field String (RFC 9651 §3.3.3): printable ASCII only, with '"' and '\' escaped.</summary>
    public static string SfString(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is < ' ' or > '~') throw new ArgumentException($"A policy name must be printable ASCII: '{value}'.", nameof(value));
            if (c is '"' or '\\') text.Append('\\');
            text.Append(c);
        }
        return text.Append('"').ToString();
    }

    /// <summary>A structured-field Integer (RFC 9651 §3.3.1): at most 15 digits.</summary>
    public static string SfInteger(long value) =>
        Math.Clamp(value, -999_999_999_999_999, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The quotas one /api request met (the per-address bucket, the per-key bucket), written as RateLimit-Policy and RateLimit when its
/// answer starts: after YARP copied the service's headers, so they are on proxied answers (304s included) and the gateway's own
/// problem answers alike.
/// </summary>
public sealed class CallerQuotas
{
    private readonly List<QuotaState> _quotas = [];

    public IReadOnlyList<QuotaState> Quotas => _quotas;

    /// <summary>Records a quota met by this request (a later state of the same policy replaces the earlier one).</summary>
    public static void Add(HttpContext context, QuotaState quota)
    {
        if (!context.Request.Path.StartsWithSegments("/api")) return;
        var quotas = context.Features.Get<CallerQuotas>();
        if (quotas is null)
        {
            quotas = new CallerQuotas();
            context.Features.Set(quotas);
            context.Response.OnStarting(static state =>
            {
                var http = (HttpContext)state;
                http.Features.Get<CallerQuotas>()?.Write(http.Response.Headers);
                return Task.CompletedTask;
            }, context);
        }
        quotas._quotas.RemoveAll(q => q.Policy == quota.Policy);
        quotas._quotas.Add(quota);
    }

    private void Write(IHeaderDictionary headers)
    {
        if (RateLimitFields.Policy(_quotas) is { } policy) headers[RateLimitFields.PolicyHeader] = policy;
        if (RateLimitFields.Current(_quotas) is { } current) headers[RateLimitFields.Header] = current;
    }
}
