using Vendor.ServiceDefaults;

namespace Vendor.Testing;

/// <summary>Signs each request as the gateway would, for tests that call a service directly as a given caller.</summary>
public sealed class GatewaySigningHandler(CallerIdentity caller, string secret, Func<DateTimeOffset>? now = null) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var issuedAt = (now?.Invoke() ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        foreach (var header in GatewayHeaders.All) request.Headers.Remove(header);
        request.Headers.Add(GatewayHeaders.KeyId, caller.KeyId);
        request.Headers.Add(GatewayHeaders.Role, caller.Role);
        request.Headers.Add(GatewayHeaders.StoreId, caller.StoreId ?? "");
        request.Headers.Add(GatewayHeaders.IssuedAt, issuedAt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(GatewayHeaders.Signature,
            GatewayHeaders.Sign(secret, caller, issuedAt, request.Method.Method, request.RequestUri!.AbsolutePath));
        return base.SendAsync(request, cancellationToken);
    }
}
