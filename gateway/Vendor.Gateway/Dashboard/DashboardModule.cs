using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using JasperFx.Events.Projections;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Dashboard;

/// <summary>
/// The ops dashboard served by the gateway: accounts (events in the gateway's store), cookie sign-in, the pages (static HTML and
/// ES modules in wwwroot/dashboard) and the rule that pages need a session. The pages call the APIs through the gateway with the
/// session cookie; <see cref="ApiKeyAuthentication"/> turns a signed-in user into an ops caller.
/// </summary>
public static class DashboardModule
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "vendor_session";
    public const string CsrfHeader = "X-Dashboard";
    public const string SignInPath = "/dashboard/sign-in";

    /// <summary>The pages: /dashboard/{name} serves wwwroot/dashboard/{file}.</summary>
    public static readonly IReadOnlyDictionary<string, string> Pages = new Dictionary<string, string>
    {
        [""] = "index.html", ["store"] = "store.html", ["staffing"] = "staffing.html", ["alerts"] = "alerts.html",
        ["quality"] = "quality.html", ["sign-in"] = "sign-in.html",
    };

    public static void Configure(StoreOptions options)
    {
        options.Events.MapEventType<UserCreated>("user.created.v1");
        options.Events.MapEventType<UserPasswordChanged>("user.password-changed.v1");
        options.Events.MapEventType<UserDisabled>("user.disabled.v1");
        options.Events.MapEventType<UserSignedIn>("user.signed-in.v1");
        options.Events.MapEventType<UserSignInFailed>("user.sign-in-failed.v1");
        options.Events.MapEventType<UserLockedOut>("user.locked-out.v1");
        options.Projections.Snapshot<UserAccount>(SnapshotLifecycle.Inline);
        options.Schema.For<StoredDataProtectionKey>().Identity(k => k.Id);
    }

    public static WebApplicationBuilder AddDashboard(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.ConfigureMarten(Configure);
        services.AddSingleton<Passwords>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<SignInThrottle>();
        services.AddHostedService<BootstrapUser>();

        // One key ring for every replica, in PostgreSQL: a cookie issued by one gateway is read by all.
        services.AddDataProtection().SetApplicationName("vendor-gateway");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
            o.XmlRepository = new MartenXmlRepository(sp.GetRequiredService<IDocumentStore>(), sp.GetRequiredService<TimeProvider>())));

        services.AddAuthentication(CookieScheme).AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the gateway is reached over https
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = SignInPath;
            o.Events.OnValidatePrincipal = async context =>
            {
                var directory = context.HttpContext.RequestServices.GetRequiredService<UserDirectory>();
                if (await directory.StillValidAsync(context.Principal, context.HttpContext.RequestAborted)) return;
                // Disabled, or the password changed since: the session ends.
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(CookieScheme);
            };
            // Only pages redirect to the sign-in page; APIs and the alert stream answer 401/403 as problems.
            o.Events.OnRedirectToLogin = context => IsPageRequest(context.Request.Path)
                ? Redirect(context.HttpContext, context.RedirectUri)
                : Problems.Write(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthenticated", "Sign in to the dashboard first.");
            o.Events.OnRedirectToAccessDenied = context =>
                Problems.Write(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "This account may not do that.");
        });
        return builder;
    }

    private static Task Redirect(HttpContext context, string uri)
    {
        context.Response.Redirect(uri);
        return Task.CompletedTask;
    }

    /// <summary>Reads the session cookie; pages without a session go to the sign-in page. Runs before the API-key check.</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            {
                if (path.Value is "/" or "/dashboard")
                {
                    context.Response.Redirect("/dashboard/");
                    return;
                }
                if (IsPageRequest(path) && !path.StartsWithSegments(SignInPath) && UserDirectory.SignedIn(context.User) is null)
                {
                    var returnUrl = path + context.Request.QueryString;
                    context.Response.Headers.CacheControl = "no-store";
                    context.Response.Redirect($"{SignInPath}?returnUrl={Uri.EscapeDataString(returnUrl)}");
                    return;
                }
            }
            await next(context);
        });
        app.UseStaticFiles();
        return app;
    }

    /// <summary>A dashboard page (an HTML document), as opposed to its scripts, styles and images, which need no session.</summary>
    public static bool IsPageRequest(PathString path) =>
        path.StartsWithSegments("/dashboard", out var rest)
        && (Path.GetExtension(rest.Value ?? "") is "" or ".html" or ".htm");

    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.MapUsers();
        app.MapSignIn();
        // One route per page (not /dashboard/{page}): a catch-all would shadow the pages' scripts and styles for the static files.
        foreach (var (name, file) in Pages)
            app.MapGet($"/dashboard/{name}", IResult (HttpContext http, IWebHostEnvironment environment) =>
                {
                    var info = environment.WebRootFileProvider.GetFileInfo($"dashboard/{file}");
                    if (!info.Exists) return Problems.NotFound($"The dashboard page '{file}' is not installed.");
                    http.Response.Headers.CacheControl = "no-store";
                    return TypedResults.Stream(info.CreateReadStream(), "text/html; charset=utf-8");
                })
                .ExcludeFromDescription();
        return app;
    }
}
