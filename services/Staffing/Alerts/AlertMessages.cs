using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vendor.Staffing.Alerts;

/// <summary>
/// The HTTP request a delivery becomes, per channel kind (STACK.md "Alert channels"): DingTalk robot markdown (signed URL
/// when the channel has a secret), WeCom robot markdown (≤ 4,096 bytes), or generic JSON (HMAC-SHA256 header when a secret is set).
/// Every request carries the delivery id as <c>Idempotency-Key</c>.
/// </summary>
public static class AlertMessages
{
    public const int DingTalkMaxBytes = 20_000;
    public const int WeComMaxBytes = 4_096;

    // Chinese as UTF-8, not \uXXXX escapes (6 bytes a character): the robots' size limits are on the bytes sent.
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerOptions.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static HttpRequestMessage Request(AlertChannel channel, AlertDelivery delivery, DateTimeOffset now)
    {
        var (url, body) = channel.Kind switch
        {
            ChannelKinds.DingTalk => (DingTalkUrl(channel.Url, channel.Secret, now), DingTalkBody(delivery)),
            ChannelKinds.WeCom => (channel.Url, WeComBody(delivery)),
            _ => (channel.Url, WebhookBody(delivery)),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", delivery.Id);
        if (channel.Kind == ChannelKinds.Webhook && channel.Secret is { } secret)
        {
            request.Headers.Add("X-Vendor-Timestamp", now.ToUnixTimeSeconds().ToString());
            request.Headers.Add("X-Vendor-Signature", $"sha256={WebhookSignature(secret, now.ToUnixTimeSeconds(), body)}");
        }
        return request;
    }

    /// <summary>DingTalk's signed-robot scheme: timestamp in ms and base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), URL-encoded.</summary>
    public static string DingTalkUrl(string url, string? secret, DateTimeOffset now)
    {
        if (secret is null) return url;
        var timestamp = now.ToUnixTimeMilliseconds();
        return $"{url}{(url.Contains('?') ? '&' : '?')}timestamp={timestamp}&sign={Uri.EscapeDataString(DingTalkSign(secret, timestamp))}";
    }

    public static string DingTalkSign(string secret, long timestampMs) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestampMs}\n{secret}")));

    public static string WebhookSignature(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    public static string Title(AlertDelivery d)
    {
        var a = d.Alert;
        var what = a.Kind switch
        {
            AlertKinds.CoverageGap => "排班缺口 coverage gap",
            AlertKinds.FeedbackOverdue => "商家反馈超时 store feedback overdue",
            _ => "缺勤激增 absence spike",
        };
        var state = d.Change switch
        {
            "raised" => "", "resolved" => "【已恢复 resolved】", "acknowledged" => "【已确认 acknowledged】", "escalated" => "【升级 ESCALATED】",
            _ => "【更新 updated】",
        };
        var repeat = d.MayRepeat ? "【可能重复 possible repeat】" : "";
        return $"{repeat}{state}{(a.Severity == Severities.Critical ? "🔴" : "🟠")} {what} · {a.Scope}";
    }

    public static string Markdown(AlertDelivery d)
    {
        var a = d.Alert;
        var lines = new StringBuilder()
            .AppendLine($"### {Title(d)}")
            .AppendLine($"- 严重程度 severity: **{a.Severity}**")
            .AppendLine($"- 范围 scope: {a.Scope}")
            .AppendLine($"- 情况 finding: {a.Finding.Summary}")
            .AppendLine($"- 时段 window: {a.Finding.WindowFrom:yyyy-MM-dd HH:mm zzz} – {a.Finding.WindowTo:HH:mm}")
            .AppendLine($"- 状态 status: {a.Status}{(a.AcknowledgedBy is { } by ? $" (by {by})" : "")}")
            .AppendLine($"- 告警 alert: {a.AlertId} · v{d.AlertVersion}");
        return lines.ToString();
    }

    public static string DingTalkBody(AlertDelivery d) => new JsonObject
    {
        ["msgtype"] = "markdown",
        ["markdown"] = new JsonObject { ["title"] = Title(d), ["text"] = Truncate(Markdown(d), DingTalkMaxBytes - 1_000) },
        ["at"] = new JsonObject { ["atMobiles"] = new JsonArray(), ["isAtAll"] = d.Change == "escalated" },
    }.ToJsonString(Wire);

    public static string WeComBody(AlertDelivery d) => new JsonObject
    {
        ["msgtype"] = "markdown",
        ["markdown"] = new JsonObject { ["content"] = Truncate(Markdown(d), WeComMaxBytes) },
    }.ToJsonString(Wire);

    public static string WebhookBody(AlertDelivery d) => JsonSerializer.Serialize(new
    {
        idempotencyKey = d.Id,
        possibleRepeat = d.MayRepeat,
        change = d.Change,
        title = Title(d),
        alert = new
        {
            d.Alert.AlertId, d.Alert.Kind, d.Alert.Scope, d.Alert.Severity, d.Alert.Status, d.Alert.Finding.Summary,
            d.Alert.Finding.WindowFrom, d.Alert.Finding.WindowTo, d.Alert.Finding.Count, d.Alert.Finding.Baseline, d.Alert.RaisedAt,
            d.Alert.AcknowledgedBy, d.Alert.EscalatedAt, d.Alert.ResolvedAt, version = d.AlertVersion,
        },
    }, Wire);

    /// <summary>Cuts text to a UTF-8 byte budget on a character boundary (Chinese text is 3 bytes a character).</summary>
    public static string Truncate(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var budget = maxBytes - Encoding.UTF8.GetByteCount("…");
        var sb = new StringBuilder();
        var used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if ((used += rune.Utf8SequenceLength) > budget) break;
            sb.Append(rune.ToString());
        }
        return sb.Append('…').ToString();
    }

    /// <summary>Did the channel accept it? DingTalk and WeCom answer 200 with errcode 0; a webhook any 2xx.</summary>
    public static async Task<string?> FailureOf(AlertChannel channel, HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode) return $"HTTP {(int)response.StatusCode}";
        if (channel.Kind == ChannelKinds.Webhook) return null;
        // Robots answer a small JSON object; read at most 4 KB of it.
        var buffer = new byte[4096];
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        try
        {
            using var json = JsonDocument.Parse(buffer.AsMemory(0, read));
            return json.RootElement.TryGetProperty("errcode", out var code) && code.TryGetInt32(out var errcode) && errcode == 0
                ? null
                : $"errcode {(json.RootElement.TryGetProperty("errcode", out var c) ? c.ToString() : "missing")}: {(json.RootElement.TryGetProperty("errmsg", out var m) ? m.GetString() : "")}";
        }
        catch (JsonException)
        {
            return "The robot did not answer JSON.";
        }
    }
}
