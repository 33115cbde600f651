using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Runner.Gke;
using Runner.Health;
using Runner.HuggingFace;
using Runner.Local;
using Runner.Telemetry;

namespace Runner.Agent;

/// <summary><c>runner run</c>: the agent as a generic host (SIGTERM/SIGINT start a graceful shutdown).</summary>
internal static class AgentHost
{
    public static IHost Build(RunnerOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        // The console log passes through the secret masker like every step log line.
        builder.Logging.AddConsole(o => o.FormatterName = MaskedConsoleFormatter.Name)
            .AddConsoleFormatter<MaskedConsoleFormatter, SimpleConsoleFormatterOptions>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownGrace + TimeSpan.FromSeconds(60));
        builder.Services.AddAgent(options);
        builder.Services.AddHubDownloads(options);
        builder.Services.AddSingleton<LocalProvider>();
        builder.Services.AddCloudTargets();
        builder.Services.AddRunnerTelemetry(options);
        builder.Services.AddSingleton(_ => new EngineProbe(EngineProbe.CreateClient()));
        builder.Services.AddSingleton<IHealthProbe, LocalHealthProbe>();
        builder.Services.AddSingleton<IHealthProbe, KubernetesHealthProbe>();
        builder.Services.AddSingleton<IHealthProbe, GkeHealthProbe>();
        builder.Services.AddSingleton<HealthWatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthWatcher>());
        builder.Services.AddSingleton<Autoscaling.LocalScaler>();
        builder.Services.AddHostedService<Autoscaling.LocalAutoscaler>();
        return builder.Build();
    }

    /// <summary>The listener and everything it needs; the step executor (the target's provider) is registered apart.</summary>
    public static IServiceCollection AddAgent(this IServiceCollection services, RunnerOptions options)
    {
        services.AddSingleton(options);
        // A test may register its own clock first.
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SecretMasker>();
        services.AddSingleton(sp => new OrchestratorClient(new HttpClient { BaseAddress = options.Server, Timeout = Timeout.InfiniteTimeSpan }, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<StepJob>();
        services.AddSingleton<Listener>();
        services.AddHostedService(sp => sp.GetRequiredService<Listener>());
        return services;
    }

    public static async Task<int> RunAsync(RunnerOptions options)
    {
        using var host = Build(options);
        await host.RunAsync();
        return Environment.ExitCode;
    }
}
