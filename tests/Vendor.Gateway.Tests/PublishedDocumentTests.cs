using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vendor.Gateway.StoreApi;

namespace Vendor.Gateway.Tests;

/// <summary>The published document while a service is down: the last good one is served, and fetched again only after a pause.</summary>
public class PublishedDocumentTests
{
    private sealed class Services : HttpMessageHandler, IHttpClientFactory
    {
        public bool Down { get; set; }
        public int Fetches { get; private set; }

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Fetches++;
            if (Down) throw new HttpRequestException("Connection refused");
            var service = request.RequestUri!.Port == 5101 ? "agreements" : "quality";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("{\"openapi\":\"3.1.1\",\"info\":{\"title\":\"t\",\"version\":\"v1\"},\"paths\":{\"/api/" + service +
                    "/x\":{\"get\":{\"operationId\":\"" + service + "X\",\"responses\":{\"200\":{\"description\":\"ok\"}}}}}}"),
            });
        }
    }

    [Fact]
    public async Task A_service_that_goes_down_leaves_the_last_good_document_served_and_refetched_only_after_a_pause()
    {
        var services = new Services();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:agreements:Destinations:primary:Address"] = "http://127.0.0.1:5101/",
            ["ReverseProxy:Clusters:quality:Destinations:primary:Address"] = "http://127.0.0.1:5103/",
        }).Build();
        var published = new PublishedDocument(services, configuration, clock, NullLogger<PublishedDocument>.Instance);

        var good = await published.GetAsync(default);
        Assert.Contains("/api/agreements/x", good);
        Assert.Contains("/api/quality/x", good);

        services.Down = true;
        clock.Advance(PublishedDocument.CacheFor + TimeSpan.FromSeconds(1));
        Assert.Equal(good, await published.GetAsync(default));
        var fetches = services.Fetches;
        Assert.Equal(good, await published.GetAsync(default)); // within the pause: no fetch at all
        Assert.Equal(fetches, services.Fetches);

        services.Down = false;
        clock.Advance(PublishedDocument.RetryAfterFailure);
        Assert.Equal(good, await published.GetAsync(default));
        Assert.True(services.Fetches > fetches, "fetched again after the pause");
    }
}
