using System.Net;
using System.Net.Sockets;

namespace Vendor.Agreements.Webhooks;

/// <summary>A webhook target refused by the server-side request forgery rules (at registration or when sending).</summary>
public sealed class WebhookTargetRefusedException(string reason) : Exception(reason);

/// <summary>Name resolution for webhook targets; a class of its own so tests can make a name resolve where they need it.</summary>
public class WebhookDns
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>
/// Server-side request forgery rules for store webhooks: https only, and only public internet addresses — no loopback, private
/// (RFC 1918, CGNAT, unique-local), link-local, unspecified, multicast or reserved range, also when written as an IPv4-mapped,
/// NAT64 or 6to4 IPv6 address. Hosts in <c>Webhooks:AllowedHosts</c> are exempt (any address, and plain http), for local use.
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2048;

    /// <summary>Why an address may not be a webhook target, or null when it is a public address (pure).</summary>
    public static string? Blocked(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return Blocked(address.MapToIPv4()) is { } why ? $"{why}, IPv4-mapped" : null;
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return b switch
            {
                [0, ..] => "'this network' (0.0.0.0/8)",
                [10, ..] => "private (10.0.0.0/8)",
                [100, >= 64 and <= 127, ..] => "shared carrier-grade NAT (100.64.0.0/10)",
                [127, ..] => "loopback (127.0.0.0/8)",
                [169, 254, ..] => "link-local (169.254.0.0/16)",
                [172, >= 16 and <= 31, ..] => "private (172.16.0.0/12)",
                [192, 0, 0, _] => "IETF protocol assignments (192.0.0.0/24)",
                [192, 0, 2, _] or [198, 51, 100, _] or [203, 0, 113, _] => "documentation range",
                [192, 88, 99, _] => "6to4 relay anycast (192.88.99.0/24)",
                [192, 168, ..] => "private (192.168.0.0/16)",
                [198, 18 or 19, ..] => "benchmarking (198.18.0.0/15)",
                [>= 224 and <= 239, ..] => "multicast (224.0.0.0/4)",
                [>= 240, ..] => "reserved or broadcast (240.0.0.0/4)",
                _ => null,
            };
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "not an IP address";
        if (address.Equals(IPAddress.IPv6Loopback)) return "loopback (::1)";
        if (address.Equals(IPAddress.IPv6Any)) return "unspecified (::)";
        if (address.IsIPv6Multicast) return "multicast (ff00::/8)";
        if (address.IsIPv6LinkLocal) return "link-local (fe80::/10)";
        if (address.IsIPv6SiteLocal) return "site-local (fec0::/10)";
        if ((b[0] & 0xFE) == 0xFC) return "unique local (fc00::/7)";
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return "documentation (2001:db8::/32)";
        // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) carry an IPv4 address in the last four bytes; 6to4 (2002::/16) in bytes 2-5.
        if (b.Take(12).All(x => x == 0)) return Embedded(b[12..16], "IPv4-compatible");
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.Skip(4).Take(8).All(x => x == 0)) return Embedded(b[12..16], "NAT64");
        if (b[0] == 0x20 && b[1] == 0x02) return Embedded(b[2..6], "6to4");
        // Translators a deployment may run: local-use NAT64 (64:ff9b:1::/48, RFC 8215), SIIT (::ffff:0:a.b.c.d), Teredo (2001::/32).
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4] == 0 && b[5] == 1) return "local-use NAT64 (64:ff9b:1::/48)";
        if (b.Take(8).All(x => x == 0) && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0) return Embedded(b[12..16], "SIIT") ?? "SIIT (::ffff:0:0:0/96)";
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return "Teredo (2001::/32)";
        return null;
    }

    private static string? Embedded(byte[] ipv4, string form) => Blocked(new IPAddress(ipv4)) is { } why ? $"{why}, {form}" : null;

    public static bool IsAllowedHost(string host, IReadOnlyCollection<string> allowedHosts) =>
        allowedHosts.Any(h => string.Equals(h.Trim().Trim('[', ']'), host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase));

    /// <summary>The URL's shape: absolute http(s), https unless its host is allowed, no credentials; an IP literal must be public (pure).</summary>
    public static (Uri? Url, string? Error) CheckShape(string? url, IReadOnlyCollection<string> allowedHosts)
    {
        if (string.IsNullOrWhiteSpace(url)) return (null, "Required: the https URL the events are posted to.");
        if (url.Length > MaxUrlLength) return (null, $"At most {MaxUrlLength} characters.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            return (null, "Not an absolute https URL.");
        if (uri.UserInfo.Length > 0) return (null, "The URL must not carry a user name or password.");
        if (IsAllowedHost(uri.Host, allowedHosts)) return (uri, null);
        if (uri.Scheme != "https") return (null, "Must use https (plain http only for hosts in Webhooks:AllowedHosts).");
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) && Blocked(literal) is { } why)
            return (null, $"{literal} is a {why} address: webhooks go to public internet addresses only.");
        return (uri, null);
    }

    /// <summary>Every address the host resolves to must be public (a name that resolves to a private address is refused).</summary>
    public static async Task<IPAddress[]> CheckedAddressesAsync(string host, IReadOnlyCollection<string> allowedHosts, WebhookDns dns,
        CancellationToken ct)
    {
        host = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await dns.ResolveAsync(host, ct);
            }
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                throw new WebhookTargetRefusedException($"The host '{host}' does not resolve ({(e as SocketException)?.SocketErrorCode.ToString() ?? "not a host name"}).");
            }
        }
        if (addresses.Length == 0) throw new WebhookTargetRefusedException($"The host '{host}' does not resolve.");
        if (IsAllowedHost(host, allowedHosts)) return addresses;
        foreach (var address in addresses)
            if (Blocked(address) is { } why)
                // Neither the address nor its range is echoed: a store must not learn what internal names resolve to.
                throw new WebhookTargetRefusedException($"'{host}' resolves to an address that is not a public internet address: webhooks go to public internet addresses only.");
        return addresses;
    }

    /// <summary>
    /// The handler's connect step: resolve, check every address, connect only to a checked one. The check and the connection use
    /// the same answer, so a name that re-resolves to a private address between check and connect (DNS rebinding) cannot slip through.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(
        IReadOnlyCollection<string> allowedHosts, WebhookDns dns) => async (context, ct) =>
    {
        var addresses = await CheckedAddressesAsync(context.DnsEndPoint.Host, allowedHosts, dns, ct);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw last ?? new WebhookTargetRefusedException("No address to connect to.");
    };
}
