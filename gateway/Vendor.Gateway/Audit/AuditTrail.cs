using System.Diagnostics;
using System.Diagnostics.Metrics;
using JasperFx;
using Marten;
using Marten.Exceptions;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.Audit;

/// <summary>
/// Records every write request (POST/PUT/PATCH/DELETE on any path), accepted or refused, as a <see cref="WriteAudited"/> event.
/// The record is committed as the response starts, before the client sees any of it: an acknowledged write always has its audit
/// record, and a failed audit write fails the answer instead of acknowledging unaudited. A request whose response never started
/// (the client went away) is recorded when the pipeline returns.
/// </summary>
public sealed class AuditTrail(RequestDelegate next, IDocumentStore store, TimeProvider clock, ILogger<AuditTrail> logger)
{
    public static readonly Meter Meter = new("Vendor.Gateway.Audit");

    /// <summary>How long committing one audit record takes: what auditing adds to a write's latency.</summary>
    public static readonly Histogram<double> WriteDuration = Meter.CreateHistogram<double>("vendor.gateway.audit.write.duration", "ms");

    public async Task InvokeAsync(HttpContext context)
    {
        if (!AuditRecords.IsWrite(context.Request.Method))
        {
            await next(context);
            return;
        }
        var recorded = 0;
        var original = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()!;
        var body = new WithheldBody(context.Response.Body, original.StartAsync);
        Task Record()
        {
            return Interlocked.Exchange(ref recorded, 1) == 1 ? Task.CompletedTask : RecordOrWithholdAsync(context, body);
        }

        context.Response.OnStarting(Record);
        context.Response.Body = body;
        try
        {
            await next(context);
            if (body.Withheld) await body.Inner.WriteAsync(UnavailableProblem, context.RequestAborted);
        }
        finally
        {
            context.Response.Body = body.Inner;
            if (context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted)
            {
                try
                {
                    await Record();
                }
                catch (Exception e)
                {
                    logger.LogError("Could not audit an aborted {Method} {Path}: {Error}", context.Request.Method, context.Request.Path, e.GetType().Name);
                }
            }
        }
    }

    private static readonly byte[] UnavailableProblem = JsonSerializer.SerializeToUtf8Bytes(Problems.Stamp(new ProblemDetails
    {
        Status = StatusCodes.Status503ServiceUnavailable, Title = "Service unavailable",
        Detail = "The gateway cannot record this write in its audit trail just now (the database cannot be reached), so the answer is " +
                 "withheld. Retry after the time given in Retry-After.",
    }), JsonSerializerOptions.Web);

    /// <summary>
    /// While the database is unreachable no write can be audited: the answer becomes a 503 problem with Retry-After (the client
    /// retries) instead of a bare 500 from the failed response start; whatever the service answered is withheld.
    /// </summary>
    private async Task RecordOrWithholdAsync(HttpContext context, WithheldBody body)
    {
        try
        {
            await WriteAsync(context);
        }
        catch (Exception e) when (ProblemExceptionHandler.DatabaseUnreachable(e))
        {
            body.Withhold();
            var response = context.Response;
            response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            foreach (var header in new[] { "Location", "ETag", "Content-Encoding", "Last-Modified" }) response.Headers.Remove(header);
            response.ContentLength = null;
            response.ContentType = "application/problem+json";
            response.Headers.RetryAfter = ProblemExceptionHandler.RetryAfterSeconds;
        }
    }

    private async Task WriteAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // Not the request's token: a client that hangs up must not cancel its own audit record.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var attempt = 1; ; attempt++)
        {
            var audited = AuditRecords.Of(context, clock.GetUtcNow());
            try
            {
                await using var session = store.LightweightSession();
                session.Events.StartStream<AuditEntry>(AuditEntry.StreamKey(audited.Position), audited);
                await session.SaveChangesAsync(timeout.Token);
                WriteDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return;
            }
            // Two records in the same microsecond with the same tie-breaker: draw again.
            catch (Exception e) when (attempt < 3 && e is ExistingStreamIdCollisionException or DocumentAlreadyExistsException)
            {
            }
            catch (Exception e)
            {
                logger.LogError("Could not audit {Method} {Path} ({Status}): {Error}; the answer is failed rather than sent unaudited.",
                    audited.Method, audited.Path, audited.Status, e.GetType().Name);
                throw;
            }
        }
    }
}

/// <summary>
/// The response body of an audited write: passed through, or dropped once the answer is withheld. The response is started (and
/// so audited) before the first byte goes out, so no byte of a withheld answer leaks.
/// </summary>
internal sealed class WithheldBody(Stream inner, Func<CancellationToken, Task> start) : Stream
{
    private bool _started;
    public Stream Inner { get; } = inner;
    public bool Withheld { get; private set; }
    public void Withhold() => Withheld = true;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { if (!Withheld) Inner.Flush(); }
    public override async Task FlushAsync(CancellationToken ct)
    {
        await StartAsync(ct);
        if (!Withheld) await Inner.FlushAsync(ct);
    }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) { if (!Withheld) Inner.Write(buffer, offset, count); }
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        await StartAsync(ct);
        if (!Withheld) await Inner.WriteAsync(buffer, ct);
    }

    private async Task StartAsync(CancellationToken ct)
    {
        if (_started) return;
        _started = true;
        await start(ct);
    }
}
