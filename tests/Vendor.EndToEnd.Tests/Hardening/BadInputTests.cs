using System.Net;
using System.Text;
using System.Text.Json;

namespace Vendor.EndToEnd.Tests.Hardening;

/// <summary>
/// What the fuzz test found answered with a 5xx, pinned one request each (through the gateway, as ops): each is now a 4xx
/// problem+json naming what is wrong.
/// </summary>
public class BadInputTests(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Theory]
    [InlineData("POST", "/api/sla/stores", "application/json; charset=nonsense")]
    [InlineData("POST", "/api/quality/reviews", "application/json; charset=\"\"")]
    [InlineData("PUT", "/api/staffing/stores/x/campaigns", "application/json; charset=nonsense")]
    [InlineData("POST", "/api/keys", "application/json; charset=klingon")]
    public async Task A_content_type_naming_an_unknown_charset_is_415(string method, string path, string contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent("{}"u8.ToArray()) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var problem = await Problem(await _ops.SendAsync(request), HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("charset", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("/api/quality/knowledge/articles?kind=%00")]
    [InlineData("/api/quality/knowledge/proposals?storeId=%00")]
    [InlineData("/api/quality/stores/x/knowledge/proposals?status=a%00b")]
    public async Task A_NUL_character_PostgreSQL_cannot_store_is_400(string path) =>
        await Problem(await _ops.GetAsync(path), HttpStatusCode.BadRequest);

    [Fact]
    public async Task A_NUL_character_in_a_body_is_400_and_stores_nothing()
    {
        var response = await _ops.PostAsync("/api/keys",
            new StringContent("""{"name":"a\u0000b","role":"ops"}""", Encoding.UTF8, "application/json"));

        await Problem(response, HttpStatusCode.BadRequest);
        Assert.DoesNotContain("a\\u0000b", await _ops.GetStringAsync("/api/keys"));
    }

    [Theory]
    [InlineData("PUT", "/api/quality/sampling", """{"refundWords":[null]}""")]
    [InlineData("PUT", "/api/quality/sampling", """{"complaintWords":["投诉",null]}""")]
    [InlineData("PUT", "/api/quality/rubrics/bad-rubric", """{"name":"n","storeIds":["s1"],"items":[null]}""")]
    [InlineData("POST", "/api/quality/calibrations", """{"calibrationId":"c1","name":"n","conversations":[null],"inspectorIds":["a","b"]}""")]
    public async Task A_null_in_a_list_is_400(string method, string path, string body)
    {
        var response = await _ops.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
    }

    [Theory]
    [InlineData("POST", "/api/staffing/emergency-plans", """{"date":"9999-12-31"}""")]
    [InlineData("POST", "/api/staffing/emergency-plans", """{"date":"0001-01-01"}""")]
    [InlineData("GET", "/api/staffing/stores/x/coverage?date=9999-12-31", null)]
    [InlineData("GET", "/api/staffing/stores/x/roster/0001-01-01", null)]
    [InlineData("PUT", "/api/staffing/stores/x/roster/9999-12-31", "[]")]
    public async Task A_date_at_the_end_of_the_calendar_is_400(string method, string path, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        var problem = await Problem(await _ops.SendAsync(request), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("date", out _), problem.ToString());
    }

    [Theory]
    [InlineData("GET", "/api/sla/nothing-here", null, HttpStatusCode.NotFound)]
    [InlineData("GET", "/api/nothing-here", null, HttpStatusCode.NotFound)]
    [InlineData("DELETE", "/api/sla/stores", null, HttpStatusCode.MethodNotAllowed)]
    [InlineData("POST", "/api/sla/stores", "{", HttpStatusCode.BadRequest)]
    [InlineData("POST", "/api/keys", "{", HttpStatusCode.BadRequest)]
    public async Task A_client_preferring_html_still_gets_problem_json(string method, string path, string? body, HttpStatusCode status)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Accept.ParseAdd("text/html");
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        await Problem(await _ops.SendAsync(request), status);
    }

    [Fact]
    public async Task An_ingest_body_over_5_MiB_is_a_413_problem_whether_its_length_is_declared_or_chunked_never_a_502()
    {
        // 5.5 MB: the service used to stop at 5 MB mid-upload while the gateway forwarded up to 6 MiB, and the gateway answered 502.
        var padding = new string('x', 5_500_000);
        var declared = new HttpRequestMessage(HttpMethod.Post, "/api/sla/stores/never-onboarded/conversations")
        {
            Content = new StringContent($"{{\"conversations\":[],\"padding\":\"{padding}\"}}", Encoding.UTF8, "application/json"),
        };
        declared.Headers.ExpectContinue = true;
        var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/sla/stores/never-onboarded/conversations")
        {
            Content = new PushStreamContent(padding),
        };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Headers.ExpectContinue = true;

        await Problem(await _ops.SendAsync(declared), HttpStatusCode.RequestEntityTooLarge);
        await Problem(await _ops.SendAsync(chunked), HttpStatusCode.RequestEntityTooLarge);
    }

    /// <summary>A JSON body of unknown length (no Content-Length): sent chunked.</summary>
    private sealed class PushStreamContent(string padding) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes("{\"conversations\":[],\"padding\":\""));
            await stream.WriteAsync(Encoding.UTF8.GetBytes(padding));
            await stream.WriteAsync(Encoding.UTF8.GetBytes("\"}"));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
