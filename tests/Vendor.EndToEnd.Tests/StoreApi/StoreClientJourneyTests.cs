using System.Net;
using Vendor.EndToEnd.Tests.Hardening;
using Vendor.EndToEnd.Tests.Webhooks;
using Vendor.Testing;
using Vendor.StoreClient;

namespace Vendor.EndToEnd.Tests.StoreApi;

/// <summary>
/// A store's integration, written the way a store's engineer would: with the C# client generated at build time from the store
/// document (tests/Vendor.StoreClient), through the gateway, with the keys a store is given; webhooks reach a local receiver that
/// verifies their signatures with the StandardWebhooks package.
/// </summary>
public class StoreClientJourneyTests(WebhookPlatform fixture) : IClassFixture<WebhookPlatform>
{
    private const string StoreId = "journey-tea";
    private readonly PlatformFixture platform = fixture.Platform;

    [Fact]
    public async Task A_store_ingests_with_its_ingest_key_reads_its_figures_report_and_csv_and_receives_its_signed_webhook()
    {
        await Seeds.StoreAsync(platform.Client(PlatformFixture.OpsKey), StoreId, conversations: 0);
        var ingestHttp = platform.Client((await platform.IssueKey("ingest", StoreId)).Secret);
        var storeHttp = platform.Client((await platform.IssueKey("store", StoreId)).Secret);
        var ingest = new StoreApiClient(ingestHttp);
        var store = new StoreApiClient(storeHttp);

        var answer = await ingest.IngestConversationsAsync(StoreId, new IngestRequest
        {
            Conversations =
            [
                Conversation("j-1", "2026-11-16T10:00:00+08:00", "2026-11-16T10:00:40+08:00", "satisfied"),
                Conversation("j-2", "2026-11-17T11:00:00+08:00", null, "unsatisfied"),
            ],
        });
        Assert.Equal(2, answer.Accepted);
        Assert.Equal(["accepted", "accepted"], answer.Results.Select(r => r.Status));

        var figures = await store.GetSlaAsync(StoreId, "2026-11-01", "2026-11-30");
        Assert.Equal(2, figures.Conversations);
        var missed = figures.Metrics.Single(m => m.Metric == "missedRate");
        Assert.Equal(0.5, missed.Actual);
        Assert.Equal("missed", missed.Status);

        var report = await store.GetMonthlyReportAsync(StoreId, "2026-11");
        Assert.Equal("2026-11", report.Month);
        Assert.Equal(2, report.Conversations);
        Assert.Contains(report.Lines, l => l.Metric == "missedRate" && l.Status == "missed" && l.Credit > 0);

        // The CSV is the same operation with month "yyyy-MM.csv" (a text/csv answer the client does not parse): read with its HttpClient.
        var csv = await storeHttp.GetAsync($"/api/sla/stores/{StoreId}/reports/2026-11.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("storeId,month,metric", lines[0]);
        Assert.Contains(lines, l => l.Contains("missedRate", StringComparison.Ordinal));

        var contract = await store.GetContractAsync(StoreId);
        Assert.Equal(3, contract.Targets.Count);

        var explained = await store.ExplainConversationAsync(StoreId, "j-2");
        Assert.True(explained.Missed);
        Assert.Null(explained.FirstResponseSeconds);
        var missedPage = await store.ListConversationsAsync(StoreId, "2026-11-01", "2026-11-30", "missed", null, null);
        Assert.Equal(["j-2"], missedPage.Items.Select(i => i.ConversationId));

        var hook = await store.RegisterWebhookAsync(StoreId, new RegisterWebhook
        {
            Url = fixture.Receiver.Url("journey"), Events = ["sla.breached", "report.ready"],
        });
        Assert.StartsWith("whsec_", hook.Secret);
        fixture.Receiver.Expect("journey", hook.Secret);
        var queued = await store.TestWebhookAsync(StoreId, hook.WebhookId);
        var call = (await Eventually.Until(() => Task.FromResult(fixture.Receiver.CallsTo("journey")), c => c.Count >= 1,
            TimeSpan.FromSeconds(30), "the test event at the store's receiver"))[0];
        Assert.True(call.Verified, "the Standard Webhooks signature verifies with the secret the store was given");
        Assert.Contains("\"type\":\"test\"", call.Body);
        var listed = await store.ListWebhooksAsync(StoreId);
        Assert.Contains(listed, w => w.WebhookId == hook.WebhookId && w.Deliveries.Any(d => d.DeliveryId == queued.DeliveryId));
    }

    [Fact]
    public async Task A_refused_call_is_an_api_exception_carrying_the_problem_code()
    {
        await Seeds.StoreAsync(platform.Client(PlatformFixture.OpsKey), "journey-own", conversations: 0);
        var ingest = new StoreApiClient(platform.Client((await platform.IssueKey("ingest", "journey-own")).Secret));
        var store = new StoreApiClient(platform.Client((await platform.IssueKey("store", "journey-own")).Secret));

        var forbidden = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => ingest.GetSlaAsync("journey-own", "2026-11-01", "2026-11-30"));
        Assert.Equal(403, forbidden.StatusCode);
        Assert.Equal("forbidden", forbidden.Result.Code);
        Assert.Equal("/api/store/problems/forbidden", forbidden.Result.Type);

        var otherStore = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => store.GetContractAsync("journey-someone-else"));
        Assert.Equal(403, otherStore.StatusCode);
        Assert.Equal("forbidden", otherStore.Result.Code);

        var invalid = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => store.GetSlaAsync("journey-own", "2026-11-30", "2026-11-01"));
        Assert.Equal(400, invalid.StatusCode);
        Assert.Equal("validation-failed", invalid.Result.Code);
        Assert.NotEmpty(invalid.Result.Errors!);

        var noTerms = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => store.GetMonthlyReportAsync("journey-own", "2030-01"));
        Assert.Equal("no-contract-terms", noTerms.Result.Code);
    }

    private static ConversationInput Conversation(string id, string customerAt, string? agentAt, string rating)
    {
        var messages = new List<MessageInput> { new() { At = customerAt, From = "customer", Text = "请问什么时候发货？" } };
        if (agentAt is not null) messages.Add(new MessageInput { At = agentAt, From = "agent", AgentId = "agent-lin", Text = "亲，今天就发顺丰。" });
        return new ConversationInput { ConversationId = id, Channel = "chat", Kind = "aftersales", Messages = messages, Resolved = true, Rating = rating };
    }
}
