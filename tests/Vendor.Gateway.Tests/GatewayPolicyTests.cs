using Vendor.Gateway.ApiKeys;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

public class GatewayPolicyTests
{
    private static readonly CallerIdentity Ops = new("k1", Roles.Ops, null);
    private static readonly CallerIdentity AcmeStore = new("k2", Roles.Store, "acme");
    private static readonly CallerIdentity AcmeIngest = new("k3", Roles.Ingest, "acme");

    [Theory]
    [InlineData("GET", "/api/staffing/agents")]
    [InlineData("POST", "/api/sla/stores")]
    [InlineData("POST", "/api/keys")]
    [InlineData("DELETE", "/api/keys/k9")]
    [InlineData("GET", "/api/sla/stores/other/report")]
    public void Ops_may_call_everything(string method, string path) => Assert.Null(GatewayPolicy.Refusal(Ops, method, path));

    [Theory]
    [InlineData("GET", "/api/sla/stores/acme/sla", true)]
    [InlineData("GET", "/api/sla/stores/acme/sla/daily", true)]
    [InlineData("POST", "/api/sla/stores/acme/sla/daily", false)]
    [InlineData("GET", "/api/users", false)]
    [InlineData("GET", "/api/sla/stores/acme/reports/2026-11", true)]
    [InlineData("GET", "/api/sla/stores/acme/reports/2026-11.csv", true)]
    [InlineData("GET", "/api/sla/stores/acme/contract", true)]
    [InlineData("HEAD", "/api/sla/stores/acme/contract/history", true)]
    [InlineData("GET", "/api/sla/stores/acme", false)]
    [InlineData("GET", "/api/sla/stores/acme/conversations", true)] // the conversations behind its figures (issue 10)
    [InlineData("GET", "/api/sla/stores/acme/conversations/c-1", true)]
    [InlineData("GET", "/api/sla/stores/other/conversations", false)]
    [InlineData("GET", "/api/sla/stores/other/conversations/c-1", false)]
    [InlineData("GET", "/api/sla/stores/acme/conversations/c-1/turns", false)]
    [InlineData("POST", "/api/sla/stores/acme/conversations", false)]
    [InlineData("PUT", "/api/sla/stores/acme/contract", false)]
    [InlineData("GET", "/api/sla/stores/other", false)]
    [InlineData("GET", "/api/sla/stores", false)]
    [InlineData("GET", "/api/staffing/stores", false)]
    [InlineData("POST", "/api/keys", false)]
    [InlineData("GET", "/api/quality/stores/acme/knowledge", true)]
    [InlineData("GET", "/api/quality/stores/acme/knowledge/articles/kb-1", true)]
    [InlineData("PUT", "/api/quality/stores/acme/knowledge/articles/kb-1", false)]
    [InlineData("POST", "/api/quality/stores/acme/knowledge/proposals", true)]
    [InlineData("GET", "/api/quality/stores/acme/knowledge/proposals/p-1", true)]
    [InlineData("POST", "/api/quality/stores/acme/knowledge/proposals/p-1/accept", false)]
    [InlineData("GET", "/api/quality/stores/acme/knowledge/compliance", false)]
    [InlineData("GET", "/api/quality/stores/acme/quick-replies", true)]
    [InlineData("POST", "/api/quality/stores/acme/feedback", true)]
    [InlineData("GET", "/api/quality/stores/acme/feedback/summary", true)]
    [InlineData("POST", "/api/quality/stores/acme/feedback/f-1/reopen", true)]
    [InlineData("POST", "/api/quality/stores/acme/feedback/f-1/resolve", false)]
    [InlineData("GET", "/api/quality/stores/other/knowledge", false)]
    [InlineData("POST", "/api/quality/stores/other/feedback", false)]
    [InlineData("GET", "/api/quality/knowledge/search", false)]
    [InlineData("GET", "/api/quality/queue", false)]
    public void A_store_key_only_reads_its_own_store(string method, string path, bool allowed) =>
        Assert.Equal(allowed, GatewayPolicy.Refusal(AcmeStore, method, path) is null);

    [Theory]
    [InlineData("POST", "/api/sla/stores/acme/conversations", true)]
    [InlineData("GET", "/api/sla/stores/acme", false)]
    [InlineData("GET", "/api/sla/stores/acme/sla", false)]
    [InlineData("GET", "/api/sla/stores/acme/conversations", false)]
    [InlineData("POST", "/api/sla/stores/other/conversations", false)]
    [InlineData("GET", "/api/sla/stores/acme/report", false)]
    [InlineData("DELETE", "/api/sla/stores/acme/conversations", false)]
    [InlineData("GET", "/api/quality/agents/a1/training", false)]
    [InlineData("GET", "/api/quality/stores/acme/knowledge", false)]
    [InlineData("POST", "/api/quality/stores/acme/feedback", false)]
    public void An_ingest_key_only_posts_conversations_of_its_store(string method, string path, bool allowed) =>
        Assert.Equal(allowed, GatewayPolicy.Refusal(AcmeIngest, method, path) is null);

