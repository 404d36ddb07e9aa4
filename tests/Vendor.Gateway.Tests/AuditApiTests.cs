using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.Gateway.ApiKeys;
using Vendor.Gateway.Audit;
using Vendor.ServiceDefaults;
using Xunit.Abstractions;

namespace Vendor.Gateway.Tests;

/// <summary>Every write through the gateway, accepted or refused, is in GET /api/audit: who, when, what, from where.</summary>
public class AuditApiTests(GatewayFixture gateway, ITestOutputHelper output) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _ops = gateway.Client();

    private async Task<JsonElement> Audit(string query = "")
    {
        var response = await _ops.GetAsync($"/api/audit{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static List<JsonElement> Items(JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task An_accepted_write_is_recorded_with_its_caller_and_a_read_is_not()
    {
        var (keyId, _) = await gateway.IssueKey(Roles.Ops, null);
        var (caller, secret) = await gateway.IssueKey(Roles.Ops, null);
        var client = gateway.Client(secret);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/keys/{keyId}?token=s3cret-in-the-query")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys")).StatusCode);

        var record = Assert.Single(Items(await Audit($"?actor={caller}")));
        Assert.Equal("DELETE", record.GetProperty("method").GetString());
        Assert.Equal($"/api/keys/{keyId}", record.GetProperty("path").GetString());
        Assert.Equal(204, record.GetProperty("status").GetInt32());
        Assert.Equal("ops", record.GetProperty("role").GetString());
        Assert.Equal("audit-test/1.0", record.GetProperty("userAgent").GetString());
        Assert.True(Math.Abs((record.GetProperty("at").GetDateTimeOffset() - gateway.Clock.GetUtcNow()).TotalSeconds) < 1);
        Assert.DoesNotContain("s3cret", record.ToString());
        Assert.DoesNotContain(secret, record.ToString());
    }

    [Fact]
    public async Task Refused_writes_are_recorded_too()
    {
        var (storeKeyId, storeSecret) = await gateway.IssueKey(Roles.Store, "audit-refused");

        var anonymous = await gateway.Client(null).PostAsJsonAsync("/api/sla/stores/audit-refused/contract", new { });
        gateway.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var forbidden = await gateway.Client(storeSecret).PutAsJsonAsync("/api/sla/stores/audit-refused/contract", new { });
        gateway.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var tooLarge = await _ops.PostAsync("/api/sla/stores/audit-refused/knowledge",
            new StringContent(new string('x', 1024 * 1024 + 1), null, "application/json"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        var records = Items(await Audit("?storeId=audit-refused"));
        Assert.Equal([413, 403, 401], records.Select(r => r.GetProperty("status").GetInt32()));
        Assert.Equal([ApiKey.BootstrapKeyId, storeKeyId, "anonymous"], records.Select(r => r.GetProperty("actor").GetString()));
        Assert.Equal("audit-refused", records[1].GetProperty("actorStoreId").GetString());
        Assert.All(records, r => Assert.Equal("audit-refused", r.GetProperty("storeId").GetString()));
    }

    [Fact]
    public async Task Writes_outside_the_api_are_recorded_too_such_as_a_sign_in_attempt()
    {
        gateway.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var from = gateway.Clock.GetUtcNow();

        await gateway.Client(null).PostAsJsonAsync("/auth/sign-in?password=s3cret-in-the-query", new { username = "li", password = "hunter2" });

        var record = Assert.Single(Items(await Audit($"?from={Uri.EscapeDataString(from.ToString("O"))}&actor=user:li")));
        Assert.Equal(("POST", "/auth/sign-in"), (record.GetProperty("method").GetString(), record.GetProperty("path").GetString()));
        Assert.DoesNotContain("hunter2", record.ToString());
        Assert.DoesNotContain("s3cret", record.ToString());
    }

    [Fact]
    public async Task Pages_go_newest_first_by_cursor_without_gaps_or_repeats_and_filters_narrow_them()
    {
        var client = gateway.Client();
        var before = gateway.Clock.GetUtcNow();
        // After every record of the earlier tests (the clock only moves forward).
        var start = before.AddMilliseconds(1);
        for (var i = 0; i < 5; i++)
        {
            gateway.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/keys/paging-{i}")).StatusCode);
        }
        var end = gateway.Clock.GetUtcNow().AddTicks(10);

        var paths = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Audit($"?from={Uri.EscapeDataString(start.ToString("O"))}&to={Uri.EscapeDataString(end.ToString("O"))}&limit=2"
                                   + (cursor is null ? "" : $"&cursor={cursor}"));
            paths.AddRange(Items(page).Select(r => r.GetProperty("path").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        } while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 5).Reverse().Select(i => $"/api/keys/paging-{i}"), paths);
        // paging-{i} was written at before + (i + 1) s.
        var middle = Items(await Audit($"?from={Uri.EscapeDataString(before.AddSeconds(2.5).ToString("O"))}&to={Uri.EscapeDataString(before.AddSeconds(4.5).ToString("O"))}"));
        Assert.Equal(["/api/keys/paging-3", "/api/keys/paging-2"], middle.Select(r => r.GetProperty("path").GetString()));
        var actor = Items(await Audit($"?from={Uri.EscapeDataString(start.ToString("O"))}&actor=someone-else"));
        Assert.Empty(actor);
    }

    [Theory]
    [InlineData("?from=yesterday")]
    [InlineData("?limit=0")]
    [InlineData("?limit=100000")]
    [InlineData("?cursor=abc")]
    [InlineData("?storeId=a%20b")]
    [InlineData("?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z")]
    public async Task Bad_filters_are_400_problem_json(string query)
    {
        var response = await _ops.GetAsync($"/api/audit{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    /// <summary>What auditing adds to a write: the commit of its record, measured on DELETE /api/keys/{keyId}.</summary>
    [Fact]
    public async Task Each_of_many_writes_has_its_record_and_the_added_latency_is_measured()
    {
        var commits = new List<double>();
        // Created before the listener starts (a static field is initialised on first use), so the listener sees it published.
        var watched = AuditTrail.WriteDuration;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument == watched) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (commits) commits.Add(value); });
        listener.Start();
        var client = gateway.Client();
        var start = gateway.Clock.GetUtcNow();
        gateway.Clock.Advance(TimeSpan.FromMinutes(10));
        var totals = new List<double>();
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            gateway.Clock.Advance(TimeSpan.FromMilliseconds(1));
            var started = Stopwatch.GetTimestamp();
            Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/keys/latency-{i}")).StatusCode);
            totals.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var end = gateway.Clock.GetUtcNow().AddSeconds(1);
        listener.Dispose();

        var recorded = 0;
        string? cursor = null;
        do
        {
            var page = await Audit($"?from={Uri.EscapeDataString(start.AddMinutes(10).ToString("O"))}&to={Uri.EscapeDataString(end.ToString("O"))}&limit=500"
                                   + (cursor is null ? "" : $"&cursor={cursor}"));
            recorded += Items(page).Count(r => r.GetProperty("path").GetString()!.StartsWith("/api/keys/latency-"));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal(count, recorded);

        double P(List<double> values, double q)
        {
            var sorted = values.Order().ToList();
            return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];
        }
        List<double> ours;
        lock (commits) ours = commits.ToList();
        Assert.True(ours.Count >= count);
        output.WriteLine($"DELETE /api/keys/{{id}} (404) x{count}: request p50 {P(totals, 0.5):F2} ms, p99 {P(totals, 0.99):F2} ms; " +
                         $"audit commit p50 {P(ours, 0.5):F2} ms, p99 {P(ours, 0.99):F2} ms (n={ours.Count})");
    }
}
