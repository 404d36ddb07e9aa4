using System.Text;
using JasperFx;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Npgsql;

namespace Vendor.ServiceDefaults;

/// <summary>
/// Turns what escapes an endpoint into problem+json: a clear 4xx for the caller's mistakes, a 503 with Retry-After while the database
/// cannot be reached (nothing was stored; the caller retries), a bare 500 otherwise.
/// </summary>
public sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            ConcurrencyException or ExistingStreamIdCollisionException =>
                (StatusCodes.Status409Conflict, "Conflict", "The resource was changed by another request; reload and retry."),
            // The JSON reader cannot decode a body whose Content-Type names an unknown charset.
            InvalidOperationException when UnknownCharset(context.Request) is { } charset =>
                (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                    $"The Content-Type names charset '{charset}', which is not a known encoding; send UTF-8 JSON."),
            _ when RefusedByPostgres(exception) is { } refused => (StatusCodes.Status400BadRequest, "Bad request", refused),
            _ when DatabaseUnreachable(exception) =>
                (StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                    "The database cannot be reached just now; nothing was changed. Retry after the time given in Retry-After."),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "Something went wrong; the error was logged."),
        };
        if (status >= 500) logger.LogError(exception, "Unhandled error on {Path}", context.Request.Path);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>What a 503 for an unreachable database tells the client to wait, in seconds (the gateway's audit 503 too).</summary>
    public const string RetryAfterSeconds = "5";

    /// <summary>
    /// The database is down or unreachable (a broken or refused connection, a timeout, the server shutting down or refusing
    /// connections) rather than refusing this request's data.
    /// </summary>
    public static bool DatabaseUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException postgres:
                    // Class 08 (connection exception), admin/crash shutdown, cannot connect now, too many connections.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                           || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                               or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException { IsTransient: true }:
                    return true;
            }
        }
        return false;
    }

    /// <summary>The charset of the request's Content-Type when .NET knows no encoding by that name; null otherwise.</summary>
    internal static string? UnknownCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media) || !media.Charset.HasValue) return null;
        var charset = HeaderUtilities.RemoveQuotes(media.Charset).Value ?? "";
        try
        {
            return charset.Length > 0 && Encoding.GetEncoding(charset) is not null ? null : media.Charset.Value;
        }
        catch (ArgumentException)
        {
            return media.Charset.Value;
        }
    }

    /// <summary>
    /// Why PostgreSQL refused a value the request carried (a NUL character in text, a value out of its range, a key too long to
    /// index), or null when the failure is not about the caller's data. The transaction was rolled back: nothing was stored.
    /// </summary>
    internal static string? RefusedByPostgres(Exception exception) =>
        exception.PostgresErrorsWithin().FirstOrDefault() is not { } postgres ? null : postgres.SqlState switch
        {
            PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter =>
                "The request holds text that cannot be stored (such as a NUL character, \\u0000).",
            PostgresErrorCodes.ProgramLimitExceeded => "A value of the request is too large to store or index.",
            // Class 22, data exception: a value out of range, malformed for its type, too long...
            { } state when state.StartsWith("22", StringComparison.Ordinal) => $"A value of the request cannot be stored ({postgres.MessageText}).",
            _ => null,
        };
}
