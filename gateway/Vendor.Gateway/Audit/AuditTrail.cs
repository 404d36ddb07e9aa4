using System.Diagnostics;
using System.Diagnostics.Metrics;
using JasperFx;
using Marten;
using Marten.Exceptions;

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
        Task Record()
        {
            return Interlocked.Exchange(ref recorded, 1) == 1 ? Task.CompletedTask : WriteAsync(context);
        }

        context.Response.OnStarting(Record);
        try
        {
            await next(context);
        }
        finally
        {
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
