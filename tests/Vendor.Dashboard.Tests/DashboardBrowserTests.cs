using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Vendor.Testing;
using static Microsoft.Playwright.Assertions;

namespace Vendor.Dashboard.Tests;

/// <summary>The ops dashboard in real Chromium: sign-in, the SLA board turning red live, the live alert and its acknowledgement.</summary>
[Collection(DashboardCollection.Name)]
public class DashboardBrowserTests(DashboardFixture platform)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly LocatorAssertionsToHaveAttributeOptions Live = new() { Timeout = 60_000 };

    private static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime);

    /// <summary>A store whose contract allows 5 % missed conversations, from the start of last month.</summary>
    private async Task OnboardWithMissedRateTarget(string storeId)
    {
        await platform.Post("/api/sla/stores", new { storeId, name = $"测试店铺 {storeId}", platform = "tmall", timeZone = "Asia/Shanghai" });
        var first = new DateOnly(Today().Year, Today().Month, 1).AddMonths(-1);
        await platform.Put($"/api/sla/stores/{storeId}/contract", new
        {
            monthlyFee = 50_000, currency = "CNY", atRiskPercent = 10, startsOn = first.ToString("yyyy-MM-dd"),
            endsOn = first.AddYears(1).ToString("yyyy-MM-dd"), headcount = new { presales = 2, aftersales = 1, hotline = 0 },
            targets = new[] { new { metric = "missedRate", target = 0.05, allocationPercent = 100 } },
        });
    }

    /// <summary>Conversations of this month that nobody answered: a missed rate of 100 %.</summary>
    private Task IngestMissed(string storeId, int count)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-2);
        var conversations = Enumerable.Range(0, count).Select(i => new
        {
            conversationId = $"{storeId}-missed-{i}", channel = "chat", kind = "aftersales",
            messages = new[] { new { at = start.AddSeconds(i), from = "customer", text = "在吗？我的快递还没到" } },
        });
        return platform.Post($"/api/sla/stores/{storeId}/conversations", new { conversations });
    }

    [Fact]
    public async Task Ops_sign_in_see_a_breaching_store_turn_red_live_and_acknowledge_its_alert_without_a_reload()
    {
        var storeId = $"pw-{Guid.NewGuid():N}"[..12];
        await OnboardWithMissedRateTarget(storeId);

        var board = await platform.NewPageAsync();
        await DashboardFixture.SignInAsync(board);
        var row = board.Locator($"tr[data-store-id='{storeId}']");
        await Expect(row).ToHaveAttributeAsync("data-status", "grey"); // no conversation yet: no data
        var alerts = await board.Context.NewPageAsync();
        await alerts.GotoAsync("/dashboard/alerts");
        await Expect(alerts.Locator("body")).ToHaveAttributeAsync("data-live", "connected");
        await Expect(board.Locator("body")).ToHaveAttributeAsync("data-live", "connected");
        foreach (var page in new[] { board, alerts }) await page.EvaluateAsync("() => { window.loadedOnce = true; }");

        await IngestMissed(storeId, 4);

        // The board's row turns red from the live SLA alert, without a reload.
        await Expect(row).ToHaveAttributeAsync("data-status", "red", Live);
        await Expect(row).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("flash")); // redrawn by the alert, not the minute's refresh
        await Expect(row.Locator("td[data-metric='missedRate']")).ToHaveTextAsync("100.0%");
        // The alert arrives on the alerts page live, and the nav badge counts it.
        var alertRow = alerts.Locator($"tr[data-store-id='{storeId}'][data-source='sla']").First;
        await Expect(alertRow).ToHaveAttributeAsync("data-status", "open", Live);
        await Expect(alerts.Locator("#alert-badge")).Not.ToHaveAttributeAsync("data-count", "0");
        var alertId = await alertRow.GetAttributeAsync("data-alert-id");
        Assert.False(string.IsNullOrEmpty(alertId));

        var acknowledged = alerts.Locator($"tr[data-alert-id='{alertId}']");
        await acknowledged.Locator("button.ack").ClickAsync();
        await Expect(acknowledged).ToHaveAttributeAsync("data-status", "acknowledged", Live);
        foreach (var page in new[] { board, alerts }) Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"));

        // The API agrees, and names the account that acknowledged it.
        var list = await Eventually.Until(() => platform.Ops.GetFromJsonAsync<JsonElement>("/api/dashboard/alerts?status=all"),
            l => Items(l).Any(a => a.GetProperty("alertId").GetString() == alertId && a.GetProperty("status").GetString() == "acknowledged"),
            what: "the acknowledged alert in the API");
        var alert = Items(list).Single(a => a.GetProperty("alertId").GetString() == alertId);
        Assert.Contains(DashboardFixture.User, alert.GetProperty("acknowledgedBy").GetString());
        await board.Context.CloseAsync();
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_password()
    {
        var user = $"locked-{Guid.NewGuid():N}"[..14];
        await platform.Post("/api/users", new { username = user, displayName = "锁定测试", password = "the-right-password" });
        var page = await platform.NewPageAsync();
        await page.GotoAsync("/dashboard/sign-in");

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await page.FillAsync("#username", user);
            await page.FillAsync("#password", "a-wrong-password");
            await page.ClickAsync("#submit");
            await Expect(page.Locator("#message")).ToHaveAttributeAsync("data-error", attempt < 5 ? "invalid" : "locked");
        }
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", "the-right-password");
        await page.ClickAsync("#submit");
        await Expect(page.Locator("#message")).ToHaveAttributeAsync("data-error", "locked");
        await Expect(page.Locator("#message")).ToContainTextAsync("锁定");
        Assert.EndsWith("/dashboard/sign-in", new Uri(page.Url).AbsolutePath);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_pages_send_you_back_to_sign_in()
    {
        var page = await platform.NewPageAsync();
        await DashboardFixture.SignInAsync(page);
        await page.ClickAsync("form[action='/auth/sign-out'] button");
        await page.WaitForURLAsync("**/dashboard/sign-in?signedOut=1");

        await page.GotoAsync("/dashboard/quality");
        await page.WaitForURLAsync("**/dashboard/sign-in?returnUrl=%2Fdashboard%2Fquality");
        var api = await page.APIRequest.GetAsync("/api/quality/queue");
        Assert.Equal(401, api.Status);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_language_toggle_switches_to_English_and_is_remembered()
    {
        var page = await platform.NewPageAsync();
        await DashboardFixture.SignInAsync(page);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await Expect(page.Locator("h1")).ToHaveTextAsync("SLA 看板");

        await page.ClickAsync("header button.lang");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("h1")).ToHaveTextAsync("SLA board");
        await page.GotoAsync("/dashboard/staffing");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Staffing");
        await page.Context.CloseAsync();
    }

    internal static IEnumerable<JsonElement> Items(JsonElement list) =>
        list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : list.GetProperty("items").EnumerateArray();
}
