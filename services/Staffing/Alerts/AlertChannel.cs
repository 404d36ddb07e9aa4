using JasperFx.Events;
using Vendor.ServiceDefaults;

namespace Vendor.Staffing.Alerts;

public static class ChannelKinds
{
    public const string DingTalk = "dingtalk", WeCom = "wecom", Webhook = "webhook";
    public static readonly IReadOnlyList<string> All = [DingTalk, WeCom, Webhook];
}

public sealed record AlertChannelRegistered(string ChannelId, string Name, string Kind, string Url, string MinSeverity, string? Secret, DateTimeOffset At);
public sealed record AlertChannelRemoved(string ChannelId, DateTimeOffset At);

/// <summary>Where alerts go (a DingTalk or WeCom group robot, or any webhook); stream <c>alert-channel:{channelId}</c>.</summary>
public sealed record AlertChannel(string Id, string ChannelId, string Name, string Kind, string Url, string MinSeverity, string? Secret,
    bool Removed, DateTimeOffset RegisteredAt)
{
    public static string StreamKey(string channelId) => $"alert-channel:{channelId}";

    public static AlertChannel Create(IEvent<AlertChannelRegistered> e) =>
        new(e.StreamKey!, e.Data.ChannelId, e.Data.Name, e.Data.Kind, e.Data.Url, e.Data.MinSeverity, e.Data.Secret, false, e.Data.At);

    public AlertChannel Apply(AlertChannelRemoved _) => this with { Removed = true };

    public bool Wants(string severity) => !Removed && Severities.Rank(severity) >= Severities.Rank(MinSeverity);
}

/// <summary>The body of POST /api/staffing/alert-channels.</summary>
public sealed record RegisterChannel(string? Name, string? Kind, string? Url, string? MinSeverity, string? Secret);

public sealed record AlertChannelView(string ChannelId, string Name, string Kind, string Url, string MinSeverity, bool Signed, DateTimeOffset RegisteredAt)
{
    /// <summary>The secret is write-only; the URL's query (DingTalk access_token, WeCom key) is masked.</summary>
    public static AlertChannelView Of(AlertChannel c) =>
        new(c.ChannelId, c.Name, c.Kind, Masked(c.Url), c.MinSeverity, c.Secret is not null, c.RegisteredAt);

    private static string Masked(string url) => url.Split('?') is [var path, _] ? $"{path}?…" : url;
}

public static class ChannelDecisions
{
    public static Decision Register(RegisterChannel command, string channelId, DateTimeOffset now)
    {
        var url = Uri.TryCreate(command.Url, UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http" ? parsed : null;
        var errors = new Errors()
            .Check(command.Kind is not null && ChannelKinds.All.Contains(command.Kind), "kind", $"One of: {string.Join(", ", ChannelKinds.All)}.")
            .Check(url is not null && (command.Url?.Length ?? 0) <= 2000, "url", "Required: an absolute http(s) URL, at most 2000 characters.")
            .Check(command.MinSeverity is null || Severities.All.Contains(command.MinSeverity), "minSeverity", $"One of: {string.Join(", ", Severities.All)}.")
            .Check(command.Secret is null || command.Secret.Length is > 0 and <= 200, "secret", "At most 200 characters.")
            .Check(command.Name is null || command.Name.Trim().Length is > 0 and <= 100, "name", "At most 100 characters.");
        if (errors.Any) return errors.ToDecision();
        return Decision.Of(new AlertChannelRegistered(channelId, command.Name?.Trim() ?? $"{command.Kind} {url!.Host}", command.Kind!, command.Url!,
            command.MinSeverity ?? Severities.Warning, command.Secret, now));
    }
}
