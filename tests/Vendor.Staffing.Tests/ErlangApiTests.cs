using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Vendor.ServiceDefaults;
using Vendor.Testing;

namespace Vendor.Staffing.Tests;

public class ErlangApiTests(ServiceFixture<StaffingApi> fixture) : IClassFixture<ServiceFixture<StaffingApi>>
{
    private readonly ServiceHost<StaffingApi> _host = fixture.Host;

    /// <summary>10 erlangs at 80/20 (hand-checked in <see cref="ErlangCTests"/>): 14 seats, 3 chats an agent, 30 % shrinkage.</summary>
    private const string TenErlangsInChats = "/api/staffing/erlang?contactsPerHour=200&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20&concurrency=3&shrinkage=0.3";

    [Fact]
    public async Task The_answer_has_exactly_the_documented_fields()
    {
        var response = await _host.OpsClient().GetAsync(TenErlangsInChats);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["agents", "averageSpeedOfAnswerSeconds", "occupancy", "probabilityOfWaiting", "scheduledAgents", "seats", "serviceLevel"],
            body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal((14, 5, 8), (body.GetProperty("seats").GetInt32(), body.GetProperty("agents").GetInt32(), body.GetProperty("scheduledAgents").GetInt32()));
        Assert.Equal(0.8883500191794669, body.GetProperty("serviceLevel").GetDouble(), 1e-12);
        Assert.Equal(7.835937011777243, body.GetProperty("averageSpeedOfAnswerSeconds").GetDouble(), 1e-10);
        Assert.Equal(10.0 / 14, body.GetProperty("occupancy").GetDouble(), 1e-12);
        Assert.Equal(0.1741319335950498, body.GetProperty("probabilityOfWaiting").GetDouble(), 1e-12);
    }

    [Fact]
    public async Task An_occupancy_cap_is_honoured()
    {
        var body = await _host.OpsClient().GetFromJsonAsync<JsonElement>(
            "/api/staffing/erlang?contactsPerHour=2000&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20&maxOccupancy=0.85");

        Assert.Equal(118, body.GetProperty("seats").GetInt32());
    }

    [Theory]
    [InlineData("ahtSeconds=180&serviceLevel=0.8&answerSeconds=20", "contactsPerHour")]
    [InlineData("contactsPerHour=-3&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20", "contactsPerHour")]
    [InlineData("contactsPerHour=lots&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20", "contactsPerHour")]
    [InlineData("contactsPerHour=200&ahtSeconds=3m&serviceLevel=0.8&answerSeconds=20", "ahtSeconds")]
    [InlineData("contactsPerHour=200&ahtSeconds=180&serviceLevel=1&answerSeconds=20", "serviceLevel")]
    [InlineData("contactsPerHour=200&ahtSeconds=180&serviceLevel=80%25&answerSeconds=20", "serviceLevel")]
    [InlineData("contactsPerHour=200&ahtSeconds=180&serviceLevel=0.8", "answerSeconds")]
    [InlineData("contactsPerHour=200&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20&concurrency=2.5", "concurrency")]
    [InlineData("contactsPerHour=200&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20&shrinkage=1", "shrinkage")]
    [InlineData("contactsPerHour=200&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20&maxOccupancy=x", "maxOccupancy")]
    [InlineData("contactsPerHour=200&contactsPerHour=300&ahtSeconds=180&serviceLevel=0.8&answerSeconds=20", "contactsPerHour")]
    public async Task A_bad_query_is_a_400_problem_naming_the_field(string query, string field)
    {
        var response = await _host.OpsClient().GetAsync($"/api/staffing/erlang?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task A_query_without_any_field_names_all_four_required_ones()
    {
        var response = await _host.OpsClient().GetAsync("/api/staffing/erlang");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["ahtSeconds", "answerSeconds", "contactsPerHour", "serviceLevel"],
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Only_ops_callers_through_the_gateway_may_ask()
    {
        var direct = await _host.CreateClient().GetAsync(TenErlangsInChats);
        var store = await _host.ClientAs(new CallerIdentity("k-store", Roles.Store, "acme")).GetAsync(TenErlangsInChats);

        Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
        Assert.Equal("application/problem+json", direct.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, store.StatusCode);
    }
}
