using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EngineImage.Serving.Telemetry;

/// <summary>
/// ASP.NET Core spans for the engine's requests, exported over OTLP, only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
/// (the runner passes its environment on to the replicas it starts). The engine is latency-sensitive: without it no
/// tracer provider exists and nothing listens, so not even an activity is built per request. With it, a request that
/// carries a traceparent (the runner's probes, the front) joins the caller's trace.
/// </summary>
public static class EngineTracing
{
    public const string ServiceName = "engine";

    public static IServiceCollection AddEngineTracing(this IServiceCollection services, string? otlpEndpoint)
    {
        if (string.IsNullOrEmpty(otlpEndpoint)) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(tracing => tracing
                // The health checks come every second from every watcher; they are not worth a trace each.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(new PathString("/healthcheck"))
                                                                          && !context.Request.Path.StartsWithSegments(new PathString("/metrics")))
                .AddOtlpExporter());
        return services;
    }
}
