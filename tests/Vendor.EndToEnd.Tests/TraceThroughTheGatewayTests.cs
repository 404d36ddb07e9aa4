using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Vendor.Testing;

namespace Vendor.EndToEnd.Tests;

/// <summary>
/// One trace follows a conversation: the store's request (with its own W3C traceparent) through the gateway into Agreements, the
/// outbox's publish on RabbitMQ, and Quality's consumer of ConversationsRecordedV2 — every step under the trace id the request carried.
/// </summary>
public class TraceThroughTheGatewayTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    [Fact]
    public async Task One_trace_follows_an_ingested_conversation_from_the_gateway_through_agreements_and_rabbitmq_into_qualitys_consumer()
    {
        var finished = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = finished.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var ops = platform.Client(PlatformFixture.OpsKey);
        Assert.Equal(HttpStatusCode.Created, (await ops.PostAsJsonAsync("/api/sla/stores",
            new { storeId = "traced", name = "链路追踪店", platform = "tmall", serviceHours = new[] { new { start = "00:00", end = "00:00" } } })).StatusCode);
        var traceId = ActivityTraceId.CreateRandom();
        using var ingest = new HttpRequestMessage(HttpMethod.Post, "/api/sla/stores/traced/conversations")
        {
            Content = JsonContent.Create(new
            {
                conversations = new[]
                {
                    new
                    {
                        conversationId = "t-1", channel = "chat", kind = "presales",
                        messages = new object[]
                        {
                            new { at = "2026-11-20T10:00:00+08:00", from = "customer", text = "这款茶叶还有货吗？" },
                            new { at = "2026-11-20T10:00:30+08:00", from = "agent", agentId = "a-trace", text = "有的亲" },
                        },
                    },
                },
            }),
        };
        ingest.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await ops.SendAsync(ingest)).EnsureSuccessStatusCode();

        bool QualityConsumed(Activity a) => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer
            && a.TagObjects.Any(t => t.Value?.ToString()?.Contains("Vendor.Quality", StringComparison.Ordinal) == true);
        List<Activity> trace;
        try
        {
            trace = await Eventually.Until(() => Task.FromResult(finished.Where(a => a.TraceId == traceId).ToList()),
                spans => spans.Any(QualityConsumed), TimeSpan.FromSeconds(30), "Quality's consumer under the request's trace");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nspans of the trace: {Describe(finished.Where(a => a.TraceId == traceId))}", e);
        }

        // The steps in between carry the same trace: the gateway's and Agreements' server spans, the outbox's publish.
        Assert.True(trace.Count(a => a.Kind == ActivityKind.Server && a.Source.Name == "Microsoft.AspNetCore") >= 2,
            "the gateway and Agreements each handled the request under the trace: " + Describe(trace));
        Assert.Contains(trace, a => a.Source.Name == "Vendor.Outbox");
        Assert.Contains(trace, a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Producer);
    }

    private static string Describe(IEnumerable<Activity> spans) =>
        string.Join("; ", spans.Select(a => $"{a.Source.Name}/{a.Kind}/{a.DisplayName}"));
}
