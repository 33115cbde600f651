using Microsoft.Extensions.DependencyInjection;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary>Registers the <c>kubernetes</c> and <c>gke</c> providers and the router that picks a provider per claim.</summary>
internal static class CloudTargetsRegistration
{
    public static IServiceCollection AddCloudTargets(this IServiceCollection services, GcpOptions? gcp = null, KubeOptions? kube = null)
    {
        services.AddSingleton(gcp ?? GcpOptions.FromEnvironment());
        services.AddSingleton(kube ?? new KubeOptions());
        services.AddSingleton<GoogleCredentials>();
        services.AddSingleton(sp => new GoogleRestClient(
            new HttpClient { Timeout = TimeSpan.FromSeconds(60) }, sp.GetRequiredService<GoogleCredentials>(),
            sp.GetRequiredService<GcpOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<StorageClients>();
        services.AddSingleton<OperationWaiter>();
        services.AddSingleton<ClusterAccess>();
        services.AddSingleton<ClusterHandler>();
        services.AddSingleton<NodePoolHandler>();
        services.AddSingleton<BucketHandler>();
        services.AddSingleton<IdentityHandler>();
        services.AddSingleton<GkeTeardown>();
        services.AddSingleton<ICheckpointStore, GcsCheckpointStore>();
        services.AddSingleton<IStepProgress, HeartbeatProgress>();
        services.AddSingleton<SecretHandler>();
        services.AddSingleton<ConvertJobHandler>();
        services.AddSingleton<RunnerConvertHandler>();
        services.AddSingleton<RolloutWaiter>();
        services.AddSingleton<DeployHandler>();
        services.AddSingleton<TrafficHandler>();
        services.AddSingleton<CanaryAnalyzeHandler>();
        services.AddSingleton<KubernetesSteps>();
        services.AddSingleton<KubernetesProvider>();
        services.AddSingleton<GkeProvider>();
        services.AddSingleton<IStepExecutor, TargetRouter>();
        return services;
    }
}
