using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Vendor.Dashboard.Tests;

/// <summary>One platform and one browser for every dashboard test class (starting the platform twice would double the time on two cores).</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}

/// <summary>
/// A tour of every page over a small realistic tenant: each shows its data, passes an accessibility scan (axe: no serious or
/// critical violation), and with VENDOR_SCREENSHOTS=1 is saved as a PNG in docs/screenshots/ for the README.
/// </summary>
[Collection(DashboardCollection.Name)]
public class DashboardPagesTests(DashboardFixture platform)
{
    private static async Task Check(IPage page, string name)
    {
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{name}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} — {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")));
        await Screenshots.SaveAsync(page, name);
    }

    [Fact]
    public async Task Every_page_shows_its_data_and_passes_an_accessibility_scan()
    {
        await DemoData.SeedAsync(platform);
        var page = await platform.NewPageAsync();

        await page.GotoAsync("/dashboard/sign-in");
        await Check(page, "sign-in");

        await DashboardFixture.SignInAsync(page);
        await Expect(page.Locator("tr[data-store-id='demo-tmall']")).ToBeVisibleAsync();
        await Expect(page.Locator("tr[data-store-id='demo-douyin']")).ToHaveAttributeAsync("data-status", "red", new() { Timeout = 60_000 });
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-live", "connected");
        await Check(page, "sla-board");

        var lastMonth = DemoData.Today().AddMonths(-1).ToString("yyyy-MM");
        await page.GotoAsync($"/dashboard/store?storeId=demo-jd&month={lastMonth}");
        await Expect(page.Locator("#report-lines tbody tr")).ToHaveCountAsync(4);
        await Expect(page.Locator("#chart-rates canvas").First).ToBeVisibleAsync();
        await Check(page, "store");

        await page.GotoAsync("/dashboard/staffing");
        await Expect(page.Locator("#heatmap canvas").First).ToBeVisibleAsync();
        await Expect(page.Locator("#absence-list tbody tr")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("#plan-list tbody tr")).Not.ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Check(page, "staffing");
        // Review and approve the proposed plan: its row says approved, without a reload.
        var plan = page.Locator("#plan-list tbody tr").First;
        await Expect(plan).ToHaveAttributeAsync("data-status", "proposed");
        await plan.Locator("button.action").ClickAsync();
        await Expect(page.Locator("#plan-list tbody tr").First).ToHaveAttributeAsync("data-status", "approved");

        await page.GotoAsync("/dashboard/alerts?status=all");
        await Expect(page.Locator("tr[data-store-id='demo-douyin'][data-source='sla']").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Check(page, "alerts");

        await page.GotoAsync("/dashboard/quality");
        await Expect(page.Locator("#tiers canvas").First).ToBeVisibleAsync();
        await Expect(page.Locator("#review-queue tbody tr")).Not.ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Expect(page.Locator("#team-scorecard")).ToBeVisibleAsync();
        await Check(page, "quality");
        await page.Context.CloseAsync();
    }
}
