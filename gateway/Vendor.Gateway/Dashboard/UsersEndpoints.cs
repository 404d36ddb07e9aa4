using Marten;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Dashboard;

/// <summary>An account as the API shows it: never the hash.</summary>
public sealed record UserView(string Username, string DisplayName, DateTimeOffset CreatedAt, bool Disabled, DateTimeOffset? DisabledAt,
    DateTimeOffset? LockedUntil, DateTimeOffset? LastSignInAt)
{
    public static UserView Of(UserAccount a) => new(a.Username, a.DisplayName, a.CreatedAt, !a.Active, a.DisabledAt, a.LockedUntil, a.LastSignInAt);
}

/// <summary>Ops accounts of the dashboard, served by the gateway under /api (so behind <see cref="ApiKeyAuthentication"/>); ops only.</summary>
public static class UsersEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Dashboard users").RequireOps();

        users.MapPost("/", async Task<IResult> (CreateUser command, HttpContext http, IDocumentStore store, Passwords passwords,
                TimeProvider clock, CancellationToken ct) =>
            {
                var username = AccountDecisions.Normalize(command.Username);
                var (decision, account) = await store.DecideAsync<UserAccount>(UserAccount.StreamKey(username ?? "-"),
                    existing => AccountDecisions.Create(existing, command, passwords.Hash, By(http), clock.GetUtcNow()), null, ct);
                if (decision.Refusal() is { } refusal) return refusal;
                return TypedResults.Created($"/api/users/{username}", UserView.Of(account!));
            })
            .WithName("CreateUser").WithSummary("Create an ops account of the dashboard; the password (12+ characters) is stored only hashed (ops).")
            .ProducesValidationProblem().ProducesProblem(409);

        users.MapGet("/", async (IQuerySession session, CancellationToken ct) =>
                TypedResults.Ok((await session.Query<UserAccount>().OrderBy(u => u.Username).ToListAsync(ct)).Select(UserView.Of)))
            .WithName("ListUsers").WithSummary("Every dashboard account, without password hashes (ops).");

        users.MapPost("/{username}/password", async Task<IResult> (string username, ChangePassword command, HttpContext http, IDocumentStore store,
                Passwords passwords, UserDirectory directory, TimeProvider clock, CancellationToken ct) =>
            {
                var key = AccountDecisions.Normalize(username);
                if (key is null) return NotFound(username);
                var (decision, account) = await store.DecideAsync<UserAccount>(UserAccount.StreamKey(key),
                    existing => existing is null
                        ? new Decision.Conflict("missing")
                        : AccountDecisions.ChangePassword(existing, command, passwords.Hash, By(http), clock.GetUtcNow()), null, ct);
                if (account is null) return NotFound(username);
                if (decision.Refusal() is { } refusal) return refusal;
                directory.Forget(key);
                return TypedResults.NoContent();
            })
            .WithName("ChangeUserPassword").WithSummary("Set a new password; it also lifts a lock-out and ends the account's sessions (ops).")
            .ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        users.MapPost("/{username}/disable", async Task<IResult> (string username, HttpContext http, IDocumentStore store, UserDirectory directory,
                TimeProvider clock, CancellationToken ct) =>
            {
                var key = AccountDecisions.Normalize(username);
                if (key is null) return NotFound(username);
                var (_, account) = await store.DecideAsync<UserAccount>(UserAccount.StreamKey(key),
                    existing => existing is null ? new Decision.Unchanged() : AccountDecisions.Disable(existing, By(http), clock.GetUtcNow()), null, ct);
                if (account is null) return NotFound(username);
                directory.Forget(key);
                return TypedResults.NoContent();
            })
            .WithName("DisableUser").WithSummary("Disable an account: it can no longer sign in and its sessions end (ops).")
            .ProducesProblem(404);
    }

    private static string By(HttpContext http) => (http.Items[typeof(CallerIdentity)] as CallerIdentity)?.KeyId ?? "unknown";

    private static IResult NotFound(string username) => Problems.NotFound($"No dashboard account '{username}'.");
}
