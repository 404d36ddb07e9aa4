using Vendor.Gateway.ApiKeys;
using Vendor.Gateway.Edge;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway;

public sealed record RateLimitSettings(double TokensPerSecond = 50, int Burst = 100);

/// <summary>
/// For every /api request: identify the key (401), apply its token bucket (429), check the route policy (403),
/// then replace whatever identity headers the client sent with the gateway-signed ones.
/// </summary>
public sealed class ApiKeyAuthentication : IDisposable
{
    public const string Header = "X-Api-Key";

    private readonly RequestDelegate _next;
    private readonly KeyDirectory _keys;
    private readonly string _secret;
    private readonly TokenBuckets _buckets;
    private readonly KeyGuesses _guesses = new();
    private readonly TimeProvider _clock;

    public ApiKeyAuthentication(RequestDelegate next, KeyDirectory keys, IConfiguration configuration, TimeProvider clock)
    {
        _next = next;
        _keys = keys;
        _clock = clock;
        _secret = configuration.GatewaySecret();
        var limits = configuration.GetSection("Gateway:RateLimit").Get<RateLimitSettings>() ?? new RateLimitSettings();
        _buckets = new TokenBuckets("key", limits);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        foreach (var header in GatewayHeaders.All) context.Request.Headers.Remove(header);
        // The published store API document, its reference page and the problem types are for anyone (no key).
        if (!context.Request.Path.StartsWithSegments("/api") || StoreApi.StoreApiModule.IsPublic(context.Request.Path))
        {
            await _next(context);
            return;
        }

        var secret = context.Request.Headers[Header].ToString();
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (secret.Length > 0 && _guesses.Exhausted(address))
        {
            CallerQuotas.Add(context, KeyGuesses.ExhaustedQuota);
            await TokenBuckets.TooManyRequests(context, TimeSpan.FromSeconds(1), "Too many unknown API keys from this address.");
            return;
        }
        // The dashboard: no key, but a valid session cookie — an ops caller named after the account (writes need X-Dashboard: 1).
        var dashboard = secret.Length == 0 && Dashboard.UserDirectory.SignedIn(context.User) is { } user
            ? new CallerIdentity($"user:{user}", Roles.Ops, null)
            : null;
        if (dashboard is not null && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
            && context.Request.Headers[Dashboard.DashboardModule.CsrfHeader].ToString() != "1")
        {
            await Problems.Write(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"A write with the dashboard session must carry the header {Dashboard.DashboardModule.CsrfHeader}: 1.");
            return;
        }
        var key = secret.Length == 0 ? null : await _keys.FindAsync(secret, context.RequestAborted);
        if (key is null && dashboard is null)
        {
            if (secret.Length > 0) _guesses.Count(address);
            context.Response.Headers.WWWAuthenticate = Header;
            await Problems.Write(context, StatusCodes.Status401Unauthorized, "Unauthenticated",
                secret.Length == 0 ? $"Send an API key in the {Header} header." : "The API key is unknown, revoked or expired.");
            return;
        }

        // Known from here on, also when refused below (the audit trail names who was refused).
        var caller = dashboard ?? new CallerIdentity(key!.KeyId, key.Role, key.StoreId);
        context.Items[typeof(CallerIdentity)] = caller;
        if (!_buckets.TryAcquire(context, caller.KeyId, out var retryAfter))
        {
            await TokenBuckets.TooManyRequests(context, retryAfter, "This API key is over its rate limit; retry after the time in Retry-After.");
            return;
        }

        if (GatewayPolicy.Refusal(caller, context.Request.Method, context.Request.Path.Value ?? "/") is { } refusal)
        {
            await Problems.Write(context, StatusCodes.Status403Forbidden, "Forbidden", refusal);
            return;
        }

        // The services get the signed caller, never the secret key itself (nor the dashboard's session cookie).
        context.Request.Headers.Remove(Header);
        if (dashboard is not null) context.Request.Headers.Remove("Cookie");
        GatewayHeaders.Write(context.Request.Headers, _secret, caller, _clock.GetUtcNow(), context.Request.Method, context.Request.Path.Value ?? "/");
        await _next(context);
    }

    public void Dispose()
    {
        _buckets.Dispose();
        _guesses.Dispose();
    }
}
