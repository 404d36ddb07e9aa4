using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Vendor.Gateway.Audit;
using Vendor.Gateway.Edge;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

/// <summary>What an audit record holds of a request, the audit query's checks, and the body limit per route.</summary>
public class AuditRecordTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, 123, TimeSpan.Zero);

    private static DefaultHttpContext Request(string method, string path, string? query = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        if (query is not null) context.Request.QueryString = new QueryString(query);
        context.Request.Headers["X-Api-Key"] = "vnd_secret-in-the-header";
        context.Request.Headers.Authorization = "Bearer token-in-the-header";
        context.Request.Headers.UserAgent = new string('u', 300);
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.9");
        context.Response.StatusCode = 201;
        return context;
    }

    [Theory]
    [InlineData("POST", true)]
    [InlineData("PUT", true)]
    [InlineData("PATCH", true)]
    [InlineData("DELETE", true)]
    [InlineData("GET", false)]
    [InlineData("HEAD", false)]
    [InlineData("OPTIONS", false)]
    public void Writes_are_the_unsafe_methods(string method, bool write) => Assert.Equal(write, AuditRecords.IsWrite(method));

    [Fact]
    public void A_record_holds_who_what_when_and_where_but_no_query_header_or_body()
    {
        var context = Request("post", "/api/sla/stores/acme/contract", "?token=s3cret-in-the-query");
        context.Items[typeof(CallerIdentity)] = new CallerIdentity("key_1", Roles.Store, "acme");

        var audited = AuditRecords.Of(context, Now.AddTicks(7));

        Assert.Equal(("key_1", "store", "acme"), (audited.Actor, audited.Role, audited.ActorStoreId));
        Assert.Equal(("POST", "/api/sla/stores/acme/contract", "acme", 201), (audited.Method, audited.Path, audited.StoreId, audited.Status));
        Assert.Equal("203.0.113.9", audited.RemoteAddress);
        Assert.Equal(AuditRecords.MaxUserAgent, audited.UserAgent!.Length);
        Assert.Equal(Now, audited.At);
        var all = System.Text.Json.JsonSerializer.Serialize(audited);
        Assert.DoesNotContain("s3cret", all);
        Assert.DoesNotContain("in-the-header", all);
    }

    [Fact]
    public void Who_is_the_key_then_the_signed_in_user_then_what_sign_in_named_then_anonymous()
    {
        var context = Request("POST", "/auth/sign-in");
        Assert.Equal("anonymous", AuditRecords.Who(context).Actor);

        context.Items["audit.actor"] = "sign-in:li.lei";
        Assert.Equal("sign-in:li.lei", AuditRecords.Who(context).Actor);

        context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "han.meimei"), new Claim(ClaimTypes.Role, "ops")], "cookie"));
        Assert.Equal(("user:han.meimei", "ops"), (AuditRecords.Who(context).Actor, AuditRecords.Who(context).Role));

        context.Items[typeof(CallerIdentity)] = new CallerIdentity("ops-bootstrap", Roles.Ops, null);
        Assert.Equal(("ops-bootstrap", "ops", (string?)null), AuditRecords.Who(context));
    }

    [Theory]
    [InlineData("/api/sla/stores/acme/conversations", "acme")]
    [InlineData("/api/quality/stores/shop-1/feedback/f1/reopen", "shop-1")]
    [InlineData("/api/staffing/stores/%61cme", "acme")]
    [InlineData("/api/sla/stores", null)]
    [InlineData("/api/keys/key_1", null)]
    [InlineData("/auth/sign-in", null)]
    [InlineData("/api/sla/stores/bad%20id", null)]
    public void The_store_is_the_one_the_path_names(string path, string? store) => Assert.Equal(store, AuditRecords.StoreOf(path));

    [Fact]
    public void Positions_follow_time_and_are_unique_within_a_microsecond()
    {
        var first = AuditRecords.PositionOf(Now);
        var position = AuditRecords.NewPosition(Now);

        Assert.InRange(position, first, first + 999);
        Assert.True(AuditRecords.PositionOf(Now.AddTicks(10)) > position);
        Assert.Equal(AuditRecords.PositionOf(Now), AuditRecords.PositionOf(Now.AddTicks(9)));
        Assert.Equal(long.MaxValue, AuditRecords.PositionOf(DateTimeOffset.MaxValue));
        Assert.Equal(0, AuditRecords.PositionOf(DateTimeOffset.MinValue));
    }

    [Theory]
    [InlineData("yesterday", null, null, null, null, null, "from")]
    [InlineData("2026-12-02T00:00:00Z", "2026-12-01T00:00:00Z", null, null, null, null, "to")]
    [InlineData(null, null, "", null, null, null, "actor")]
    [InlineData(null, null, null, "bad id", null, null, "storeId")]
    [InlineData(null, null, null, null, "0", null, "limit")]
    [InlineData(null, null, null, null, "501", null, "limit")]
    [InlineData(null, null, null, null, "ten", null, "limit")]
    [InlineData(null, null, null, null, "-1", null, "limit")]
    [InlineData(null, null, null, null, null, "abc", "cursor")]
    [InlineData(null, null, null, null, null, "-5", "cursor")]
    [InlineData(null, null, null, null, null, "99999999999999999999999", "cursor")]
    public void Bad_audit_filters_name_the_field(string? from, string? to, string? actor, string? storeId, string? limit, string? cursor,
        string field)
    {
        var (query, invalid) = AuditQuery.Parse(from, to, actor, storeId, limit, cursor);

        Assert.Null(query);
        Assert.Equal([field], invalid!.Errors.Keys);
    }

    [Fact]
    public void Audit_filters_become_a_position_range()
    {
        var (query, invalid) = AuditQuery.Parse("2026-12-01T08:00:00Z", "2026-12-01T10:00:00+01:00", "key_1", "acme", "20", "12345");

        Assert.Null(invalid);
        var eight = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.Equal(new AuditQuery(AuditRecords.PositionOf(eight), AuditRecords.PositionOf(eight.AddHours(1)), "key_1", "acme", 20, 12345),
            query);
        Assert.Equal(new AuditQuery(0, long.MaxValue, null, null, AuditQuery.DefaultLimit, null),
            AuditQuery.Parse(null, null, null, null, null, null).Query);
    }

    [Theory]
    [InlineData("POST", "/api/sla/stores/acme/conversations", 5 * 1024 * 1024)]
    [InlineData("POST", "/api/sla/stores/acme/conversations/", 5 * 1024 * 1024)]
    [InlineData("PUT", "/api/sla/stores/acme/conversations", 1024 * 1024)]
    [InlineData("POST", "/api/sla/stores", 1024 * 1024)]
    [InlineData("POST", "/api/quality/stores/acme/feedback", 1024 * 1024)]
    [InlineData("POST", "/auth/sign-in", 1024 * 1024)]
    public void Only_conversation_ingest_may_send_large_bodies(string method, string path, long limit) =>
        Assert.Equal(limit, BodySizeLimits.LimitFor(new BodyLimitSettings(), method, path));
}

/// <summary>The endpoints' own check behind the gateway policy.</summary>
public class OpsOnlyTests
{
    [Fact]
    public void Ops_keys_and_signed_in_ops_users_pass_and_nobody_else()
    {
        var context = new DefaultHttpContext();
        Assert.False(OpsOnly.IsOps(context));

        context.Items[typeof(CallerIdentity)] = new CallerIdentity("k", Roles.Store, "acme");
        Assert.False(OpsOnly.IsOps(context));
        context.Items[typeof(CallerIdentity)] = new CallerIdentity("k", Roles.Ops, null);
        Assert.True(OpsOnly.IsOps(context));

        var user = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "li"), new Claim(ClaimTypes.Role, "store")], "cookie")),
        };
        Assert.False(OpsOnly.IsOps(user));
        user.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "li"), new Claim(ClaimTypes.Role, "ops")], "cookie"));
        Assert.True(OpsOnly.IsOps(user));
    }
}
