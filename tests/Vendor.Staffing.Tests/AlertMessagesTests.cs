using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vendor.Staffing.Alerts;

namespace Vendor.Staffing.Tests;

public class AlertMessagesTests
{
    private static readonly TimeSpan Cst = TimeSpan.FromHours(8);
    private static readonly DateTimeOffset Now = new(2026, 11, 11, 9, 30, 15, 123, Cst);
    private const string DingTalkUrl = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef";
    private const string WeComUrl = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx";
    private const string Secret = "SECa1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2";

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    private static Finding FindingOf(string summary, string severity = Severities.Critical) =>
        new(AlertKinds.CoverageGap, "store:s-1", severity, summary, Now, Now.AddHours(4), 3, 5);

    private static AlertDelivery DeliveryOf(string change = "raised", string summary = "3 intervals short from 09:30; worst 10:00: 4 of 7 agents",
        string severity = Severities.Critical)
    {
        var alert = AlertEngine.Next(null, new AlertRaised("gap-202611110930-ab12cd34", FindingOf(summary, severity), Now));
        return new AlertDelivery(AlertDelivery.IdOf(alert.AlertId, alert.Revision, "ops-room"), alert.AlertId, alert.Revision, "ops-room", change,
            alert, Now, DeliveryStatus.Pending, 0, Now, null, null);
    }

    private static AlertChannel ChannelOf(string kind, string url, string? secret = null) =>
        new(AlertChannel.StreamKey("ops-room"), "ops-room", "运营群", kind, url, Severities.Warning, secret, false, Now);

    /// <summary>A summary of about 40,000 UTF-8 bytes of Chinese.</summary>
    private static readonly string LongChineseSummary = string.Concat(Enumerable.Repeat("杭州旗舰店售前客服缺口严重请立即安排支援", 700));

    private static string Body(HttpRequestMessage request) => request.Content!.ReadAsStringAsync().GetAwaiter().GetResult();

    // ---- DingTalk signing ----

