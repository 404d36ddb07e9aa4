using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace Vendor.EndToEnd.Tests.Webhooks;

/// <summary>One POST a store's endpoint received, and whether its Standard Webhooks signature verified against the endpoint's secret.</summary>
public sealed record StoreCall(string Endpoint, string WebhookId, string Timestamp, string Body, bool Verified, int Answer, DateTimeOffset ReceivedAt,
    DateTimeOffset AnsweredAt);

public enum EndpointMode { Ok, Down, Slow, Redirect, Gone }

/// <summary>
/// A store's webhook receiver on 127.0.0.1 (reached as http://localhost:port, allowed by the fixture): each endpoint path verifies
/// the signature with the StandardWebhooks package's <c>Verify</c> and answers as its mode says (200, 503, slow, a redirect, 410).
/// </summary>
public sealed class StoreWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _secrets = new();
    private readonly ConcurrentDictionary<string, EndpointMode> _modes = new();
    private readonly ConcurrentQueue<StoreCall> _calls = new();
    private readonly ConcurrentDictionary<string, int> _started = new();

    public TimeSpan SlowFor { get; set; } = TimeSpan.FromSeconds(6);

    private StoreWebhookReceiver(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <param name="port">0: any free port.</param>
    public static async Task<StoreWebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new StoreWebhookReceiver(app);
        app.MapPost("/hooks/{endpoint}", receiver.Receive);
        await app.StartAsync();
        receiver.Port = new Uri(app.Urls.First()).Port;
        return receiver;
    }

    private async Task<IResult> Receive(string endpoint, HttpRequest request)
    {
        var received = DateTimeOffset.UtcNow;
        _started.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        var verified = false;
        if (_secrets.TryGetValue(endpoint, out var secret))
        {
            try
            {
                new StandardWebhook(secret).Verify(body, request.Headers);
                verified = true;
            }
            catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
            {
            }
        }
        var mode = _modes.GetValueOrDefault(endpoint, EndpointMode.Ok);
        if (mode == EndpointMode.Slow) await Task.Delay(SlowFor);
        var answer = mode switch
        {
            EndpointMode.Down => 503, EndpointMode.Redirect => 302, EndpointMode.Gone => 410, _ => 200,
        };
        _calls.Enqueue(new StoreCall(endpoint, request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(), body, verified,
            answer, received, DateTimeOffset.UtcNow));
        if (mode == EndpointMode.Redirect) return Results.Redirect("http://169.254.169.254/latest/meta-data/");
        if (answer != 200) return Results.Text(new string('x', 100_000), statusCode: answer); // a long body: the sender reads 4 KB of it at most
        return Results.Ok();
    }

    public string Url(string endpoint) => $"http://localhost:{Port}/hooks/{endpoint}";

    public void Expect(string endpoint, string secret, EndpointMode mode = EndpointMode.Ok)
    {
        _secrets[endpoint] = secret;
        _modes[endpoint] = mode;
    }

    public void Switch(string endpoint, EndpointMode mode) => _modes[endpoint] = mode;

    /// <summary>Requests the endpoint has begun to answer (a slow one records its call only once it has answered).</summary>
    public int Started(string endpoint) => _started.GetValueOrDefault(endpoint);

    public IReadOnlyList<StoreCall> CallsTo(string endpoint) => _calls.Where(c => c.Endpoint == endpoint).ToList();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
