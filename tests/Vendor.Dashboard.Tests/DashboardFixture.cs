using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vendor.Agreements;
using Vendor.Gateway;
using Vendor.Quality;
using Vendor.Staffing;
using Vendor.Testing;

namespace Vendor.Dashboard.Tests;

/// <summary>
/// The whole platform in the test process (three services and the gateway on loopback ports, real PostgreSQL and RabbitMQ), a
/// bootstrap ops account, and Debian's Chromium driven by Playwright (never a downloaded browser).
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string OpsKey = "dashboard-bootstrap-ops-key-0123456789";
    public const string User = "ops-lead";
    public const string Password = "dashboard-password-2026";
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("VENDOR_CHROMIUM") ?? "/usr/bin/chromium";

    private readonly List<IAsyncDisposable> _hosts = [];
    private IPlaywright? _playwright;

    public Uri Address { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Ops { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: apt-get install -y chromium (.ci/run does), or set VENDOR_CHROMIUM.");
        var settings = await ServiceHost<GatewayApi>.SettingsAsync();
        var agreements = Start(new ServiceHost<AgreementsApi>(settings, realPort: true)).RealAddress();
        var staffing = Start(new ServiceHost<StaffingApi>(settings, realPort: true)).RealAddress();
        var quality = Start(new ServiceHost<QualityApi>(settings, realPort: true)).RealAddress();
        var gateway = Start(new ServiceHost<GatewayApi>(new Dictionary<string, string?>(settings)
        {
            ["VENDOR_BOOTSTRAP_OPS_KEY"] = OpsKey,
            ["VENDOR_BOOTSTRAP_OPS_USER"] = User,
            ["VENDOR_BOOTSTRAP_OPS_PASSWORD"] = Password,
            ["Gateway:RateLimit:TokensPerSecond"] = "1000",
            ["Gateway:RateLimit:Burst"] = "1000",
            ["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = agreements.ToString(),
            ["ReverseProxy:Clusters:staffing:Destinations:primary:Address"] = staffing.ToString(),
            ["ReverseProxy:Clusters:quality:Destinations:primary:Address"] = quality.ToString(),
        }, realPort: true));
        Address = gateway.RealAddress();
        Ops = new HttpClient { BaseAddress = Address };
        Ops.DefaultRequestHeaders.Add("X-Api-Key", OpsKey);

        // Two cores shared by four hosts, PostgreSQL, RabbitMQ and Chromium: give pages time to fill.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    /// <summary>A fresh browser context (its own cookies) with a page at the gateway, in Chinese unless told otherwise.</summary>
    public async Task<IPage> NewPageAsync(string? language = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1440, Height = 900 }, Locale = "zh-CN",
            TimezoneId = "Asia/Shanghai",
        });
        context.SetDefaultTimeout(30_000);
        if (language is not null) await context.AddInitScriptAsync($"localStorage.setItem('vendor.lang', '{language}')");
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the sign-in page and waits for the SLA board.</summary>
    public static async Task SignInAsync(IPage page, string user = User, string password = Password)
    {
        await page.GotoAsync("/dashboard/");
        await page.WaitForURLAsync("**/dashboard/sign-in**");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#submit");
        // Once in a full run (after the demo seeding, all suites before it) the first sign-in took over 30 s: allow 60 s.
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/dashboard/", new() { Timeout = 60_000 });
    }

    public async Task<JsonElement> Post(string path, object body)
    {
        var response = await Ops.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    public async Task<JsonElement> Put(string path, object body)
    {
        var response = await Ops.PutAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }

    private T Start<T>(T host) where T : IAsyncDisposable
    {
        _hosts.Add(host);
        return host;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        Ops?.Dispose();
        foreach (var host in Enumerable.Reverse(_hosts)) await host.DisposeAsync();
    }
}
