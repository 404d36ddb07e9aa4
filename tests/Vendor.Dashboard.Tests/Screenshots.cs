using Microsoft.Playwright;

namespace Vendor.Dashboard.Tests;

/// <summary>With VENDOR_SCREENSHOTS=1 the browser tests save what they checked as PNGs in docs/screenshots/ for the README.</summary>
public static class Screenshots
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("VENDOR_SCREENSHOTS") == "1";

    public static async Task SaveAsync(IPage page, string name, bool fullPage = true)
    {
        if (!Enabled) return;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vendor.sln"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? ".", "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, $"{name}.png"), FullPage = fullPage });
    }
}
