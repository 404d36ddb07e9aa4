using System.Diagnostics;
using Marten;
using Marten.Services;

namespace Vendor.ServiceDefaults;

/// <summary>
/// Carries a request's trace across the outbox: events appended while a traced request runs keep its W3C <c>traceparent</c> as a
/// Marten event header, and the outbox publishes their integration events under it, so one trace follows a conversation from the
/// gateway through the service, RabbitMQ and its consumers. Nothing is written when nothing is traced (no activity).
/// </summary>
public static class TraceContext
{
    public const string Header = "traceparent";
    public static readonly ActivitySource Source = new("Vendor.Outbox");

    public static void Configure(StoreOptions options)
    {
        options.Events.MetadataConfig.HeadersEnabled = true;
        options.Listeners.Add(new Listener());
    }

    /// <summary>The publish of an event's integration event, as a child of the request that appended it (null when it had none).</summary>
    public static Activity? StartPublish(JasperFx.Events.IEvent domainEvent) =>
        StartPublish(domainEvent.Headers?.TryGetValue(Header, out var value) == true ? value?.ToString() : null);

    /// <summary>The publish of an outbox message, as a child of the request whose <c>traceparent</c> it kept (null when it had none).</summary>
    public static Activity? StartPublish(string? traceparent) =>
        ActivityContext.TryParse(traceparent, null, out var parent) ? Source.StartActivity("outbox publish", ActivityKind.Producer, parent) : null;

    private sealed class Listener : DocumentSessionListenerBase
    {
        public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } activity) return Task.CompletedTask;
            foreach (var stream in session.PendingChanges.Streams())
                foreach (var e in stream.Events)
                    e.SetHeader(Header, activity.Id!);
            return Task.CompletedTask;
        }
    }
}
