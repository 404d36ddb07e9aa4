using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Dashboard;

/// <summary>The JSON body of POST /auth/sign-in (a form posts the same fields).</summary>
public sealed record SignInRequest(string? Username, string? Password, string? ReturnUrl);

public sealed record SignedInUser(string Username, string DisplayName);

/// <summary>Sign-in attempts per client address: password hashing costs CPU, so an address gets few attempts a second.</summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = 30, TokensPerPeriod = 1, ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 0, AutoReplenishment = true,
        }));

    public bool TryAcquire(HttpContext http)
    {
        using var lease = _limiter.AttemptAcquire(http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// POST /auth/sign-in (a form from the sign-in page, or JSON) and POST /auth/sign-out. A form is answered with a redirect (303),
/// JSON with 200 or a problem. Passwords are never logged; the audit middleware sees the account as <c>audit.actor</c>.
/// </summary>
public static class SignInEndpoints
{
    public const string AuditActor = "audit.actor";

    public static void MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapPost("/auth/sign-in", async Task<IResult> (HttpContext http, IDocumentStore store, Passwords passwords, SignInThrottle throttle,
                UserDirectory directory, TimeProvider clock, IConfiguration configuration, ILoggerFactory loggers) =>
            {
                var ct = http.RequestAborted;
                if (!SameOrigin(http.Request)) return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", "Sign in from the dashboard's own page.");
                var form = !http.Request.HasJsonContentType();
                SignInRequest request;
                if (form && http.Request.HasFormContentType)
                {
                    IFormCollection fields;
                    try
                    {
                        fields = await http.Request.ReadFormAsync(ct);
                    }
                    catch (InvalidDataException e)
                    {
                        // A malformed form (no multipart boundary, too many or too long fields) is the client's mistake.
                        return Problems.Result(StatusCodes.Status400BadRequest, "Bad request", $"The form could not be read: {e.Message}");
                    }
                    request = new SignInRequest(fields["username"], fields["password"], fields["returnUrl"]);
                }
                else if (!form)
                {
                    try
                    {
                        request = await http.Request.ReadFromJsonAsync<SignInRequest>(ct) ?? new SignInRequest(null, null, null);
                    }
                    catch (JsonException)
                    {
                        return Problems.Result(StatusCodes.Status400BadRequest, "Bad request", "The body is not valid JSON: {username, password}.");
                    }
                }
                else
                {
                    return Problems.Result(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                        "Post a form (application/x-www-form-urlencoded) or JSON {username, password}.");
                }

                var returnUrl = LocalDashboardUrl(request.ReturnUrl);
                var username = AccountDecisions.Normalize(request.Username);
                http.Items[AuditActor] = $"user:{username ?? "?"}";
                if (!throttle.TryAcquire(http))
                {
                    if (form) return Back("throttled", returnUrl);
                    http.Response.Headers.RetryAfter = "1";
                    return Problems.Result(StatusCodes.Status429TooManyRequests, "Too many requests", "Too many sign-in attempts from this address.");
                }
                if (username is null || string.IsNullOrEmpty(request.Password) || request.Password.Length > AccountDecisions.MaxPasswordLength)
                {
                    if (form) return Back("invalid", returnUrl);
                    var errors = new Errors().Check(username is not null, "username", $"Required: {Ids.Rule}.")
                        .Check(!string.IsNullOrEmpty(request.Password) && request.Password.Length <= AccountDecisions.MaxPasswordLength, "password", "Required.");
                    return Problems.Validation(errors.ToDecision().Errors);
                }

                var policy = new LockoutPolicy(Math.Max(1, configuration.GetValue("Gateway:SignIn:MaxFailures", LockoutPolicy.Default.MaxFailures)),
                    TimeSpan.FromMinutes(Math.Max(0.01, configuration.GetValue("Gateway:SignIn:LockMinutes", LockoutPolicy.Default.LockFor.TotalMinutes))));
                SignInResult? result = null;
                var (_, account) = await store.DecideAsync<UserAccount>(UserAccount.StreamKey(username), existing =>
                {
                    var now = clock.GetUtcNow();
                    // The password is checked only when it can matter (an active, unlocked account), else a decoy check takes the same time.
                    var checkable = existing is { Active: true } && !(existing.LockedUntil > now);
                    var matches = checkable ? passwords.Matches(existing!.PasswordHash, request.Password) : DecoyFalse(passwords, request.Password);
                    result = AccountDecisions.SignIn(existing, matches, now, policy);
                    return result.Events.Count == 0 ? new Decision.Unchanged() : (Decision)new Decision.Append(result.Events);
                }, null, ct);

                var outcome = result!;
                if (account is not null)
                    loggers.CreateLogger("Vendor.Gateway.Dashboard.SignIn").LogInformation("Sign-in of {Username}: {Outcome}", username, outcome.Outcome);
                switch (outcome.Outcome)
                {
                    case SignInOutcome.SignedIn:
                        directory.Forget(username);
                        await http.SignInAsync(DashboardModule.CookieScheme, UserDirectory.Principal(account!),
                            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
                        return form ? Redirect(returnUrl) : TypedResults.Ok(new SignedInUser(account!.Username, account.DisplayName));
                    case SignInOutcome.LockedOut:
                        if (form) return Back("locked", returnUrl);
                        var wait = (outcome.LockedUntil!.Value - clock.GetUtcNow()).TotalSeconds;
                        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait)).ToString(CultureInfo.InvariantCulture);
                        return Problems.Result(StatusCodes.Status423Locked, "Locked out",
                            $"Too many wrong passwords: the account is locked until {outcome.LockedUntil:u}.");
                    default:
                        return form ? Back("invalid", returnUrl)
                            : Problems.Result(StatusCodes.Status401Unauthorized, "Unauthenticated", "Unknown username or wrong password.");
                }
            })
            .WithTags("Dashboard sign-in").WithName("SignIn")
            .WithSummary("Sign in to the dashboard with username and password (form or JSON); sets the session cookie.")
            .ProducesValidationProblem().ProducesProblem(401).ProducesProblem(423).ProducesProblem(429);

        app.MapGet("/auth/me", IResult (HttpContext http) =>
                UserDirectory.SignedIn(http.User) is { } username
                    ? TypedResults.Ok(new SignedInUser(username, http.User.FindFirst(UserDirectory.DisplayNameClaim)?.Value ?? username))
                    : Problems.Result(StatusCodes.Status401Unauthorized, "Unauthenticated", "Not signed in to the dashboard."))
            .WithTags("Dashboard sign-in").WithName("WhoAmI").WithSummary("The signed-in dashboard account (session cookie).")
            .ProducesProblem(401);

        app.MapPost("/auth/sign-out", async Task<IResult> (HttpContext http) =>
            {
                if (!SameOrigin(http.Request)) return Problems.Result(StatusCodes.Status403Forbidden, "Forbidden", "Sign out from the dashboard's own page.");
                if (UserDirectory.SignedIn(http.User) is { } username) http.Items[AuditActor] = $"user:{username}";
                await http.SignOutAsync(DashboardModule.CookieScheme);
                return http.Request.HasFormContentType ? new SeeOther("/dashboard/sign-in?signedOut=1") : (IResult)TypedResults.NoContent();
            })
            .WithTags("Dashboard sign-in").WithName("SignOut").WithSummary("End the dashboard session (form or fetch).");
    }

    private static bool DecoyFalse(Passwords passwords, string password)
    {
        passwords.Decoy(password);
        return false;
    }

    /// <summary>A browser's cross-site request (a form on another site) is refused; SameSite=Strict already keeps the cookie off it.</summary>
    public static bool SameOrigin(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site" or "same-site") return false;
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Where to go after signing in: a dashboard path of this site, never another site.</summary>
    public static string LocalDashboardUrl(string? returnUrl) =>
        // Printable ASCII only: a Location header refuses CR/LF and raw non-ASCII (a link with 店 in it would answer 500).
        returnUrl is { Length: > 0 and < 2000 } url && url.All(c => c is > ' ' and <= '~') && url.StartsWith("/dashboard/", StringComparison.Ordinal) && !url.Contains("//", StringComparison.Ordinal)
            && !url.Contains('\\') && !url.StartsWith("/dashboard/sign-in", StringComparison.Ordinal)
            ? url
            : "/dashboard/";

    private static IResult Back(string error, string returnUrl) =>
        new SeeOther($"/dashboard/sign-in?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}");

    private static IResult Redirect(string url) => new SeeOther(url);

    /// <summary>303: after a form post the browser GETs the target.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status303SeeOther;
            context.Response.Headers.Location = location;
            context.Response.Headers.CacheControl = "no-store";
            return Task.CompletedTask;
        }
    }
}
