using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Vendor.ServiceDefaults;

/// <summary>Every error answer is application/problem+json with a stable <c>code</c> and its <c>type</c> URI (<see cref="ProblemCatalogue"/>).</summary>
public static class Problems
{
    /// <param name="code">A specific code of <see cref="ProblemCatalogue"/> where a client must tell this case apart; else the status's.</param>
    public static IResult Result(int status, string title, string detail, string? code = null) =>
        TypedResults.Problem(Stamp(new ProblemDetails { Status = status, Title = title, Detail = detail }, status, code));

    /// <param name="code">A specific 400 code of <see cref="ProblemCatalogue"/> (invalid-cursor, ...); else validation-failed.</param>
    public static IResult Validation(IReadOnlyDictionary<string, string[]> errors, string? code = null)
    {
        var problem = new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Title = "The request is not valid." };
        Stamp(problem, StatusCodes.Status400BadRequest, code);
        return TypedResults.ValidationProblem(errors, title: problem.Title, type: problem.Type, extensions: problem.Extensions);
    }

    public static IResult Conflict(string detail) => Result(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult NotFound(string detail, string? code = null) => Result(StatusCodes.Status404NotFound, "Not found", detail, code);

    public static Task Write(HttpContext context, int status, string title, string detail, string? code = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            Stamp(new ProblemDetails { Status = status, Title = title, Detail = detail }, status, code),
            options: null, contentType: "application/problem+json");
    }

    /// <summary>
    /// Gives a problem its <c>code</c> (kept when set; "validation-failed" for validation problems; else the status's) and the
    /// <c>type</c> URI of that code, replacing the framework's generic RFC links. Every writer of problems calls it.
    /// </summary>
    public static ProblemDetails Stamp(ProblemDetails problem, int? status = null, string? code = null)
    {
        status ??= problem.Status ?? StatusCodes.Status500InternalServerError;
        if (code is not null) problem.Extensions["code"] = code;
        else if (!problem.Extensions.TryGetValue("code", out var existing) || existing is not string { Length: > 0 })
            problem.Extensions["code"] = problem is HttpValidationProblemDetails { Errors.Count: > 0 } && status == 400
                ? ProblemCatalogue.ValidationFailed
                : ProblemCatalogue.ForStatus(status.Value);
        if (problem.Type is null || !problem.Type.StartsWith(ProblemCatalogue.TypePrefix, StringComparison.Ordinal))
            problem.Type = ProblemCatalogue.TypeUri((string)problem.Extensions["code"]!);
        return problem;
    }
}
