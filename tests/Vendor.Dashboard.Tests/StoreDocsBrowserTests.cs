using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Vendor.Dashboard.Tests;

/// <summary>The store API's reference page (Scalar, served by the gateway) renders the published document in real Chromium, without a key.</summary>
[Collection(DashboardCollection.Name)]
public class StoreDocsBrowserTests(DashboardFixture platform)
{
    [Fact]
    public async Task The_reference_page_renders_the_store_operations_without_a_key_and_without_a_policy_violation()
    {
        var page = await platform.NewPageAsync();
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") refused.Add(message.Text);
        };
        page.RequestFailed += (_, request) => refused.Add($"failed: {request.Url}");

        var response = await page.GotoAsync("/api/store/docs");
        Assert.Equal(200, response!.Status);
        // The operations of both services, by their summaries, rendered from /api/store/openapi.json.
        await Expect(page.GetByText("Record finished or running conversations", new PageGetByTextOptions { Exact = false }).First).ToBeVisibleAsync();
        await Expect(page.GetByText("A store files feedback", new PageGetByTextOptions { Exact = false }).First).ToBeVisibleAsync();
        Assert.DoesNotContain(refused, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                                            || m.Contains("openapi.json", StringComparison.Ordinal) || m.StartsWith("failed: " + platform.Address, StringComparison.Ordinal));
    }
}
