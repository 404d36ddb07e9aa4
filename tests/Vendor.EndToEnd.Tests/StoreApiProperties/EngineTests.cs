using System.Net;
using System.Text.Json.Nodes;
using CsCheck;

namespace Vendor.EndToEnd.Tests.StoreApiProperties;

/// <summary>The engine of the property test on its own (no platform): reading a 3.1 document, validating, generating.</summary>
public class EngineTests
{
    private const string Document = """
    {
      "openapi": "3.1.1",
      "info": { "title": "t", "version": "1" },
      "servers": [ { "url": "/" } ],
      "paths": {
        "/api/things/{thingId}": {
          "parameters": [ { "$ref": "#/components/parameters/ThingId" } ],
          "get": {
            "operationId": "GetThing",
            "parameters": [
              { "name": "day", "in": "query", "schema": { "type": "string", "format": "date" } },
              { "name": "limit", "in": "query", "required": true, "schema": { "type": "integer", "format": "int32", "minimum": 1, "maximum": 500 } },
              { "name": "X-Trace", "in": "header", "schema": { "type": "string" } },
              { "name": "kinds", "in": "query", "schema": { "type": "array", "items": { "enum": ["missed", "slow"] }, "minItems": 2, "maxItems": 2 } }
            ],
            "responses": {
              "200": { "description": "ok", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
              "4XX": { "$ref": "#/components/responses/Problem" }
            }
          },
          "post": {
            "operationId": "PostThing",
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
            "responses": { "201": { "description": "made" }, "default": { "$ref": "#/components/responses/Problem" } }
          }
        }
      },
      "components": {
        "parameters": { "ThingId": { "name": "thingId", "in": "path", "required": true, "schema": { "type": "string", "minLength": 2, "maxLength": 8 } } },
        "responses": {
          "Problem": { "description": "p", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
        },
        "schemas": {
          "Problem": { "type": "object", "required": ["status"], "properties": { "status": { "type": "integer" }, "code": { "type": "string" } } },
          "Thing": {
            "type": "object",
            "required": ["id", "kind", "at", "count", "rate", "tags", "owner"],
            "additionalProperties": false,
            "properties": {
              "id": { "type": "string", "pattern": "^[a-z0-9-]+$", "maxLength": 30 },
              "kind": { "enum": ["missed", "slow"] },
              "at": { "type": "string", "format": "date-time" },
              "count": { "type": ["integer", "null"], "format": "int64", "minimum": 0 },
              "rate": { "type": "number", "minimum": 0, "maximum": 1 },
              "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 3 },
              "owner": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/Owner" } ] },
              "note": { "anyOf": [ { "type": "string" }, { "type": "boolean" } ] }
            }
          },
          "Owner": { "type": "object", "required": ["name"], "properties": { "name": { "type": "string", "minLength": 1 } } },
          "Audited": { "allOf": [ { "$ref": "#/components/schemas/Owner" },
            { "type": "object", "required": ["since"], "properties": { "since": { "type": "string", "format": "date" } } } ] }
        }
      }
    }
    """;

    private static readonly OpenApiModel Model = new(JsonNode.Parse(Document)!.AsObject());
    private static readonly SchemaValidator Validator = new(Model);
    private static readonly JsonNode Thing = JsonNode.Parse("""{ "$ref": "#/components/schemas/Thing" }""")!;

    [Fact]
    public void Operations_are_read_with_shared_parameters_references_and_responses()
    {
        var operations = Model.Operations();

        Assert.Equal(["GET /api/things/{thingId} (GetThing)", "POST /api/things/{thingId} (PostThing)"], operations.Select(o => o.ToString()));
        var get = operations[0];
        Assert.Equal(["thingId path True", "day query False", "limit query True", "X-Trace header False", "kinds query False"],
            get.Parameters.Select(p => $"{p.Name} {p.In} {p.Required}"));
        Assert.Equal("200", get.ResponseFor(200)!.Status);
        Assert.Equal("4XX", get.ResponseFor(404)!.Status);
        Assert.Null(get.ResponseFor(500));
        Assert.Equal("default", operations[1].ResponseFor(500)!.Status);
        Assert.Equal("application/problem+json", OpenApiModel.MatchMedia(get.ResponseFor(400)!, "application/problem+json; charset=utf-8"));
        Assert.Null(OpenApiModel.MatchMedia(get.ResponseFor(400)!, "text/plain"));
        Assert.True(operations[1].Body!.Required);
    }

