using Scalar.AspNetCore;
using Vendor.ServiceDefaults;

namespace Vendor.Gateway.StoreApi;

/// <summary>
/// What a client store's engineer reads without a key: the published OpenAPI document, its reference page (Scalar, served from the
/// gateway itself: no CDN), and the problem types every error names.
/// </summary>
public static class StoreApiModule
{
    public const string Prefix = "/api/store";
    public const string DocumentPath = Prefix + "/openapi.json";
    public const string DocsPath = Prefix + "/docs";
    public const string ProblemsPath = Prefix + "/problems";

    /// <summary>The routes under /api that need no key.</summary>
    public static bool IsPublic(PathString path) =>
        path.Equals(DocumentPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments(DocsPath, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(ProblemsPath, StringComparison.OrdinalIgnoreCase);

    public static void AddStoreApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PublishedDocument>();
        // A service that does not answer within the timeout (retries included) makes the document a 502, not a hung request.
        var timeout = builder.Configuration.GetValue("Gateway:StoreDocument:TimeoutSeconds", 10.0);
        builder.Services.AddHttpClient(nameof(PublishedDocument), c => c.Timeout = TimeSpan.FromSeconds(timeout));
    }

    public static void MapStoreApi(this WebApplication app)
    {
        app.MapGet(DocumentPath, async Task<IResult> (PublishedDocument document, CancellationToken ct) =>
            {
                try
                {
                    return Results.Text(await document.GetAsync(ct), "application/json; charset=utf-8");
                }
                catch (StoreDocumentConflict conflict)
                {
                    return Problems.Result(StatusCodes.Status500InternalServerError, "Internal error",
                        $"The services publish conflicting store documents: {conflict.Message}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException
                                              or System.Text.Json.JsonException && !ct.IsCancellationRequested)
                {
                    return Problems.Result(StatusCodes.Status502BadGateway, "Bad gateway", "A service did not give its store document; retry later.");
                }
            })
            .ExcludeFromDescription();

        app.MapGet(ProblemsPath, () => TypedResults.Ok(ProblemCatalogue.All)).ExcludeFromDescription();
        app.MapGet(ProblemsPath + "/{code}", (string code) => ProblemCatalogue.Find(code) is { } problem
                ? TypedResults.Ok(problem)
                : Problems.NotFound($"No problem type '{code}'; GET {ProblemsPath} lists them all."))
            .ExcludeFromDescription();

        // A store's engineer reads it in their own browser: no telemetry or AI chat calling out to Scalar's servers, no promotion
        // toolbar or "deploy" flag; only the reference and its request client.
        app.MapScalarApiReference(DocsPath, o =>
            {
                o.WithTitle("Vendor store API / 店铺 API")
                    .WithOpenApiRoutePattern(DocumentPath)
                    .AddDocument("store", "Vendor store API / 店铺 API")
                    .DisableDefaultFonts()
                    .WithDotNetFlag(false);
                o.Telemetry = false;
                o.ShowDeveloperTools = DeveloperToolsVisibility.Never;
                o.Agent = new ScalarAgentOptions { Disabled = true };
            })
            .ExcludeFromDescription();
    }
}
