using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Runner.Agent;

namespace Runner.Telemetry;

/// <summary>The runner's metrics endpoint (with <c>--metrics-port</c>) and traces over OTLP (with
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); each is absent, not merely idle, without its setting.</summary>
internal static class TelemetryRegistration
{
    public const string ServiceName = "runner";

    /// <summary>Call after the step executor is registered: it is wrapped by <see cref="ObservedStepExecutor"/>.</summary>
    public static IServiceCollection AddRunnerTelemetry(this IServiceCollection services, RunnerOptions options)
    {
        var executor = services.LastOrDefault(d => d.ServiceType == typeof(IStepExecutor))
            ?? throw new InvalidOperationException("Register the step executor before the telemetry that wraps it.");
        services.Remove(executor);
        services.AddSingleton<IStepExecutor>(sp => new ObservedStepExecutor(Inner(sp, executor), sp.GetRequiredService<TimeProvider>()));

        if (options.MetricsPort is { } port) services.AddHostedService(_ => new MetricsServer(port));

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(RunnerTracing.SourceName)
                // Only calls made while a step works (inside its span): the long polls and heartbeats would each start a
                // trace of their own, all day long.
                .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = _ => Activity.Current?.Source.Name == RunnerTracing.SourceName
                                                                                    || Activity.Current?.Parent is not null)
                .AddOtlpExporter());
        return services;
    }

    private static IStepExecutor Inner(IServiceProvider services, ServiceDescriptor descriptor) => descriptor switch
    {
        { ImplementationInstance: IStepExecutor instance } => instance,
        { ImplementationFactory: { } factory } => (IStepExecutor)factory(services),
        { ImplementationType: { } type } => (IStepExecutor)ActivatorUtilities.CreateInstance(services, type),
        _ => throw new InvalidOperationException("The step executor's registration cannot be wrapped."),
    };
}
