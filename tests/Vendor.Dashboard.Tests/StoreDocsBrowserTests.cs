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
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") problems.Add(message.Text);
        };
        var gateway = platform.Address.ToString().TrimEnd('/');
        page.RequestFailed += (_, request) => problems.Add($"failed: {request.Url}");
        page.Response += (_, response) =>
        {
            if (response.Url.StartsWith(gateway, StringComparison.Ordinal) && response.Status >= 400) problems.Add($"{response.Status} {response.Url}");
        };

        var response = await page.GotoAsync("/api/store/docs");
        Assert.Equal(200, response!.Status);
        // The document's title and description, and the operations of both services grouped by their tags.
        await Expect(page.GetByText("客服外包平台店铺 API / Vendor store API").First).ToBeVisibleAsync();
        await Expect(page.GetByText("The store's current contract terms", new PageGetByTextOptions { Exact = false }).First).ToBeVisibleAsync();
        foreach (var tag in new[] { "SLA", "Reports", "Ingestion", "Conversations", "Webhooks", "Knowledge", "Feedback" })
            await Expect(page.GetByText($"Open Group - {tag}", new PageGetByTextOptions { Exact = true }).First).ToBeAttachedAsync();
        await Screenshots.SaveAsync(page, "store-api", fullPage: false);
        Assert.DoesNotContain(problems, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                                             || m.StartsWith("failed: " + gateway, StringComparison.Ordinal) || m.Contains(gateway, StringComparison.Ordinal));
    }
}
