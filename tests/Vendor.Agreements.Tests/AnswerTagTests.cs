using System.Net;
using System.Net.Http.Json;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Agreements.Tests;

/// <summary>ETags of the SLA answers: If-None-Match as RFC 9110 reads it, and a tag that moves with every write of the rollups.</summary>
public class AnswerTagTests(FixedClockAgreements agreements) : IClassFixture<FixedClockAgreements>
{
    private readonly HttpClient _ops = agreements.Ops();

    [Theory]
    [InlineData("\"sla-1\"", true)]
    [InlineData("W/\"sla-1\"", true)] // weak comparison
    [InlineData("\"a\", \"sla-1\"", true)]
    [InlineData("\"a\",W/\"sla-1\" , \"b\"", true)]
    [InlineData("*", true)]
    [InlineData("\"sla-2\"", false)]
    [InlineData("sla-1", false)] // unquoted: not an entity tag
    [InlineData("\"sla-1", false)]
    [InlineData("", false)]
    public void If_none_match_names_the_tag_in_lists_weakly_or_with_a_star(string header, bool matches)
    {
        var http = new DefaultHttpContext();
        if (header.Length > 0) http.Request.Headers.IfNoneMatch = header;

        Assert.Equal(matches, ETags.Matches(http.Request, new EntityTagHeaderValue("\"sla-1\"")));
        var result = ETags.NotModified(http, "sla-1");
        Assert.Equal(matches, result is not null);
        Assert.Equal("\"sla-1\"", http.Response.Headers.ETag.ToString());
        Assert.Equal("private, no-cache", http.Response.Headers.CacheControl.ToString());
    }

    private async Task<HttpResponseMessage> Sla(string storeId, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/sla/stores/{storeId}/sla?from=2026-11-01&to=2026-11-30");
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return await _ops.SendAsync(request);
    }

    [Fact]
    public async Task A_qc_review_changes_the_tag_and_until_then_the_answer_is_304()
    {
        Assert.Equal(HttpStatusCode.Created, (await _ops.PostAsJsonAsync("/api/sla/stores", new { storeId = "tag-qc", name = "tag-qc", platform = "jd" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Sla("tag-nobody")).StatusCode);
        var fresh = await Sla("tag-qc"); // no conversation yet: a tag all the same
        Assert.Equal(HttpStatusCode.NotModified, (await Sla("tag-qc", fresh.Headers.ETag!.ToString())).StatusCode);

        var posted = await _ops.PostAsJsonAsync("/api/sla/stores/tag-qc/conversations", new
        {
            conversations = new[]
            {
                new
                {
                    conversationId = "q1", channel = "chat", kind = "aftersales",
                    messages = new object[]
                    {
                        new { at = "2026-11-02T10:00:00+08:00", from = "customer", text = "在吗" },
                        new { at = "2026-11-02T10:00:20+08:00", from = "agent", agentId = "a-1", text = "在的" },
                    },
                },
            },
        });
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var tag = (await Sla("tag-qc", fresh.Headers.ETag!.ToString())).Headers.ETag!.ToString();
        Assert.NotEqual(fresh.Headers.ETag!.ToString(), tag);
        Assert.Equal(HttpStatusCode.NotModified, (await Sla("tag-qc", tag)).StatusCode);

        await agreements.Host.Services.GetRequiredService<IBus>()
            .Publish(new Contracts.QcReviewCompleted("tag-rv-1", "tag-qc", "q1", "a-1", 85, FixedClockAgreements.Now));
        var changed = await Eventually.Until(() => Sla("tag-qc", tag), r => r.StatusCode == HttpStatusCode.OK, what: "a new tag after the review");
        Assert.NotEqual(tag, changed.Headers.ETag!.ToString());
        Assert.Contains("\"qcScore\"", await changed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotModified, (await Sla("tag-qc", changed.Headers.ETag!.ToString())).StatusCode);
    }
}
