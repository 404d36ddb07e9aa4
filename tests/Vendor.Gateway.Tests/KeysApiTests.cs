using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.Gateway.ApiKeys;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

/// <summary>Expiry, rotation with an overlap and revocation through the gateway's key API (the clock is moved, never waited for).</summary>
public class KeysApiTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private readonly HttpClient _ops = gateway.Client();

    private async Task<HttpStatusCode> Call(string secret) => (await gateway.Client(secret).GetAsync("/api/keys")).StatusCode;

    private async Task<JsonElement> Listed(string keyId) =>
        (await _ops.GetFromJsonAsync<JsonElement>("/api/keys")).EnumerateArray().Single(k => k.GetProperty("keyId").GetString() == keyId);

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task An_expiry_in_the_past_is_400_naming_the_field()
    {
        var response = await _ops.PostAsJsonAsync("/api/keys",
            new { name = "late", role = "ops", expiresAt = gateway.Clock.GetUtcNow().AddMinutes(-1) });

        await AssertProblem(response, HttpStatusCode.BadRequest);
        Assert.Contains("expiresAt", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_key_works_until_its_expiry_then_is_401_like_an_unknown_one_and_listed_as_expired()
    {
        var expires = gateway.Clock.GetUtcNow().AddHours(1);
        var (keyId, secret) = await gateway.IssueKey(Roles.Ops, null, expires);
        Assert.Equal(HttpStatusCode.OK, await Call(secret));
        var listed = await Listed(keyId);
        Assert.Equal(expires, listed.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal("active", listed.GetProperty("status").GetString());

        gateway.Clock.Advance(TimeSpan.FromHours(1));

        var refused = await gateway.Client(secret).GetAsync("/api/keys");
        await AssertProblem(refused, HttpStatusCode.Unauthorized);
        Assert.Equal("expired", (await Listed(keyId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_work_during_the_overlap_and_only_the_new_one_after()
    {
        var (keyId, old) = await gateway.IssueKey(Roles.Ops, null);
        var now = gateway.Clock.GetUtcNow();

        var response = await _ops.PostAsJsonAsync($"/api/keys/{keyId}/rotate", new { overlapSeconds = 600 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rotated = await response.Content.ReadFromJsonAsync<JsonElement>();
        var fresh = rotated.GetProperty("secret").GetString()!;
        Assert.StartsWith("vnd_", fresh);
        Assert.NotEqual(old, fresh);
        Assert.Equal(now.AddSeconds(600), rotated.GetProperty("previousSecretValidUntil").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.OK, await Call(old));
        Assert.Equal(HttpStatusCode.OK, await Call(fresh));
        var listing = await _ops.GetStringAsync("/api/keys");
        Assert.DoesNotContain(fresh, listing);
        Assert.DoesNotContain(old, listing);

        gateway.Clock.Advance(TimeSpan.FromSeconds(600));

        Assert.Equal(HttpStatusCode.Unauthorized, await Call(old));
        Assert.Equal(HttpStatusCode.OK, await Call(fresh));
        Assert.Equal(JsonValueKind.Null, (await Listed(keyId)).GetProperty("previousSecretValidUntil").ValueKind);
    }

    [Fact]
    public async Task A_rotation_without_a_body_keeps_the_old_secret_a_day()
    {
        var (keyId, old) = await gateway.IssueKey(Roles.Store, "acme");
        var now = gateway.Clock.GetUtcNow();

        var response = await _ops.PostAsync($"/api/keys/{keyId}/rotate", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var until = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("previousSecretValidUntil").GetDateTimeOffset();
        Assert.Equal(now + KeyDecisions.DefaultOverlap, until);
        Assert.Equal(until, (await Listed(keyId)).GetProperty("previousSecretValidUntil").GetDateTimeOffset());
        // A store key may not list keys, but it is recognised (403, not 401) by its old secret.
        Assert.Equal(HttpStatusCode.Forbidden, await Call(old));
    }

    [Fact]
    public async Task Revoking_a_rotated_key_ends_both_of_its_secrets()
    {
        var (keyId, old) = await gateway.IssueKey(Roles.Ops, null);
        var rotated = await _ops.PostAsJsonAsync($"/api/keys/{keyId}/rotate", new { overlapSeconds = 3600 });
        var fresh = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await Call(old));
        Assert.Equal(HttpStatusCode.OK, await Call(fresh));

        Assert.Equal(HttpStatusCode.NoContent, (await _ops.DeleteAsync($"/api/keys/{keyId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await Call(old));
        Assert.Equal(HttpStatusCode.Unauthorized, await Call(fresh));
        Assert.Equal("revoked", (await Listed(keyId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bad_rotations_are_problem_json()
    {
        var (keyId, _) = await gateway.IssueKey(Roles.Ops, null);
        var (revokedId, _) = await gateway.IssueKey(Roles.Ops, null);
        await _ops.DeleteAsync($"/api/keys/{revokedId}");

        await AssertProblem(await _ops.PostAsJsonAsync($"/api/keys/{keyId}/rotate", new { overlapSeconds = -1 }), HttpStatusCode.BadRequest);
        await AssertProblem(await _ops.PostAsJsonAsync($"/api/keys/{keyId}/rotate", new { overlapSeconds = 31 * 86400 }), HttpStatusCode.BadRequest);
        await AssertProblem(await _ops.PostAsync($"/api/keys/{keyId}/rotate",
            new StringContent("{\"overlapSeconds\":\"soon\"}", null, "application/json")), HttpStatusCode.BadRequest);
        await AssertProblem(await _ops.PostAsJsonAsync("/api/keys/key_nope/rotate", new { }), HttpStatusCode.NotFound);
        await AssertProblem(await _ops.PostAsJsonAsync($"/api/keys/{revokedId}/rotate", new { }), HttpStatusCode.Conflict);
        // The bootstrap key follows its environment variable, which would undo a rotation at the next start.
        await AssertProblem(await _ops.PostAsJsonAsync($"/api/keys/{ApiKey.BootstrapKeyId}/rotate", new { }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Only_ops_manage_keys_and_read_the_audit()
    {
        var (keyId, storeSecret) = await gateway.IssueKey(Roles.Store, "acme");
        var store = gateway.Client(storeSecret);

        await AssertProblem(await store.PostAsJsonAsync($"/api/keys/{keyId}/rotate", new { }), HttpStatusCode.Forbidden);
        await AssertProblem(await store.DeleteAsync($"/api/keys/{keyId}"), HttpStatusCode.Forbidden);
        await AssertProblem(await store.GetAsync("/api/audit"), HttpStatusCode.Forbidden);
        await AssertProblem(await gateway.Client(null).PostAsJsonAsync($"/api/keys/{keyId}/rotate", new { }), HttpStatusCode.Unauthorized);
    }
}