    [Fact]
    public void The_validator_accepts_what_the_schema_allows_and_names_each_break_with_its_place()
    {
        var good = JsonNode.Parse("""
            { "id": "t-1", "kind": "slow", "at": "2026-11-16T10:00:00+08:00", "count": null, "rate": 0.5, "tags": ["a"],
              "owner": { "name": "王" }, "note": true }
            """);
        Assert.Empty(Validator.Validate(good, Thing));

        var bad = JsonNode.Parse("""
            { "id": "T 1", "kind": "late", "at": "2026-11-16", "count": 1.5, "rate": 2, "tags": ["a", "b", "c", "d"],
              "owner": { }, "note": 3, "extra": 1 }
            """);
        var errors = Validator.Validate(bad, Thing);

        foreach (var place in new[] { "/id:", "/kind:", "/at:", "/count:", "/rate:", "/tags:", "/owner:", "/note:", "/extra:" })
            Assert.Contains(errors, e => e.StartsWith(place, StringComparison.Ordinal));
        Assert.Contains(Validator.Validate(JsonNode.Parse("{}"), Thing), e => e.Contains("required property 'kind'"));
        Assert.Contains(Validator.Validate(JsonNode.Parse("[]"), Thing), e => e.Contains("is array"));
    }

    [Theory]
    [InlineData("date", "2026-11-30", true)]
    [InlineData("date", "2026-02-30", false)]
    [InlineData("date", "2026/11/30", false)]
    [InlineData("date-time", "2026-11-16T10:00:00Z", true)]
    [InlineData("date-time", "2026-11-16T10:00:00.123+08:00", true)]
    [InlineData("date-time", "2026-11-16 10:00", false)]
    [InlineData("uuid", "0b6a3e3c-5f1e-4c8e-9a6e-2f1d0c9b8a7f", true)]
    [InlineData("uuid", "nope", false)]
    public void Formats_are_checked(string format, string text, bool holds) => Assert.Equal(holds, SchemaValidator.FormatHolds(format, text));

    [Fact]
    public void Every_generated_valid_value_validates_against_its_schema() =>
        new RequestGen(Model, new Dictionary<string, string[]>()).Value(Thing, "$body")
            .Sample(value => Validator.Validate(value, Thing).Count == 0, seed: "0N0XIzNsQ0O2", iter: 500, print: v => v?.ToJsonString() ?? "null");