    [Fact]
    public void An_escaped_store_id_is_compared_unescaped()
    {
        Assert.NotNull(GatewayPolicy.Refusal(AcmeStore, "GET", "/api/sla/stores/%61cme2/sla"));
        Assert.Null(GatewayPolicy.Refusal(AcmeStore, "GET", "/api/sla/stores/%61cme/sla"));
    }
}

public class GatewayHeaderTests
{
    private const string Secret = "a-shared-secret-0123456789";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);

    private static Microsoft.AspNetCore.Http.HeaderDictionary Signed(CallerIdentity caller)
    {
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary();
        GatewayHeaders.Write(headers, Secret, caller, Now, "GET", "/api/sla/stores/acme");
        return headers;
    }

    [Fact]
    public void Signed_headers_read_back_as_the_caller()
    {
        var caller = new CallerIdentity("k1", Roles.Store, "acme");

        Assert.Equal(caller, GatewayHeaders.Read(Signed(caller), Secret, Now.AddSeconds(5), "GET", "/api/sla/stores/acme"));
    }

    [Theory]
    [InlineData(GatewayHeaders.StoreId, "other")]
    [InlineData(GatewayHeaders.Role, "ops")]
    [InlineData(GatewayHeaders.KeyId, "k2")]
    [InlineData(GatewayHeaders.IssuedAt, "1900000000")]
    public void A_changed_header_no_longer_verifies(string header, string value)
    {
        var headers = Signed(new CallerIdentity("k1", Roles.Store, "acme"));

        headers[header] = value;

        Assert.Null(GatewayHeaders.Read(headers, Secret, Now, "GET", "/api/sla/stores/acme"));
    }

    [Theory]
    [InlineData("another-secret-0123456789", 0, "GET", "/api/sla/stores/acme")]
    [InlineData(Secret, 61, "GET", "/api/sla/stores/acme")]
    [InlineData(Secret, -61, "GET", "/api/sla/stores/acme")]
    [InlineData(Secret, 0, "POST", "/api/sla/stores/acme")]
    [InlineData(Secret, 0, "GET", "/api/sla/stores/other")]
    public void Another_secret_a_stale_signature_or_another_route_does_not_verify(string secret, int secondsLater, string method, string path) =>
        Assert.Null(GatewayHeaders.Read(Signed(new CallerIdentity("k1", Roles.Ops, null)), secret, Now.AddSeconds(secondsLater), method, path));
}

public class KeyDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("store", null, "storeId")]
    [InlineData("ingest", "bad id", "storeId")]
    [InlineData("ops", "acme", "storeId")]
    [InlineData("admin", null, "role")]
    public void Keys_are_bound_to_a_store_exactly_when_their_role_is(string role, string? storeId, string field)
    {
        var invalid = Assert.IsType<Decision.Invalid>(KeyDecisions.Issue(new IssueKey("n", role, storeId), "k", "h", Now));

        Assert.Contains(field, invalid.Errors.Keys);
    }

    [Fact]
    public void Issuing_records_only_the_hash()
    {
        var issued = (ApiKeyIssued)Assert.IsType<Decision.Append>(
            KeyDecisions.Issue(new IssueKey(" ingest ", "ingest", "acme"), "key_1", Secrets.Hash("s3cret"), Now)).Events[0];

        Assert.Equal(new ApiKeyIssued("key_1", "ingest", "ingest", "acme", Secrets.Hash("s3cret"), Now), issued);
        Assert.Equal(64, issued.SecretHash.Length);
    }

    [Fact]
    public void The_bootstrap_key_is_issued_once_rotated_on_change_and_never_revived()
    {
        var first = Assert.IsType<Decision.Append>(KeyDecisions.Bootstrap(null, "h1", Now));
        var key = ApiKeyFrom((ApiKeyIssued)first.Events[0]);

        Assert.IsType<Decision.Unchanged>(KeyDecisions.Bootstrap(key, "h1", Now));
        Assert.IsType<ApiKeyRotated>(Assert.IsType<Decision.Append>(KeyDecisions.Bootstrap(key, "h2", Now)).Events[0]);
        var revoked = key.Apply(new ApiKeyRevoked(key.KeyId, Now));
        Assert.IsType<Decision.Unchanged>(KeyDecisions.Bootstrap(revoked, "h2", Now));
        Assert.IsType<Decision.Unchanged>(KeyDecisions.Revoke(revoked, Now));
    }

    private static ApiKey ApiKeyFrom(ApiKeyIssued e) =>
        new(ApiKey.StreamKey(e.KeyId), e.KeyId, e.Name, e.Role, e.StoreId, e.SecretHash, e.IssuedAt, null);
}
