namespace Vendor.Staffing.Alerts;

public static class DeliveryStatus
{
    public const string Pending = "pending", Delivered = "delivered", Failed = "failed";
}

/// <summary>
/// One alert state change to one channel. Written in the same transaction as the alert event (so none is lost), sent by the
/// dispatcher until the channel accepts it. The id is the idempotency key sent with it: one per state change and channel.
/// A robot cannot de-duplicate by that key, and a process killed after the robot accepted but before "delivered" was saved
/// sends it again: <see cref="SendingSince"/> is saved before each attempt, so such a resend (and one after an attempt that got no
/// answer) is marked <see cref="MayRepeat"/> and says so in its title.
/// </summary>
public sealed record AlertDelivery(string Id, string AlertId, long AlertVersion, string ChannelId, string Change, Alert Alert,
    DateTimeOffset CreatedAt, string Status, int Attempts, DateTimeOffset NextAttemptAt, string? LastError,
    DateTimeOffset? DeliveredAt, DateTimeOffset? SendingSince = null, bool MayRepeat = false)
{
    public const int MaxAttempts = 30;

    public static string IdOf(string alertId, long version, string channelId) => $"{alertId}:{version}:{channelId}";

    /// <summary>Back-off between attempts: 1 s doubling to 10 min (30 attempts ≈ 4 hours).</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(600, Math.Pow(2, Math.Max(0, attempts - 1))));

    /// <summary>An attempt begins; one begun earlier and never concluded (its process died) may have reached the channel.</summary>
    public AlertDelivery Sending(DateTimeOffset now) => this with { SendingSince = now, MayRepeat = MayRepeat || SendingSince is not null };

    public AlertDelivery Succeeded(DateTimeOffset now) =>
        this with { Status = DeliveryStatus.Delivered, Attempts = Attempts + 1, DeliveredAt = now, LastError = null, SendingSince = null };

    /// <param name="answered">False when no answer came (timeout, connection lost): the channel may have taken it all the same.</param>
    public AlertDelivery FailedAttempt(string error, DateTimeOffset now, bool answered = true) => this with
    {
        Attempts = Attempts + 1, LastError = error, SendingSince = null, MayRepeat = MayRepeat || !answered,
        Status = Attempts + 1 >= MaxAttempts ? DeliveryStatus.Failed : DeliveryStatus.Pending,
        NextAttemptAt = now + Backoff(Attempts + 1),
    };

    /// <summary>The deliveries one alert event causes: every channel that wants its severity (a resolve goes where the alert went).</summary>
    public static IEnumerable<AlertDelivery> For(Alert after, string change, IEnumerable<AlertChannel> channels, DateTimeOffset now) =>
        channels.Where(c => c.Wants(change == "resolved" ? after.Peak : after.Severity))
            .Select(c => new AlertDelivery(IdOf(after.AlertId, after.Revision, c.ChannelId), after.AlertId, after.Revision, c.ChannelId, change, after,
                now, DeliveryStatus.Pending, 0, now, null, null));
}
