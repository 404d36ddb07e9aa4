using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vendor.Gateway.Dashboard;
using Vendor.Testing;

namespace Vendor.Gateway.Tests;

/// <summary>One gateway (and a second replica on the same database) with a bootstrap ops account and a movable clock.</summary>
public sealed class DashboardGateway : IAsyncLifetime
{
    public const string OpsKey = "dashboard-test-ops-key-0123456789";
    public const string User = "ops-admin";
    public const string Password = "bootstrap-password-123";
    public readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _hosts = [];
    private Dictionary<string, string?> _settings = null!;
    private WebApplication _backend = null!;

    public WebApplicationFactory<GatewayApi> Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _settings = await ServiceHost<GatewayApi>.SettingsAsync();
        _settings["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey;
        _settings["VENDOR_BOOTSTRAP_OPS_USER"] = User;
        _settings["VENDOR_BOOTSTRAP_OPS_PASSWORD"] = Password;
        // A stand-in for Agreements behind the proxy: it answers with the headers it was sent.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _backend = builder.Build();
        _backend.Map("/api/sla/echo", (HttpRequest r) => Results.Json(new Dictionary<string, string>
        {
            ["cookie"] = r.Headers.Cookie.ToString(), ["key"] = r.Headers["X-Vendor-Caller-Key"].ToString(),
            ["role"] = r.Headers["X-Vendor-Caller-Role"].ToString(), ["method"] = r.Method,
        }));
        await _backend.StartAsync();
        _settings["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = _backend.Urls.First() + "/";
        Host = Replica();
    }

    /// <summary>A gateway over the same database (its own process state: caches, rate limits, data-protection key cache).</summary>
    public WebApplicationFactory<GatewayApi> Replica()
    {
        var factory = new ServiceHost<GatewayApi>(_settings);
        _hosts.Add(factory);
        var host = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock)));
        _hosts.Add(host);
        host.CreateClient();
        return host;
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects.</summary>
    public HttpClient Browser(WebApplicationFactory<GatewayApi>? host = null) =>
        (host ?? Host).CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public HttpClient Ops()
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", OpsKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
        await _backend.DisposeAsync();
    }
}

public class DashboardSessionTests(DashboardGateway gateway) : IClassFixture<DashboardGateway>
{
    private static async Task<HttpResponseMessage> SignIn(HttpClient client, string username, string password) =>
        await client.PostAsJsonAsync("/auth/sign-in", new { username, password });

