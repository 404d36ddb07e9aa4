using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Weasel.Core;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Scalar.AspNetCore;
using Vendor.ServiceDefaults.OpenApi;

namespace Vendor.ServiceDefaults;

/// <summary>What differs between services; everything else is the same for all of them.</summary>
public sealed record ServiceSetup(string Name, string Schema)
{
    /// <summary>Event mappings, projections and documents of the service.</summary>
    public Action<StoreOptions>? Marten { get; init; }

    /// <summary>Consumers of integration events. Null: the process does not use the bus.</summary>
    public Action<IBusRegistrationConfigurator>? Consumers { get; init; }

    /// <summary>Which committed domain events become integration events. Null: nothing is published.</summary>
    public IntegrationEventMap? Outbox { get; init; }
}

public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, ServiceSetup setup)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
            Problems.Stamp(c.ProblemDetails, c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode));
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
        });
        services.AddOpenApi();
        services.AddStoreOpenApi();
        // Outgoing HTTP (alert webhooks, later) retries with back-off and breaks circuits.
        services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        builder.AddTelemetry(setup.Name);

        var postgres = config.ConnectionString("Postgres");
        services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddNpgSql(postgres, name: "postgres", tags: ["ready"])
            .AddCheck<ShutdownDrain>("drain", tags: ["ready"]);
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        // Periodic loops (sweeps, timers) run on one replica at a time: see LeaderLease.
        var leases = config.GetSection("Vendor:Leases").Get<LeaseSettings>() ?? new LeaseSettings();
        services.AddSingleton(sp => new LeaderLeases(postgres, leases, sp.GetService<ILoggerFactory>()));

        builder.AddEventStore(setup, postgres);
        // The build's OpenAPI generator starts the host (without a server) only to read the documents: no bus, no database.
        if (GeneratingDocuments)
        {
            services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
            return builder;
        }
        if (setup.Consumers is not null || setup.Outbox is not null) builder.AddBus(setup);
        return builder;
    }

    private static void AddEventStore(this WebApplicationBuilder builder, ServiceSetup setup, string postgres)
    {
        var marten = builder.Services.AddMarten(options =>
            {
                options.Connection(postgres);
                options.DatabaseSchemaName = setup.Schema;
                options.AutoCreateSchemaObjects = AutoCreate.None;
                options.Events.StreamIdentity = StreamIdentity.AsString;
                // Chinese text stays UTF-8 in jsonb: the default encoder writes each character as \uXXXX, which costs both
                // sides (escaping here, json_lex in PostgreSQL) and doubles the text's size.
                options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase,
                    configure: o => o.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
                options.Schema.For<ProcessedMessage>().Identity(m => m.Id);
                options.Projections.LeadershipPollingTime = 1000;
                TraceContext.Configure(options);
                setup.Marten?.Invoke(options);
            })
            .UseLightweightSessions();
        if (GeneratingDocuments) return;
        marten.ApplyAllDatabaseChangesOnStartup();

        if (setup.Outbox is null) return;
        builder.Services.AddSingleton(setup.Outbox);
        marten.AddSubscriptionWithServices<OutboxPublisher>(ServiceLifetime.Scoped);
        // Tests stop the publisher between commit and publish with Vendor:Outbox:Daemon=Disabled.
        var mode = builder.Configuration["Vendor:Outbox:Daemon"] is "Disabled" ? DaemonMode.Disabled : DaemonMode.HotCold;
        marten.AddAsyncDaemon(mode);
    }

    private static void AddBus(this WebApplicationBuilder builder, ServiceSetup setup)
    {
        var rabbit = new Uri(builder.Configuration.ConnectionString("RabbitMq"));
        // A prefix isolates one installation (or one test run) from another on the same broker.
        var prefix = builder.Configuration["Vendor:BusPrefix"] is { Length: > 0 } p ? p : null;

        builder.Services.AddMassTransit(bus =>
        {
            // It would report to usage-tracking.masstransit.io: no outside calls from here (and none reachable on this network).
            bus.DisableUsageTelemetry();
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(
                prefix is null ? setup.Name : $"{prefix}-{setup.Name}", includeNamespace: false));
            bus.ConfigureHealthCheckOptions(o =>
            {
                o.Name = "rabbitmq";
                o.Tags.Add("ready");
            });
            setup.Consumers?.Invoke(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit);
                // Messages carry customers' Chinese text: as UTF-8, not \uXXXX escapes (smaller, cheaper to write and read).
                // MassTransit's defaults indent what they write and skip comments when reading: a 500-conversation message was 384 KB
                // instead of 251 KB, and the reader takes a slower path when it must look for comments. Nothing here writes comments,
                // and an indented message reads the same, so old messages still in a queue are read as before.
                cfg.ConfigureJsonSerializerOptions(o =>
                {
                    o.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
                    o.WriteIndented = false;
                    o.ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow;
                    return o;
                });
                if (prefix is not null)
                    cfg.MessageTopology.SetEntityNameFormatter(
                        new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, $"{prefix}."));
                // Redelivery: RabbitMQ from Debian has no delayed-exchange plugin, so the second, slower
                // stage is in-process; what still fails lands in the endpoint's _error queue (./vendor replay-errors).
                // Vendor:Bus:Redelivery (e.g. "00:00:05,00:00:30,00:02:00") shortens it for tests of the error queues.
                cfg.UseMessageRetry(r => r.Intervals(RedeliveryIntervals(builder.Configuration)));
                cfg.UseMessageRetry(r => r.Incremental(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400)));
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
    }

    private static TimeSpan[] RedeliveryIntervals(IConfiguration configuration) =>
        configuration["Vendor:Bus:Redelivery"] is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(t => TimeSpan.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)];

    private static void AddTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Logging.AddOpenTelemetry(l =>
        {
            l.IncludeFormattedMessage = true;
            l.IncludeScopes = true;
        });
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"vendor-{serviceName}"))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit", "Marten", "Npgsql", VendorMetrics.MeterName));
        // Traces only when there is somewhere to send them: recording an activity for every SQL command and message
        // costs the ingestion hot path measurable CPU for nothing.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) return;
        otel.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("MassTransit", "Marten", TraceContext.Source.Name))
            .UseOtlpExporter();
    }

    /// <summary>Health, problem details, OpenAPI and the gateway-caller check, in the order they must run.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app, bool requireGatewayCallers = true)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            // MassTransit reports an unreachable broker as Degraded: not ready.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }
        // The store document in every environment: the gateway merges it into the published /api/store/openapi.json.
        else app.MapStoreDocument();
        if (requireGatewayCallers) app.UseGatewayCallers();
        return app;
    }

    public static string ConnectionString(this IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value ? value
        // The build writes the OpenAPI documents by building the host without starting it: nothing connects anywhere.
        : GeneratingDocuments ? (name == "RabbitMq" ? "amqp://localhost/" : "Host=localhost")
        : throw new InvalidOperationException(
            $"ConnectionStrings:{name} (env ConnectionStrings__{name}) is not set; ./vendor up sets it.");

    /// <summary>True while the build's OpenAPI generator (GetDocument.Insider) builds the host to read its documents.</summary>
    public static bool GeneratingDocuments =>
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";
}
