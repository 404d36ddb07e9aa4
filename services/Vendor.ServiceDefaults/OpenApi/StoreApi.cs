using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Vendor.ServiceDefaults.OpenApi;

/// <summary>A request or response type with a realistic example, shown in the published document (next to the type).</summary>
public interface IExample<out TSelf>
{
    static abstract TSelf Example { get; }
}

/// <summary>Marks an endpoint a <c>store</c> or <c>ingest</c> key may call: it is published in the <c>store</c> document.</summary>
public sealed class StoreFacingMetadata
{
    public static readonly StoreFacingMetadata Instance = new();
}

/// <summary>Description and example of one parameter of an endpoint.</summary>
public sealed record ParameterDoc(string Name, string Description, string Example);

/// <summary>A header of an endpoint's answer with the given status (ETag, ...).</summary>
public sealed record ResponseHeaderDoc(int Status, string Name, string Description, string Example);

/// <summary>The problem codes an endpoint may answer with a status (beyond the status's default code).</summary>
public sealed record ProblemCodesDoc(int Status, IReadOnlyList<string> Codes);

/// <summary>A tag's bilingual description, declared where the tag's endpoints are mapped.</summary>
public sealed record TagDoc(string Name, string Description);

/// <summary>An example of a non-JSON answer (CSV).</summary>
public sealed record ContentExampleDoc(int Status, string ContentType, string Example);

/// <summary>
/// The store-facing API document ("store"): every endpoint marked <see cref="StoreFacing{TBuilder}"/>, with the house conventions
/// (bilingual text, examples, the gateway-level answers) added by small generic transformers.
/// </summary>
public static class StoreApi
{
    public const string DocumentName = "store";
    public const string ApiKeyScheme = "ApiKey";
    public const string ProblemSchema = "ProblemDetails";
    public const string ValidationProblemSchema = "HttpValidationProblemDetails";
    public const string StoreIdExample = "hz-tea-flagship";

    public static IServiceCollection AddStoreOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = d => IsStoreFacing(d.ActionDescriptor.EndpointMetadata);
            o.AddOperationTransformer(StoreOperations.TransformAsync);
            o.AddDocumentTransformer(StoreDocument.TransformAsync);
        });

    /// <summary>GET /openapi/store.json (what MapOpenApi serves in Development), for the gateway to merge.</summary>
    public static void MapStoreDocument(this IEndpointRouteBuilder app) =>
        app.MapGet($"/openapi/{DocumentName}.json", async (HttpContext http) =>
            {
                var provider = http.RequestServices.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
                var document = await provider.GetOpenApiDocumentAsync(http.RequestAborted);
                await using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
                document.SerializeAsV31(new OpenApiJsonWriter(text));
                return Results.Text(text.ToString(), "application/json; charset=utf-8");
            })
            .ExcludeFromDescription();

    /// <summary>
    /// Published in the store document: marked <see cref="StoreFacing{TBuilder}"/>, or callable by a store or ingest key
    /// (<see cref="CallerAuthorization.RequireCaller{TBuilder}"/>, the most specific one), so a new store route is never left out.
    /// </summary>
    public static bool IsStoreFacing(IEnumerable<object> metadata)
    {
        var list = metadata as IList<object> ?? metadata.ToList();
        return list.OfType<StoreFacingMetadata>().Any()
               || list.OfType<CallerRoles>().LastOrDefault() is { } roles && roles.Roles.Any(r => r is Roles.Store or Roles.Ingest);
    }

    /// <summary>Published in the store document (also implied by RequireCaller with a store or ingest role).</summary>
    public static TBuilder StoreFacing<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(StoreFacingMetadata.Instance);

    /// <summary>The <c>{storeId}</c> every store route has, described once.</summary>
    internal static readonly ParameterDoc StoreIdParameter =
        new("storeId", "店铺 ID：必须是 API 密钥所绑定的店铺。 / The store's id: it must be the store the API key is bound to.", StoreIdExample);

    public static TBuilder Parameter<TBuilder>(this TBuilder builder, string name, string description, string example)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ParameterDoc(name, description, example));

    public static TBuilder ResponseHeader<TBuilder>(this TBuilder builder, int status, string name, string description, string example)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ResponseHeaderDoc(status, name, description, example));

    /// <summary>The answer <paramref name="status"/> as problem+json, with the specific codes a client may see with it.</summary>
    public static TBuilder Problem<TBuilder>(this TBuilder builder, int status, params string[] codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemCodesDoc(status, codes)).ProducesProblem(status);

    public static TBuilder ContentExample<TBuilder>(this TBuilder builder, int status, string contentType, string example)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new ContentExampleDoc(status, contentType, example));

    /// <summary>Tags the endpoint and gives the tag its bilingual description in the store document.</summary>
    public static TBuilder StoreTag<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder => builder.WithTags(name).WithMetadata(new TagDoc(name, description));

    /// <summary>The example of <paramref name="type"/> (or of its element type, as a one-element list), or null.</summary>
    internal static object? ExampleOf(Type? type)
    {
        if (type is null || type == typeof(string)) return null;
        if (StaticExample(type) is { } example) return example;
        var element = type.IsArray ? type.GetElementType()
            : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                ?.GetGenericArguments()[0];
        return element is not null && StaticExample(element) is { } item ? new[] { item } : null;
    }

    private static object? StaticExample(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IExample<>))
            ? type.GetProperty("Example", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            : null;

    internal static IEnumerable<T> Metadata<T>(this OpenApiOperationTransformerContext context) =>
        context.Description.ActionDescriptor.EndpointMetadata.OfType<T>();
}