    /// <summary>The public scheme, computed here independently: base64(HMAC-SHA256(key: secret, data: timestamp + "\n" + secret)).</summary>
    private static string ExpectedSign(string secret, long timestampMs)
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        return Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestampMs + "\n" + secret)));
    }

    private static Dictionary<string, string> Query(string url) =>
        new Uri(url).Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    [Fact]
    public void A_signed_DingTalk_url_appends_the_timestamp_in_ms_and_the_signature_to_the_access_token()
    {
        var url = AlertMessages.DingTalkUrl(DingTalkUrl, Secret, Now);

        var timestamp = Now.ToUnixTimeMilliseconds();
        Assert.StartsWith($"{DingTalkUrl}&timestamp={timestamp}&sign=", url);
        var query = Query(url);
        Assert.Equal(["access_token", "timestamp", "sign"], query.Keys);
        Assert.Equal("0123456789abcdef", query["access_token"]);
        Assert.Equal(timestamp.ToString(), query["timestamp"]);
        Assert.Equal(ExpectedSign(Secret, timestamp), Uri.UnescapeDataString(query["sign"]));
        Assert.Equal(WebUtility.UrlEncode(ExpectedSign(Secret, timestamp)), query["sign"]);
    }

    [Fact]
    public void The_signature_is_url_encoded_so_that_plus_slash_and_equals_survive()
    {
        // Find a timestamp whose base64 signature holds '+' or '/' (and it always ends in '=' for 32 bytes).
        var now = Enumerable.Range(0, 1000).Select(ms => Now.AddMilliseconds(ms))
            .First(t => ExpectedSign(Secret, t.ToUnixTimeMilliseconds()) is var s && (s.Contains('+') || s.Contains('/')));
        var expected = ExpectedSign(Secret, now.ToUnixTimeMilliseconds());

        var sign = Query(AlertMessages.DingTalkUrl(DingTalkUrl, Secret, now))["sign"];

        Assert.DoesNotContain('+', sign);
        Assert.DoesNotContain('/', sign);
        Assert.DoesNotContain('=', sign);
        Assert.EndsWith("%3D", sign);
        Assert.Equal(expected, Uri.UnescapeDataString(sign));
        Assert.Equal(expected, AlertMessages.DingTalkSign(Secret, now.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void Known_signature_vectors_of_the_public_scheme()
    {
        // From Python's hmac/base64/urllib.parse.quote_plus (and openssl dgst -sha256 -hmac SECtest -binary | base64).
        Assert.Equal("aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=", AlertMessages.DingTalkSign("SECtest", 1_700_000_000_000));
        Assert.Equal("r4CWp/Dz+Ng0sbTjH1vB0Fr+uQ2fn831mssaN6/C05I=", AlertMessages.DingTalkSign("SECtest", 1_700_000_000_001));
        Assert.Equal(
            "https://oapi.dingtalk.com/robot/send?access_token=t1&timestamp=1700000000001&sign=r4CWp%2FDz%2BNg0sbTjH1vB0Fr%2BuQ2fn831mssaN6%2FC05I%3D",
            AlertMessages.DingTalkUrl("https://oapi.dingtalk.com/robot/send?access_token=t1", "SECtest",
                DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_001).ToOffset(Cst)));
    }

    [Fact]
    public void A_DingTalk_url_without_a_query_gets_one_and_an_unsigned_robot_keeps_its_url()
    {
        Assert.StartsWith("https://robot.example.com/send?timestamp=", AlertMessages.DingTalkUrl("https://robot.example.com/send", Secret, Now));
        Assert.Equal(DingTalkUrl, AlertMessages.DingTalkUrl(DingTalkUrl, null, Now));
    }

    [Fact]
    public void The_DingTalk_request_goes_to_the_signed_url()
    {
        using var request = AlertMessages.Request(ChannelOf(ChannelKinds.DingTalk, DingTalkUrl, Secret), DeliveryOf(), Now);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(AlertMessages.DingTalkUrl(DingTalkUrl, Secret, Now), request.RequestUri!.OriginalString);
        Assert.Equal(ExpectedSign(Secret, Now.ToUnixTimeMilliseconds()), Uri.UnescapeDataString(Query(request.RequestUri.OriginalString)["sign"]));
    }

    // ---- Bodies ----

    [Fact]
    public void The_DingTalk_body_is_robot_markdown_with_an_at_block()
    {
        var delivery = DeliveryOf();

        using var json = JsonDocument.Parse(AlertMessages.DingTalkBody(delivery));

        var root = json.RootElement;
        Assert.Equal(["msgtype", "markdown", "at"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("markdown", root.GetProperty("msgtype").GetString());
        var markdown = root.GetProperty("markdown");
        Assert.Equal(["title", "text"], markdown.EnumerateObject().Select(p => p.Name));
        Assert.Equal(AlertMessages.Title(delivery), markdown.GetProperty("title").GetString());
        var text = markdown.GetProperty("text").GetString()!;
        Assert.Equal(AlertMessages.Markdown(delivery), text);
        Assert.Contains("store:s-1", text);
        Assert.Contains("3 intervals short", text);
        Assert.Contains(delivery.AlertId, text);
        var at = root.GetProperty("at");
        Assert.Equal(JsonValueKind.Array, at.GetProperty("atMobiles").ValueKind);
        Assert.Equal(0, at.GetProperty("atMobiles").GetArrayLength());
        Assert.False(at.GetProperty("isAtAll").GetBoolean());
    }

    [Fact]
    public void An_escalation_mentions_everyone_in_DingTalk()
    {
        using var json = JsonDocument.Parse(AlertMessages.DingTalkBody(DeliveryOf("escalated")));

        Assert.True(json.RootElement.GetProperty("at").GetProperty("isAtAll").GetBoolean());
    }

    [Fact]
    public void The_DingTalk_body_stays_under_20000_bytes_even_for_a_very_long_Chinese_summary()
    {
        var body = AlertMessages.DingTalkBody(DeliveryOf(summary: LongChineseSummary));

        Assert.True(Encoding.UTF8.GetByteCount(body) < AlertMessages.DingTalkMaxBytes,
            $"DingTalk body is {Encoding.UTF8.GetByteCount(body)} bytes; STACK.md: keep a body under 20,000 bytes");
        using var json = JsonDocument.Parse(body);
        Assert.EndsWith("…", json.RootElement.GetProperty("markdown").GetProperty("text").GetString());
    }

    [Fact]
    public void The_WeCom_body_is_robot_markdown_with_content_only()
    {
        var delivery = DeliveryOf();

        using var json = JsonDocument.Parse(AlertMessages.WeComBody(delivery));

        Assert.Equal(["msgtype", "markdown"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("markdown", json.RootElement.GetProperty("msgtype").GetString());
        var markdown = json.RootElement.GetProperty("markdown");
        Assert.Equal(["content"], markdown.EnumerateObject().Select(p => p.Name));
        Assert.Equal(AlertMessages.Markdown(delivery), markdown.GetProperty("content").GetString());
    }

    [Fact]
    public void The_WeCom_content_fits_4096_bytes_even_for_a_very_long_Chinese_summary()
    {
        Assert.True(Encoding.UTF8.GetByteCount(LongChineseSummary) > 30_000);

        using var json = JsonDocument.Parse(AlertMessages.WeComBody(DeliveryOf(summary: LongChineseSummary)));

        var content = json.RootElement.GetProperty("markdown").GetProperty("content").GetString()!;
        Assert.InRange(Encoding.UTF8.GetByteCount(content), AlertMessages.WeComMaxBytes - 6, AlertMessages.WeComMaxBytes);
        Assert.EndsWith("…", content);
        Assert.StartsWith("### ", content);
        StrictUtf8.GetBytes(content); // no half character
    }

    [Fact]
    public void Truncate_cuts_on_a_character_boundary_within_the_byte_budget()
    {
        var chinese = string.Concat(Enumerable.Repeat("客服", 100)); // 600 bytes

        var cut = AlertMessages.Truncate(chinese, 100);

        Assert.True(Encoding.UTF8.GetByteCount(cut) <= 100);
        Assert.Equal(string.Concat(Enumerable.Repeat("客服", 16)) + "…", cut); // 96 bytes: 32 characters (a 33rd would pass 97), then "…"
        Assert.Equal(chinese, AlertMessages.Truncate(chinese, 600));
        Assert.Equal("abc", AlertMessages.Truncate("abc", 3));
    }

    [Fact]
    public void Truncate_never_splits_a_surrogate_pair()
    {
        var emoji = string.Concat(Enumerable.Repeat("🔴", 10)); // 4 bytes each

        var cut = AlertMessages.Truncate(emoji, 10);

        Assert.Equal("🔴…", cut);
        StrictUtf8.GetBytes(cut);
        Assert.All(Enumerable.Range(8, 40), max =>
        {
            var text = AlertMessages.Truncate(emoji + "客服 mixed ascii", max);
            Assert.True(Encoding.UTF8.GetByteCount(text) <= max, $"{max}: {text}");
            StrictUtf8.GetBytes(text);
        });
    }

    // ---- Webhook ----

    [Fact]
    public void The_webhook_body_carries_the_idempotency_key_and_the_alert()
    {
        var delivery = DeliveryOf();

        using var json = JsonDocument.Parse(AlertMessages.WebhookBody(delivery));

        var root = json.RootElement;
        Assert.Equal(delivery.Id, root.GetProperty("idempotencyKey").GetString());
        Assert.Equal("gap-202611110930-ab12cd34:1:ops-room", delivery.Id);
        Assert.Equal("raised", root.GetProperty("change").GetString());
        Assert.Equal(AlertMessages.Title(delivery), root.GetProperty("title").GetString());
        var alert = root.GetProperty("alert");
        Assert.Equal(delivery.AlertId, alert.GetProperty("alertId").GetString());
        Assert.Equal(AlertKinds.CoverageGap, alert.GetProperty("kind").GetString());
        Assert.Equal("store:s-1", alert.GetProperty("scope").GetString());
        Assert.Equal(Severities.Critical, alert.GetProperty("severity").GetString());
        Assert.Equal(AlertStatus.Open, alert.GetProperty("status").GetString());
        Assert.Equal(1, alert.GetProperty("version").GetInt64());
        Assert.Equal(Now, alert.GetProperty("windowFrom").GetDateTimeOffset());
    }

    [Fact]
    public void A_signed_webhook_carries_the_timestamp_and_an_HMAC_SHA256_of_timestamp_dot_body()
    {
        const string secret = "whsec_0123456789";
        using var request = AlertMessages.Request(ChannelOf(ChannelKinds.Webhook, "https://hooks.example.com/alerts", secret), DeliveryOf(), Now);

        var body = Body(request);
        var timestamp = Assert.Single(request.Headers.GetValues("X-Vendor-Timestamp"));
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(), timestamp);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = "sha256=" + Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{timestamp}.{body}"))).ToLowerInvariant();
        Assert.Equal(expected, Assert.Single(request.Headers.GetValues("X-Vendor-Signature")));
        Assert.Equal(AlertMessages.WebhookBody(DeliveryOf()), body);
        Assert.Equal("https://hooks.example.com/alerts", request.RequestUri!.OriginalString);
    }

    [Fact]
    public void An_unsigned_webhook_has_no_signature_headers()
    {
        using var request = AlertMessages.Request(ChannelOf(ChannelKinds.Webhook, "https://hooks.example.com/alerts"), DeliveryOf(), Now);

        Assert.False(request.Headers.Contains("X-Vendor-Signature"));
        Assert.False(request.Headers.Contains("X-Vendor-Timestamp"));
    }

    [Theory]
    [InlineData(ChannelKinds.DingTalk, DingTalkUrl, Secret)]
    [InlineData(ChannelKinds.DingTalk, DingTalkUrl, null)]
    [InlineData(ChannelKinds.WeCom, WeComUrl, null)]
    [InlineData(ChannelKinds.Webhook, "https://hooks.example.com/alerts", "whsec_1")]
    [InlineData(ChannelKinds.Webhook, "https://hooks.example.com/alerts", null)]
    public void Every_request_is_a_utf8_json_POST_with_the_delivery_id_as_idempotency_key(string kind, string url, string? secret)
    {
        var delivery = DeliveryOf();

        using var request = AlertMessages.Request(ChannelOf(kind, url, secret), delivery, Now);

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(delivery.Id, Assert.Single(request.Headers.GetValues("Idempotency-Key")));
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", request.Content.Headers.ContentType.CharSet);
        using var _ = JsonDocument.Parse(Body(request));
    }

    [Fact]
    public void The_WeCom_request_goes_to_the_robot_url_unchanged()
    {
        using var request = AlertMessages.Request(ChannelOf(ChannelKinds.WeCom, WeComUrl, "ignored"), DeliveryOf(), Now);

        Assert.Equal(WeComUrl, request.RequestUri!.OriginalString);
        Assert.Equal(AlertMessages.WeComBody(DeliveryOf()), Body(request));
    }

    // ---- Titles ----

    [Fact]
    public void The_title_names_the_change_the_severity_and_the_scope()
    {
        Assert.Equal("🔴 排班缺口 coverage gap · store:s-1", AlertMessages.Title(DeliveryOf()));
        Assert.Equal("【已恢复 resolved】🟠 排班缺口 coverage gap · store:s-1", AlertMessages.Title(DeliveryOf("resolved", severity: Severities.Warning)));
        Assert.StartsWith("【升级 ESCALATED】", AlertMessages.Title(DeliveryOf("escalated")));
        Assert.StartsWith("【更新 updated】", AlertMessages.Title(DeliveryOf("severityChanged")));
    }

    // ---- FailureOf ----

    private static string? FailureOf(string kind, HttpStatusCode status, string body)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        return AlertMessages.FailureOf(ChannelOf(kind, "https://robot.example.com/send"), response, CancellationToken.None).GetAwaiter().GetResult();
    }

    [Theory]
    [InlineData(ChannelKinds.DingTalk)]
    [InlineData(ChannelKinds.WeCom)]
    public void A_robot_answering_errcode_0_accepted_the_message(string kind)
    {
        Assert.Null(FailureOf(kind, HttpStatusCode.OK, """{"errcode":0,"errmsg":"ok"}"""));
    }

    [Theory]
    [InlineData(ChannelKinds.DingTalk)]
    [InlineData(ChannelKinds.WeCom)]
    public void A_robot_answering_a_non_zero_errcode_failed(string kind)
    {
        var failure = FailureOf(kind, HttpStatusCode.OK, """{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}""");

        Assert.NotNull(failure);
        Assert.Contains("130101", failure);
        Assert.Contains("send too fast", failure);
    }

    [Fact]
    public void A_robot_answer_without_errcode_or_not_json_is_a_failure()
    {
        Assert.NotNull(FailureOf(ChannelKinds.DingTalk, HttpStatusCode.OK, """{"ok":true}"""));
        Assert.NotNull(FailureOf(ChannelKinds.DingTalk, HttpStatusCode.OK, "<html>gateway</html>"));
    }

    [Theory]
    [InlineData(ChannelKinds.DingTalk)]
    [InlineData(ChannelKinds.WeCom)]
    [InlineData(ChannelKinds.Webhook)]
    public void An_HTTP_error_is_a_failure(string kind)
    {
        Assert.Equal("HTTP 500", FailureOf(kind, HttpStatusCode.InternalServerError, """{"errcode":0}"""));
        Assert.Equal("HTTP 429", FailureOf(kind, HttpStatusCode.TooManyRequests, ""));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, "")]
    [InlineData(HttpStatusCode.Accepted, "queued")]
    [InlineData(HttpStatusCode.NoContent, "")]
    [InlineData(HttpStatusCode.OK, """{"errcode":5}""")]
    public void A_webhook_accepts_with_any_2xx(HttpStatusCode status, string body)
    {
        Assert.Null(FailureOf(ChannelKinds.Webhook, status, body));
    }
}
