using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Erlang;

public static class ErlangModule
{
    public static void MapErlang(this IEndpointRouteBuilder app) =>
        // The query is bound as text: the framework's own binding of a bad number is a bare 400 that names nothing.
        app.MapGet("/api/staffing/erlang", IResult ([AsParameters] ErlangQuery query) =>
            {
                var (request, errors) = ErlangValidation.Parse(query);
                return request is null ? Problems.Validation(errors.ToDecision().Errors) : TypedResults.Ok(ErlangC.Solve(request));
            })
            .WithTags("Erlang").WithName("ErlangC")
            .WithSummary("Seats, agents and scheduled agents a queue needs to meet a service level (Erlang C, ops).")
            .RequireCaller(Roles.Ops)
            .Produces<ErlangResult>().ProducesValidationProblem();
}
