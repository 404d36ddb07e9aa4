using Microsoft.Playwright;
using Vendor.Testing;

namespace Vendor.Dashboard.Tests;

/// <summary>With VENDOR_SCREENSHOTS=1 the browser tests save what they checked as PNGs in docs/screenshots/ for the README.</summary>
public static class Screenshots
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("VENDOR_SCREENSHOTS") == "1";

    public static async Task SaveAsync(IPage page, string name, bool fullPage = true)
    {
        if (!Enabled) return;
        var folder = Path.Combine(Repository.Root, "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = fullPage });
    }
}
