using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Vendor.Gateway.StoreApi;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Tests;

/// <summary>The merge of the services' store documents (pure) and the problem codes every writer stamps.</summary>
public class StoreDocumentMergerTests
{
    private static JsonObject Document(string path, string schema, string description, string tag) => JsonNode.Parse("""
        {"openapi":"3.1.1","info":{"title":"t","version":"1.0"},
         "paths":{"@path":{"get":{"operationId":"op@schema"}}},
         "components":{"schemas":{"@schema":{"type":"object"},"ProblemDetails":{"type":"object","description":"@description"}},
                       "securitySchemes":{"ApiKey":{"type":"apiKey","in":"header","name":"X-Api-Key"}}},
         "tags":[{"name":"@tag","description":"d @tag"}]}
        """.Replace("@path", path).Replace("@schema", schema).Replace("@description", description).Replace("@tag", tag))!.AsObject();

    [Fact]
    public void Paths_components_and_tags_of_both_services_are_united_and_identical_shared_components_kept_once()
    {
        var merged = StoreDocumentMerger.Merge([
            ("agreements", Document("/api/sla/stores/{storeId}/sla", "SlaFigures", "same", "SLA")),
            ("quality", Document("/api/quality/stores/{storeId}/feedback", "FeedbackFiled", "same", "Feedback")),
        ]);

        Assert.Equal(["/api/sla/stores/{storeId}/sla", "/api/quality/stores/{storeId}/feedback"], merged["paths"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["SlaFigures", "ProblemDetails", "FeedbackFiled"], merged["components"]!["schemas"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["Feedback", "SLA"], merged["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()));
        Assert.Equal("3.1.1", merged["openapi"]!.GetValue<string>());
    }

    [Fact]
    public void A_component_published_differently_by_two_services_is_a_conflict_never_overwritten()
    {
        var conflict = Assert.Throws<StoreDocumentConflict>(() => StoreDocumentMerger.Merge([
            ("agreements", Document("/api/sla/a", "A", "one", "SLA")),
            ("quality", Document("/api/quality/b", "B", "another", "Feedback")),
        ]));
        Assert.Contains("components.schemas.ProblemDetails", conflict.Message);
        Assert.Contains("quality", conflict.Message);
        Assert.Contains("agreements", conflict.Message);
    }

    [Fact]
    public void The_same_path_from_two_services_is_a_conflict()
    {
        var conflict = Assert.Throws<StoreDocumentConflict>(() => StoreDocumentMerger.Merge([
            ("agreements", Document("/api/x", "A", "same", "SLA")),
            ("quality", Document("/api/x", "B", "same", "Feedback")),
        ]));
        Assert.Contains("/api/x", conflict.Message);
    }

    [Theory]
    [InlineData(400, "bad-request")]
    [InlineData(401, "unauthenticated")]
    [InlineData(403, "forbidden")]
    [InlineData(404, "not-found")]
    [InlineData(409, "conflict")]
    [InlineData(412, "precondition-failed")]
    [InlineData(413, "payload-too-large")]
    [InlineData(415, "unsupported-media-type")]
    [InlineData(429, "rate-limited")]
    [InlineData(500, "internal-error")]
    [InlineData(503, "service-unavailable")]
    public void A_problem_gets_the_code_of_its_status_and_the_type_uri_of_its_code(int status, string code)
    {
        var problem = Problems.Stamp(new ProblemDetails { Status = status, Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1" });
        Assert.Equal(code, problem.Extensions["code"]);
        Assert.Equal($"/api/store/problems/{code}", problem.Type);
        Assert.NotNull(ProblemCatalogue.Find(code));
    }

    [Fact]
    public void A_named_code_wins_over_the_status_and_validation_problems_have_their_own()
    {
        Assert.Equal("store-not-onboarded", Problems.Stamp(new ProblemDetails { Status = 404 }, 404, "store-not-onboarded").Extensions["code"]);
        var validation = Problems.Stamp(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["from"] = ["Required."] }) { Status = 400 });
        Assert.Equal("validation-failed", validation.Extensions["code"]);
        Assert.Equal("/api/store/problems/validation-failed", validation.Type);
        // Stamped twice (the call site, then the writer): the call site's code stays.
        var named = Problems.Stamp(new ProblemDetails { Status = 413 }, 413, "too-many-conversations");
        Assert.Equal("too-many-conversations", Problems.Stamp(named, 413).Extensions["code"]);
        Assert.All(ProblemCatalogue.All, p => Assert.Matches("^[a-z]+(-[a-z]+)*$", p.Code));
        Assert.Equal(ProblemCatalogue.All.Count, ProblemCatalogue.All.Select(p => p.Code).Distinct().Count());
    }

    [Fact]
    public void A_route_a_store_or_ingest_key_may_call_is_store_facing_without_being_marked_and_the_most_specific_roles_count()
    {
        Assert.True(Vendor.ServiceDefaults.OpenApi.StoreApi.IsStoreFacing([new CallerRoles([Roles.Ops, Roles.Store])]));
        Assert.True(Vendor.ServiceDefaults.OpenApi.StoreApi.IsStoreFacing([new CallerRoles([Roles.Ops, Roles.Ingest])]));
        Assert.False(Vendor.ServiceDefaults.OpenApi.StoreApi.IsStoreFacing([new CallerRoles([Roles.Ops])]));
        // A group open to store keys with an ops-only endpoint in it: the endpoint's own roles decide.
        Assert.False(Vendor.ServiceDefaults.OpenApi.StoreApi.IsStoreFacing([new CallerRoles([Roles.Ops, Roles.Store]), new CallerRoles([Roles.Ops])]));
        Assert.True(Vendor.ServiceDefaults.OpenApi.StoreApi.IsStoreFacing([Vendor.ServiceDefaults.OpenApi.StoreFacingMetadata.Instance]));
        Assert.False(Vendor.ServiceDefaults.OpenApi.StoreApi.IsStoreFacing([]));
    }
}
