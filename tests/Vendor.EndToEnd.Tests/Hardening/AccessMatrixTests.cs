using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;
using Xunit.Abstractions;

namespace Vendor.EndToEnd.Tests.Hardening;

/// <summary>
/// Every documented route × every kind of caller × own/other store, against the hand-written <see cref="RouteTable"/>; then the ways a
/// store or ingest key might reach another store anyway: its id in the query, in the body, or hidden in the path.
/// </summary>
public class AccessMatrixTests(PlatformFixture platform, ITestOutputHelper output) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _ops = platform.Client(PlatformFixture.OpsKey);

    private enum Caller { NoKey, UnknownKey, Ops, StoreOwn, StoreOther, IngestOwn, IngestOther }

    private static readonly Caller[] Callers = Enum.GetValues<Caller>();

    [Fact]
    public async Task Every_documented_route_has_a_line_in_the_table_and_every_line_a_route()
    {
        var routes = await PlatformRoutes.ReadAsync(platform);

        var missing = routes.Where(r => RouteTable.For(r.Method, r.Template) is null).Select(r => $"{r.Key}   ({r.Source})").ToList();
        var shapes = routes.Select(r => RouteTable.Shape(r.Method, r.Template)).ToHashSet();
        var stale = RouteTable.Rules.Where(r => !r.Planned && !shapes.Contains(r.Shape)).Select(r => r.Key).ToList();

        Assert.True(missing.Count == 0,
            $"Documented routes without a line in RouteTable (add one: who may call it?):\n{string.Join('\n', missing)}");
        Assert.True(stale.Count == 0, $"RouteTable lines whose route no document lists (removed or renamed?):\n{string.Join('\n', stale)}");
        output.WriteLine($"{routes.Count} documented routes, {RouteTable.Rules.Count(r => r.Planned && !shapes.Contains(r.Shape))} planned lines not yet documented.");
    }

    [Fact]
    public void The_table_finds_a_route_by_its_shape_and_a_planned_line_waits_for_its_route()
    {
        // A document with a planned route (under another placeholder name), a known one and one nobody wrote a line for.
        var document = JsonDocument.Parse("""
            {"paths":{
              "/api/sla/stores/{id}/sla/daily":{"get":{"parameters":[{"name":"id","in":"path","required":true}]}},
              "/api/keys/":{"get":{}},
              "/api/sla/stores/{storeId}/secrets":{"get":{}},
              "/health/live":{"get":{}}}}
            """).RootElement;
        var routes = ApiRoutes.Parse(document, "test");

        Assert.Equal(["GET /api/sla/stores/{id}/sla/daily", "GET /api/keys", "GET /api/sla/stores/{storeId}/secrets"], routes.Select(r => r.Key));
        Assert.Equal(Also.OwnStore, RouteTable.For("GET", "/api/sla/stores/{id}/sla/daily")!.Also);
        Assert.True(RouteTable.For("GET", "/api/sla/stores/{id}/sla/daily")!.Planned);
        Assert.Equal(Also.Nobody, RouteTable.For("GET", "/api/keys")!.Also);
        Assert.Null(RouteTable.For("GET", "/api/sla/stores/{storeId}/secrets"));
        Assert.Null(RouteTable.For("POST", "/api/keys/{keyId}"));
    }

    [Fact]
    public async Task Every_route_answers_every_caller_exactly_as_the_table_says()
    {
        const string own = "mx-own", other = "mx-other";
        foreach (var id in new[] { own, other }) await Seeds.StoreAsync(_ops, id, conversations: 1);
        var keys = new Dictionary<Caller, string?>
        {
            [Caller.NoKey] = null,
            [Caller.UnknownKey] = "vnd_this-key-was-never-issued-0123456789",
            [Caller.Ops] = PlatformFixture.OpsKey,
            [Caller.StoreOwn] = (await platform.IssueKey(Roles.Store, own)).Secret,
            [Caller.StoreOther] = (await platform.IssueKey(Roles.Store, other)).Secret,
            [Caller.IngestOwn] = (await platform.IssueKey(Roles.Ingest, own)).Secret,
            [Caller.IngestOther] = (await platform.IssueKey(Roles.Ingest, other)).Secret,
        };
        var routes = await PlatformRoutes.ReadAsync(platform);
        var client = platform.Gateway.CreateClient();
        var wrong = new List<string>();
        var table = new StringBuilder();

        foreach (var route in routes.OrderBy(r => r.Template, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal))
        {
            var rule = RouteTable.For(route.Method, route.Template);
            if (rule is null)
            {
                wrong.Add($"{route.Key}: no line in RouteTable");
                continue;
            }
            var path = PlatformRoutes.Path(route, own, PlatformRoutes.PlainValue) + PlatformRoutes.RequiredQuery(route);
            table.Append($"{route.Key,-80}");
            foreach (var caller in Callers)
            {
                var expected = Expected(rule, route, caller);
                using var response = await Seeds.SendPacedAsync(client, () =>
                {
                    var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
                    if (keys[caller] is { } key) request.Headers.Add("X-Api-Key", key);
                    // An empty object: enough to pass the door, never a complete command (nothing of the seeds changes).
                    if (route.Method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    return request;
                });
                var status = (int)response.StatusCode;
                table.Append($" {status}");
                var ok = expected switch
                {
                    0 => status is not (401 or 403) && status < 500,
                    _ => status == expected,
                };
                if (!ok) wrong.Add($"{route.Key} as {caller}: expected {(expected == 0 ? "allowed" : expected.ToString())}, got {status} {await response.Content.ReadAsStringAsync()}");
                else if (expected != 0 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    wrong.Add($"{route.Key} as {caller}: {status} without application/problem+json");
            }
            table.AppendLine();
        }

        output.WriteLine($"{"route",-80} {string.Join(' ', Callers)}");
        output.WriteLine(table.ToString());
        Assert.True(wrong.Count == 0, $"{wrong.Count} answers differ from RouteTable:\n{string.Join('\n', wrong)}");
    }

    /// <summary>0 = allowed (anything but 401/403, and never a 5xx), else the status the caller must get.</summary>
    private static int Expected(RouteRule rule, ApiRoute route, Caller caller)
    {
        var storeScoped = route.PathParameters.Contains("storeId");
        return caller switch
        {
            Caller.NoKey or Caller.UnknownKey => 401,
            Caller.Ops => 0,
            Caller.StoreOwn when storeScoped && rule.Also.HasFlag(Also.OwnStore) => 0,
            Caller.IngestOwn when storeScoped && rule.Also.HasFlag(Also.OwnIngest) => 0,
            _ => 403,
        };
    }

    // ---------------------------------------------------------------- smuggling another store's id

    private sealed record Pair(string Own, string Other, HttpClient Store, HttpClient Ingest, string OwnArticle, string OtherArticle);

    /// <summary>Two stores with data each (conversations, an article, a quick reply, feedback) and the own store's store and ingest keys.</summary>
    private async Task<Pair> TwoStoresAsync(string prefix)
    {
        string own = $"{prefix}-own", other = $"{prefix}-other";
        await Seeds.StoreAsync(_ops, own, conversations: 1);
        await Seeds.StoreAsync(_ops, other, conversations: 3);
        var ownArticle = await Seeds.ArticleAsync(_ops, own, $"{own} 退货须知");
        var otherArticle = await Seeds.ArticleAsync(_ops, other, $"{other} 退货须知");
        await Seeds.ArticleAsync(_ops, other, $"{other} 快捷", kind: "quickReply", shortcut: $"/{other}");
        await Seeds.Expect(HttpStatusCode.Created, _ops.PostAsJsonAsync($"/api/quality/stores/{other}/feedback",
            new { kind = "complaint", severity = "normal", text = $"{other} 的反馈" }), "feedback of " + other);
        var store = platform.Client((await platform.IssueKey(Roles.Store, own)).Secret);
        var ingest = platform.Client((await platform.IssueKey(Roles.Ingest, own)).Secret);
        await Seeds.Expect(HttpStatusCode.Created, store.PostAsJsonAsync($"/api/quality/stores/{own}/feedback",
            new { kind = "praise", severity = "normal", text = $"{own} 的表扬" }), "feedback of " + own);
        return new Pair(own, other, store, ingest, ownArticle, otherArticle);
    }

    [Fact]
    public async Task A_store_key_naming_another_store_in_the_query_gets_only_its_own_data()
    {
        var p = await TwoStoresAsync("sq");
        string[] routes =
        [
            $"/api/sla/stores/{p.Own}/sla?from={Seeds.From}&to={Seeds.To}",
            $"/api/sla/stores/{p.Own}/contract",
            $"/api/sla/stores/{p.Own}/contract/history",
            $"/api/sla/stores/{p.Own}/reports/{Seeds.Month}",
            $"/api/sla/stores/{p.Own}/reports/{Seeds.Month}.csv",
            $"/api/quality/stores/{p.Own}/knowledge?q=%E9%80%80%E8%B4%A7",
            $"/api/quality/stores/{p.Own}/knowledge/articles",
            $"/api/quality/stores/{p.Own}/knowledge/articles/{p.OwnArticle}",
            $"/api/quality/stores/{p.Own}/knowledge/proposals",
            $"/api/quality/stores/{p.Own}/quick-replies",
            $"/api/quality/stores/{p.Own}/feedback",
            $"/api/quality/stores/{p.Own}/feedback/summary",
        ];
        string[] smuggled =
        [
            $"storeId={p.Other}", $"StoreId={p.Other}", $"storeIds={p.Other}", $"storeId[]={p.Other}", $"store={p.Other}",
            $"store_id={p.Other}", $"shop={p.Other}", $"tenant={p.Other}", $"tenantId={p.Other}", $"id={p.Other}", "scope=all", "all=true",
            $"storeId={p.Own}&storeId={p.Other}", $"articleId={p.OtherArticle}", $"q={p.Other}", $"storeId=%2A", "storeId=",
        ];
        var checkedAnswers = 0;
        foreach (var route in routes)
        {
            using var baseline = await p.Store.GetAsync(route);
            Assert.Equal(HttpStatusCode.OK, baseline.StatusCode);
            var expected = await baseline.Content.ReadAsStringAsync();
            Assert.DoesNotContain(p.Other, expected);
            foreach (var extra in smuggled)
            {
                var url = route + (route.Contains('?') ? "&" : "?") + extra;
                using var response = await p.Store.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {body}");
                Assert.False(body.Contains(p.Other, StringComparison.Ordinal), $"{url} answered with the other store's data: {body}");
                // The same answer as without the smuggled parameter (a q= search may find less, never another store).
                if (!extra.StartsWith("q=", StringComparison.Ordinal)) Assert.Equal(expected, body);
                checkedAnswers++;
            }
        }
        output.WriteLine($"{checkedAnswers} answers with another store's id in the query: each the store's own data only.");
    }

    [Fact]
    public async Task Another_stores_id_in_the_body_never_files_anything_under_that_store()
    {
        var p = await TwoStoresAsync("sb");
        var otherFeedbackBefore = await _ops.GetStringAsync($"/api/quality/stores/{p.Other}/feedback");
        var otherProposalsBefore = await _ops.GetStringAsync($"/api/quality/knowledge/proposals?storeId={p.Other}");
        var otherConversations = await Seeds.ConversationsAsync(_ops, p.Other);
        var ownConversations = await Seeds.ConversationsAsync(_ops, p.Own);

        // Feedback and proposals with the other store's id in the body (and any casing of the field).
        var feedback = await p.Store.PostAsync($"/api/quality/stores/{p.Own}/feedback", Json(
            $$"""{"storeId":"{{p.Other}}","StoreId":"{{p.Other}}","store":"{{p.Other}}","kind":"complaint","severity":"normal","text":"SMUGGLED-FEEDBACK"}"""));
        var proposal = await p.Store.PostAsync($"/api/quality/stores/{p.Own}/knowledge/proposals", Json(
            $$"""{"storeId":"{{p.Other}}","storeIds":["{{p.Other}}"],"kind":"quickReply","title":"SMUGGLED-PROPOSAL","body":"亲，在的","shortcut":"/smuggled"}"""));
        // A change proposed to the other store's article is as good as not there.
        var change = await p.Store.PostAsync($"/api/quality/stores/{p.Own}/knowledge/proposals", Json(
            $$"""{"articleId":"{{p.OtherArticle}}","storeId":"{{p.Other}}","title":"改","body":"改"}"""));
        // Conversations with the other store's id in the body and in each conversation.
        var ingested = await p.Ingest.PostAsync($"/api/sla/stores/{p.Own}/conversations", Json(JsonSerializer.Serialize(new
        {
            storeId = p.Other,
            conversations = new[]
            {
                new
                {
                    storeId = p.Other, conversationId = "smuggled-c1", channel = "chat", kind = "presales", rating = "satisfied",
                    messages = new object[]
                    {
                        new { at = "2026-11-20T10:00:00+08:00", from = "customer", text = "在吗" },
                        new { at = "2026-11-20T10:00:30+08:00", from = "agent", agentId = "seed-agent", text = "在的" },
                    },
                },
            },
        })));

        Assert.True(feedback.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest, $"feedback: {(int)feedback.StatusCode}");
        Assert.True(proposal.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest, $"proposal: {(int)proposal.StatusCode}");
        Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ingested.StatusCode);

        Assert.Equal(otherFeedbackBefore, await _ops.GetStringAsync($"/api/quality/stores/{p.Other}/feedback"));
        Assert.Equal(otherProposalsBefore, await _ops.GetStringAsync($"/api/quality/knowledge/proposals?storeId={p.Other}"));
        Assert.Equal(otherConversations, await Seeds.ConversationsAsync(_ops, p.Other));
        Assert.DoesNotContain("SMUGGLED", await _ops.GetStringAsync($"/api/quality/stores/{p.Other}/knowledge/proposals"));
        // What was accepted landed in the caller's own store.
        if (feedback.IsSuccessStatusCode) Assert.Contains("SMUGGLED-FEEDBACK", await _ops.GetStringAsync($"/api/quality/stores/{p.Own}/feedback"));
        if (proposal.IsSuccessStatusCode)
            Assert.Contains("SMUGGLED-PROPOSAL", await _ops.GetStringAsync($"/api/quality/knowledge/proposals?storeId={p.Own}"));
        Assert.Equal(ownConversations + 1, await Seeds.ConversationsAsync(_ops, p.Own));
        var otherArticle = await _ops.GetFromJsonAsync<JsonElement>($"/api/quality/knowledge/articles/{p.OtherArticle}");
        Assert.DoesNotContain("改", otherArticle.ToString());
    }

    [Fact]
    public async Task Path_tricks_never_reach_another_store()
    {
        var p = await TwoStoresAsync("sp");
        string own = p.Own, other = p.Other;
        var otherConversations = await Seeds.ConversationsAsync(_ops, other);
        const string q = "?from=2026-11-01&to=2026-11-30";
        // Each names the other store somewhere; '%' encodings, dot segments, doubled slashes, case and trailing dots.
        string[] reads =
        [
            $"/api/sla/stores/{own}/../{other}/sla{q}",
            $"/api/sla/stores/{own}/%2e%2e/{other}/sla{q}",
            $"/api/sla/stores/{own}/%2E%2E/{other}/sla{q}",
            $"/api/sla/stores/{own}/./../{other}/sla{q}",
            $"/api/sla/stores/{own}/sla/../../{other}/sla{q}",
            $"/api/sla/stores/{own}%2F..%2F{other}/sla{q}",
            $"/api/sla/stores/{own}%2f..%2f{other}/sla{q}",
            $"/api/sla/stores/{own}%252F..%252F{other}/sla{q}",
            $"/api/sla/stores/{own}%5C..%5C{other}/sla{q}",
            $"/api/sla/stores/{own}/sla%2F..%2F..%2F{other}%2Fsla{q}",
            $"/api/sla/stores/{other}%2Fsla{q}",
            $"/api/sla/stores/{other}./sla{q}",
            $"/api/sla/stores/{other}%2E/sla{q}",
            $"/api/sla/stores/{other}%20/sla{q}",
            $"/api/sla/stores/{other}%00/sla{q}",
            $"/api/sla/stores/{own}%00{other}/sla{q}",
            $"/api/sla/stores/{other.ToUpperInvariant()}/sla{q}",
            $"/API/SLA/STORES/{other}/sla{q}",
            $"/api/SLA/stores/{other}/sla{q}",
            $"/Api/Sla/Stores/{other}/Sla{q}",
            $"//api/sla/stores/{other}/sla{q}",
            $"/api//sla/stores/{other}/sla{q}",
            $"/api/sla//stores/{other}/sla{q}",
            $"/api/sla/stores//{other}/sla{q}",
            $"/api/sla/stores/{other}//sla{q}",
            $"/api/sla/stores/{other.Replace("o", "%6F")}/sla{q}",
            $"/api/sla/stores/{own};/../{other}/sla{q}",
            $"/api/sla/stores/{other}/sla{q}&storeId={own}",
            $"/api/sla/stores/{other}/reports/{Seeds.Month}",
            $"/api/sla/stores/{own}/../{other}/reports/{Seeds.Month}.csv",
            $"/api/sla/stores/{own}/../{other}/contract",
            $"/api/quality/stores/{own}/../{other}/knowledge/articles",
            $"/api/quality/stores/{own}%2F..%2F{other}/knowledge/articles",
            $"/api/quality/stores/{own}/../{other}/knowledge/articles/{p.OtherArticle}",
            $"/api/quality/stores/{own}/knowledge/articles/..%2F..%2F..%2F{other}%2Fknowledge%2Farticles%2F{p.OtherArticle}",
            $"/api/quality/stores/{own}/knowledge/articles/{p.OtherArticle}",
            $"/API/QUALITY/STORES/{other}/feedback",
            $"/api/quality//stores/{other}/feedback",
            $"/api/quality/stores/{own}/../{other}/quick-replies",
            $"/api/quality/stores/{own}/../../sla/stores/{other}/sla{q}",
            $"/api/quality/stores/{own}/%2e%2e/%2e%2e/%2e%2e/sla/stores/{other}/contract",
            $"/api/sla/stores/{own}/../../../api/sla/stores/{other}/sla{q}",
            $"/api/sla/stores/{own}/sla;storeId={other}{q}",
            $"/api/sla/stores/{own}/%2e%2e%2f{other}/sla{q}",
            $"/api/sla/stores/{own}/..%c0%af{other}/sla{q}",
            $"/api/sla/stores/{other.Replace("o", "%EF%BD%8F")}/sla{q}",
            $"/api/sla/stores/{other}/sla.{q}",
            $"/api/sla./stores/{other}/sla{q}",
            $"/api/sla/stores/{other}%09/sla{q}",
            $"/api/sla/stores/%20{other}/sla{q}",
        ];
        // What only the other store's answers hold: its name, its article, its feedback, its quick reply.
        string[] otherData = [$"{other} 旗舰店", $"{other} 退货须知", $"{other} 的反馈", $"{other} 快捷"];
        var leaks = new List<string>();
        foreach (var path in reads)
        {
            using var response = await p.Store.SendAsync(new HttpRequestMessage(HttpMethod.Get, ExactUris.Of(platform.Gateway.RealAddress(), path)));
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            output.WriteLine($"{status} {path}");
            if (otherData.Any(d => body.Contains(d, StringComparison.Ordinal)))
                leaks.Add($"{path}: {status} answered with the other store's data: {body}");
            else if (status is >= 200 and < 300)
                leaks.Add($"{path}: {status} — a path naming another store must be refused: {body}");
            else if (status >= 500 || (response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                                       && !ServerLevel.Refused(path, response, body)))
                leaks.Add($"{path}: {status} {response.Content.Headers.ContentType} (expected a 4xx problem+json)");
        }

        string[] writes =
        [
            $"/api/sla/stores/{own}/../{other}/conversations",
            $"/api/sla/stores/{own}%2F..%2F{other}/conversations",
            $"/api/sla/stores/{own}%252F..%252F{other}/conversations",
            $"/api/sla/stores/{other}./conversations",
            $"/API/SLA/STORES/{other}/conversations",
            $"//api/sla/stores/{other}/conversations",
            $"/api/sla/stores//{other}/conversations",
            $"/api/sla/stores/{own}/conversations/../../{other}/conversations",
            $"/api/sla/stores/{other.Replace("o", "%6F")}/conversations",
        ];
        var n = 0;
        foreach (var path in writes)
        {
            var body = JsonSerializer.Serialize(new { conversations = new[] { Seeds.Conversation($"trick-{n++}", "seed-agent", "在吗", "satisfied") } });
            using var response = await p.Ingest.SendAsync(new HttpRequestMessage(HttpMethod.Post, ExactUris.Of(platform.Gateway.RealAddress(), path))
            {
                Content = Json(body),
            });
            var status = (int)response.StatusCode;
            output.WriteLine($"{status} POST {path}");
            if (status is >= 200 and < 300 || status >= 500 || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                leaks.Add($"POST {path}: {status} {await response.Content.ReadAsStringAsync()}");
        }

        Assert.True(leaks.Count == 0, $"Path tricks that got through:\n{string.Join('\n', leaks)}");
        Assert.Equal(otherConversations, await Seeds.ConversationsAsync(_ops, other));
        // The own store's data stays reachable by its plain path.
        Assert.Equal(HttpStatusCode.OK, (await p.Store.GetAsync($"/api/sla/stores/{own}/sla{q}")).StatusCode);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
