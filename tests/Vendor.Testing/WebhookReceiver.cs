using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Vendor.Testing;

/// <summary>One request the receiver saw: which robot, its idempotency key, body, and whether it was accepted.</summary>
public sealed record ReceivedCall(string Robot, string? IdempotencyKey, string Body, bool Accepted, bool SignatureValid);

/// <summary>
/// A local stand-in for DingTalk and WeCom group robots and a plain webhook, answering like the real ones: DingTalk checks the
/// signed URL (timestamp + sign) against its secret, both robots answer 200 with errcode 0 or a failure errcode. Switch it down
/// to see retries: robots then answer errcode 130101 (rate limited), the webhook 503.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const string DingTalkSecret = "SEC-test-dingtalk-secret";
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private volatile bool _down;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;
    public IReadOnlyList<ReceivedCall> Calls => _calls.ToList();
    public bool Down { get => _down; set => _down = value; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/robot/send", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var valid = long.TryParse(request.Query["timestamp"], out var timestamp)
                        && request.Query["sign"] == Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(DingTalkSecret),
                            Encoding.UTF8.GetBytes($"{timestamp}\n{DingTalkSecret}")));
            return receiver.Robot("dingtalk", request, body, valid);
        });
        app.MapPost("/cgi-bin/webhook/send", async (HttpRequest request) =>
            receiver.Robot("wecom", request, await new StreamReader(request.Body).ReadToEndAsync(), request.Query["key"] == "wecom-key"));
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var accepted = !receiver.Down;
            receiver._calls.Enqueue(new ReceivedCall("webhook", request.Headers["Idempotency-Key"], body, accepted, true));
            return accepted ? Results.Ok() : Results.StatusCode(503);
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Urls.First());
        return receiver;
    }

    private IResult Robot(string robot, HttpRequest request, string body, bool signatureValid)
    {
        var accepted = !Down && signatureValid;
        _calls.Enqueue(new ReceivedCall(robot, request.Headers["Idempotency-Key"], body, accepted, signatureValid));
        return Results.Json(accepted
            ? new { errcode = 0, errmsg = "ok" }
            : Down ? new { errcode = 130101, errmsg = "send too fast" } : new { errcode = 310000, errmsg = "sign not match" });
    }

    public string DingTalkUrl => new Uri(Address, "/robot/send?access_token=test-token").ToString();
    public string WeComUrl => new Uri(Address, "/cgi-bin/webhook/send?key=wecom-key").ToString();
    public string WebhookUrl => new Uri(Address, "/hook").ToString();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