    private async Task<string> NewUser(string username, string password = "a-good-long-password")
    {
        var response = await gateway.Ops().PostAsJsonAsync("/api/users", new { username, displayName = $"User {username}", password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return username;
    }

    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Fact]
    public async Task The_bootstrap_account_signs_in_and_its_cookie_makes_it_an_ops_caller_whose_writes_need_the_dashboard_header()
    {
        var browser = gateway.Browser();
        var signIn = await SignIn(browser, DashboardGateway.User, DashboardGateway.Password);

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(DashboardModule.CookieName + "="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(DashboardGateway.User, (await browser.GetFromJsonAsync<JsonElement>("/auth/me")).GetProperty("username").GetString());
        Assert.True(UserDirectory.Principal(new UserAccount("user:x", "x", "X", "h", default, null, 0, null, null, 1)).IsInRole("ops"));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/keys")).StatusCode);

        await AssertProblem(await browser.PostAsJsonAsync("/api/users", new { username = "csrf-victim", displayName = "x", password = "a-good-long-password" }),
            HttpStatusCode.Forbidden);
        var write = new HttpRequestMessage(HttpMethod.Post, "/api/users")
        {
            Content = JsonContent.Create(new { username = "made-by-dashboard", displayName = "从看板创建", password = "a-good-long-password" }),
            Headers = { { DashboardModule.CsrfHeader, "1" } },
        };
        Assert.Equal(HttpStatusCode.Created, (await browser.SendAsync(write)).StatusCode);

        var list = await gateway.Ops().GetStringAsync("/api/users");
        Assert.Contains("made-by-dashboard", list);
        Assert.DoesNotContain("hash", list, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AQAAAA", list); // the Identity hash format's prefix
        await using var session = gateway.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var created = (await session.Events.FetchStreamAsync(UserAccount.StreamKey("made-by-dashboard"))).Select(e => e.Data).OfType<UserCreated>().Single();
        Assert.Equal($"user:{DashboardGateway.User}", created.CreatedBy);
    }

    [Fact]
    public async Task Through_the_proxy_a_signed_in_user_is_a_signed_ops_caller_and_the_session_cookie_stays_at_the_gateway()
    {
        var browser = gateway.Browser();
        Assert.Equal(HttpStatusCode.OK, (await SignIn(browser, DashboardGateway.User, DashboardGateway.Password)).StatusCode);

        var read = await browser.GetFromJsonAsync<Dictionary<string, string>>("/api/sla/echo");
        Assert.Equal(($"user:{DashboardGateway.User}", "ops", ""), (read!["key"], read["role"], read["cookie"]));

        await AssertProblem(await browser.PostAsync("/api/sla/echo", null), HttpStatusCode.Forbidden);
        var write = await browser.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/sla/echo") { Headers = { { DashboardModule.CsrfHeader, "1" } } });
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.Equal("POST", (await write.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["method"]);
    }

    [Fact]
    public async Task Pages_need_a_session_but_their_scripts_and_the_sign_in_page_do_not()
    {
        var anonymous = gateway.Browser();

        var page = await anonymous.GetAsync("/dashboard/staffing?date=2026-12-01");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/dashboard/sign-in?returnUrl=%2Fdashboard%2Fstaffing%3Fdate%3D2026-12-01", page.Headers.Location!.OriginalString);
        Assert.Equal("/dashboard/", (await anonymous.GetAsync("/")).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync("/dashboard/index.html")).StatusCode);
        var signInPage = await anonymous.GetAsync("/dashboard/sign-in");
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        Assert.Contains("action=\"/auth/sign-in\"", await signInPage.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/dashboard/app.js")).StatusCode);
        await AssertProblem(await anonymous.GetAsync("/api/users"), HttpStatusCode.Unauthorized);
        await AssertProblem(await anonymous.GetAsync("/auth/me"), HttpStatusCode.Unauthorized);

        var browser = gateway.Browser();
        Assert.Equal(HttpStatusCode.OK, (await SignIn(browser, DashboardGateway.User, DashboardGateway.Password)).StatusCode);
        foreach (var path in new[] { "/dashboard/", "/dashboard/store?storeId=x", "/dashboard/staffing", "/dashboard/alerts", "/dashboard/quality" })
        {
            var html = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, html.StatusCode);
            Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
            var text = await html.Content.ReadAsStringAsync();
            Assert.Contains("type=\"module\"", text);
            Assert.DoesNotContain("<script>", text); // no inline script: the CSP allows only 'self'
        }
        await AssertProblem(await browser.GetAsync("/dashboard/nothing-here"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_for_15_minutes_even_against_the_right_one()
    {
        var user = await NewUser("lock-me", "the-right-password");
        var browser = gateway.Browser();
        for (var i = 0; i < 4; i++) await AssertProblem(await SignIn(browser, user, "a-wrong-password"), HttpStatusCode.Unauthorized);
        var fifth = await SignIn(browser, user, "a-wrong-password");
        await AssertProblem(fifth, HttpStatusCode.Locked);
        Assert.True(int.Parse(fifth.Headers.GetValues("Retry-After").Single()) is > 800 and <= 900);

        await AssertProblem(await SignIn(browser, user, "the-right-password"), HttpStatusCode.Locked);
        var listed = (await gateway.Ops().GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray().Single(u => u.GetProperty("username").GetString() == user);
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("lockedUntil").ValueKind);

        gateway.Clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(HttpStatusCode.OK, (await SignIn(browser, user, "the-right-password")).StatusCode);
    }

    [Fact]
    public async Task A_form_sign_in_redirects_to_the_page_asked_for_and_a_failure_back_to_the_form()
    {
        var user = await NewUser("form-user");
        var browser = gateway.Browser();
        var wrong = await browser.PostAsync("/auth/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = user, ["password"] = "not-the-password", ["returnUrl"] = "/dashboard/alerts",
        }));
        Assert.Equal(HttpStatusCode.SeeOther, wrong.StatusCode);
        Assert.Equal("/dashboard/sign-in?error=invalid&returnUrl=%2Fdashboard%2Falerts", wrong.Headers.Location!.OriginalString);

        var right = await browser.PostAsync("/auth/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = user, ["password"] = "a-good-long-password", ["returnUrl"] = "/dashboard/alerts",
        }));
        Assert.Equal(HttpStatusCode.SeeOther, right.StatusCode);
        Assert.Equal("/dashboard/alerts", right.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/alerts")).StatusCode);

        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/auth/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = user, ["password"] = "a-good-long-password" }),
            Headers = { { "Sec-Fetch-Site", "cross-site" } },
        };
        await AssertProblem(await gateway.Browser().SendAsync(crossSite), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Signing_out_a_new_password_or_disabling_ends_the_session()
    {
        var user = await NewUser("session-user");
        var browser = gateway.Browser();
        Assert.Equal(HttpStatusCode.OK, (await SignIn(browser, user, "a-good-long-password")).StatusCode);
        var signOut = await browser.PostAsync("/auth/sign-out", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.SeeOther, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/me")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await SignIn(browser, user, "a-good-long-password")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent,
            (await gateway.Ops().PostAsJsonAsync($"/api/users/{user}/password", new { password = "the-next-long-password" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/me")).StatusCode);
        await AssertProblem(await SignIn(browser, user, "a-good-long-password"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await SignIn(browser, user, "the-next-long-password")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await gateway.Ops().PostAsync($"/api/users/{user}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/keys")).StatusCode);
        await AssertProblem(await SignIn(browser, user, "the-next-long-password"), HttpStatusCode.Unauthorized);
        await AssertProblem(await gateway.Ops().PostAsync("/api/users/nobody-here/disable", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_gateway_replica_honours_the_session_cookie()
    {
        var browser = gateway.Browser();
        var signIn = await SignIn(browser, DashboardGateway.User, DashboardGateway.Password);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(DashboardModule.CookieName + "=")).Split(';')[0];

        var other = gateway.Replica().CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var me = new HttpRequestMessage(HttpMethod.Get, "/auth/me") { Headers = { { "Cookie", cookie } } };
        var answer = await other.SendAsync(me);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(DashboardGateway.User, (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("username").GetString());
    }

    [Theory]
    [InlineData("{\"username\":\"bad name\",\"displayName\":\"x\",\"password\":\"a-good-long-password\"}", "username")]
    [InlineData("{\"username\":\"short-pw\",\"displayName\":\"x\",\"password\":\"short\"}", "password")]
    [InlineData("{\"username\":\"no-name\",\"password\":\"a-good-long-password\"}", "displayName")]
    public async Task Bad_accounts_are_refused_with_the_field_named(string body, string field)
    {
        var response = await gateway.Ops().PostAsync("/api/users", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("/api/users", "{not json")]
    [InlineData("/api/users", "{\"username\":5,\"displayName\":[],\"password\":true}")]
    [InlineData("/api/users", "null")]
    [InlineData("/api/users/ops-admin/password", "{}")]
    [InlineData("/api/users/ops-admin/password", "{\"password\":12345678901234}")]
    public async Task Malformed_account_bodies_are_problems_never_500(string path, string body) =>
        await AssertProblem(await gateway.Ops().PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest);

    [Theory]
    [InlineData("{not json", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"username\":\"x y\",\"password\":\"\"}", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("username=a", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("x", "multipart/form-data", HttpStatusCode.BadRequest)] // no boundary: the form cannot be read
    public async Task Bad_sign_in_requests_are_problems(string body, string type, HttpStatusCode status) =>
        await AssertProblem(await gateway.Browser().PostAsync("/auth/sign-in", new StringContent(body, System.Text.Encoding.UTF8, type)), status);

    [Theory]
    [InlineData("/dashboard/store?storeId=店")]
    [InlineData("/dashboard/alerts\r\nX-Injected: 1")]
    public async Task A_return_address_a_Location_header_cannot_carry_sends_the_signed_in_user_to_the_board(string returnUrl)
    {
        var user = await NewUser($"return-{returnUrl.Length}");
        var signedIn = await gateway.Browser().PostAsync("/auth/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = user, ["password"] = "a-good-long-password", ["returnUrl"] = returnUrl,
        }));
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        Assert.Equal("/dashboard/", signedIn.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_duplicate_account_is_a_conflict()
    {
        await NewUser("twice");
        var again = await gateway.Ops().PostAsJsonAsync("/api/users", new { username = "TWICE", displayName = "x", password = "a-good-long-password" });
        await AssertProblem(again, HttpStatusCode.Conflict);
    }
}