    [Fact]
    public void Values_for_an_allOf_meet_every_branch()
    {
        var audited = JsonNode.Parse("""{ "$ref": "#/components/schemas/Audited" }""")!;
        new RequestGen(Model, new Dictionary<string, string[]>()).Value(audited, "$body")
            .Sample(value => Validator.Validate(value, audited).Count == 0 && value!["since"] is not null, seed: "0N0XIzNsQ0O2", iter: 200,
                print: v => v?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Generated_requests_fill_the_path_keep_required_query_parameters_and_are_the_same_for_the_same_seed()
    {
        var gen = new RequestGen(Model, new Dictionary<string, string[]> { ["thingId"] = ["t-own"], ["otherStoreId"] = ["t-other"] });
        var get = Model.Operations()[0];

        List<ApiCall> Draw(ulong seed)
        {
            var pcg = new PCG(0, seed);
            var g = gen.For(get);
            return [.. Enumerable.Range(0, 300).Select(i => g.Generate(pcg, null!, out _))];
        }

        var calls = Draw(7);
        Assert.Equal(calls.Select(c => c.ToString()), Draw(7).Select(c => c.ToString()));
        Assert.NotEqual(calls.Select(c => c.ToString()), Draw(8).Select(c => c.ToString()));
        var valid = calls.Where(c => c.Mutation == "valid").ToList();
        Assert.InRange(valid.Count, 30, 250);
        Assert.All(valid, c =>
        {
            Assert.Equal("/api/things/t-own", c.Path);
            var limit = int.Parse(c.Query.Single(q => q.Name == "limit").Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(limit, 1, 500);
        });
        Assert.Contains(calls, c => c.Mutation.StartsWith("query limit", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Mutation == "query limit left out" && c.Query.All(q => q.Name != "limit"));
        Assert.Contains(calls, c => c.Mutation.StartsWith("extra query parameter", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.Path.Contains('{'));
        // An array in the query is its name repeated, one value each.
        Assert.Contains(valid, c => c.Query.Count(q => q.Name == "kinds") == 2);
        Assert.All(valid.SelectMany(c => c.Query.Where(q => q.Name == "kinds")), q => Assert.Contains(q.Value, new[] { "missed", "slow" }));
        Assert.Contains(valid, c => c.Headers.Any(h => h.Name == "X-Trace"));

        var post = gen.For(Model.Operations()[1]);
        var pcg = new PCG(1, 7);
        var bodies = Enumerable.Range(0, 300).Select(i => post.Generate(pcg, null!, out _)).ToList();
        Assert.Contains(bodies, c => c.Mutation.Contains("required property left out"));
        Assert.Contains(bodies, c => c.Mutation.StartsWith("content type", StringComparison.Ordinal));
        Assert.All(bodies.Where(c => c.Mutation == "valid"), c => Assert.Empty(Validator.Validate(JsonNode.Parse(c.Body!), Thing)));
    }

    [Fact]
    public void An_answer_breaks_the_document_when_its_status_type_or_body_is_not_what_it_says()
    {
        var get = Model.Operations()[0];
        static HttpResponseMessage Answer(HttpStatusCode status, string? type, string body)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
            response.Content.Headers.ContentType = type is null ? null : new System.Net.Http.Headers.MediaTypeHeaderValue(type);
            response.Headers.TryAddWithoutValidation("RateLimit", "\"key\";r=1;t=1");
            response.Headers.TryAddWithoutValidation("RateLimit-Policy", "\"key\";q=2;w=1");
            return response;
        }
        const string thing = """{ "id": "t", "kind": "slow", "at": "2026-11-16T10:00:00Z", "count": 1, "rate": 0, "tags": [], "owner": null }""";

        Assert.Empty(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.OK, "application/json", thing), thing, Validator));
        Assert.Empty(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.NotFound, "application/problem+json", """{"status":404}"""), """{"status":404}""", Validator));
        Assert.Contains("a 5xx", Assert.Single(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.InternalServerError, "application/problem+json", "{}"), "{}", Validator).Take(1)));
        Assert.Contains(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.Created, "application/json", "{}"), "{}", Validator), p => p.Contains("not documented"));
        Assert.Contains(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.OK, "text/csv", "a,b"), "a,b", Validator), p => p.Contains("the document says application/json"));
        Assert.Contains(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.OK, "application/json", "{}"), "{}", Validator), p => p.Contains("required property 'id'"));
        Assert.Contains(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.BadRequest, "text/plain", "no"), "no", Validator), p => p.Contains("not application/problem+json"));
        Assert.Contains(StoreApiPropertyTests.Breaks(get, Answer(HttpStatusCode.BadRequest, "application/problem+json", """{"status":"x"}"""), """{"status":"x"}""", Validator),
            p => p.Contains("/status"));
        var bare = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(thing, null, "application/json") };
        Assert.Contains(StoreApiPropertyTests.Breaks(get, bare, thing, Validator), p => p.Contains("RateLimit"));
    }
}
