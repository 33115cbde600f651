using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace Orchestrator.Telemetry;

/// <summary><c>/metrics</c> (Prometheus) and OpenTelemetry traces over OTLP when an endpoint is configured.</summary>
public static class TelemetryRegistration
{
    public const string ServiceName = "orchestrator";

    public static IServiceCollection AddOrchestratorTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OrchestratorMetrics>();
        services.AddSingleton<StepTelemetry>();
        services.AddSingleton<DatabaseGauges>();

        var configured = configuration[$"{TelemetryOptions.Section}:{nameof(TelemetryOptions.OtlpEndpoint)}"];
        // Off means off: without an endpoint no tracer provider exists, nothing listens, and no span is even built.
        if (string.IsNullOrEmpty(configured) && string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(OrchestratorTracing.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                // The standard OTEL_EXPORTER_OTLP_* variables are read by the exporter itself.
                .AddOtlpExporter(o =>
                {
                    if (!string.IsNullOrEmpty(configured)) o.Endpoint = new Uri(configured);
                }));
        return services;
    }

    public static void MapOrchestratorMetrics(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Metrics) return;
        var metrics = app.Services.GetRequiredService<OrchestratorMetrics>();
        // Resolved at the first scrape: building the host must not need the database (see ServerHost.StartAsync).
        metrics.Registry.AddBeforeCollectCallback(cancellationToken => app.Services.GetRequiredService<DatabaseGauges>().CollectAsync(cancellationToken));
        // Unauthenticated, as Prometheus scrapes are; it shows counts and environment names only (see the README).
        app.MapMetrics("/metrics", metrics.Registry).AllowAnonymous().ExcludeFromDescription();
    }
}
