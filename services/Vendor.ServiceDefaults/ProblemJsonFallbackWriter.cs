using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Vendor.ServiceDefaults;

/// <summary>
/// Registered after the framework's own writer, which declines when the request's Accept header names no JSON type (a browser's
/// text/html, an XML client): the status-code pages then answered text/plain and the exception handler an empty body. This one
/// always writes: every error of the API is application/problem+json, whatever the client prefers.
/// </summary>
public sealed class ProblemJsonFallbackWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        problem.Status ??= http.Response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        Problems.Stamp(problem, problem.Status);
        problem.Extensions.TryAdd("traceId", Activity.Current?.Id ?? http.TraceIdentifier);
        return new ValueTask(http.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json"));
    }
}
