using Contracts.Specs;
namespace Orchestrator.GitHub;

/// <summary>Releases in (receiver, bindings, delivery processor) and deployment statuses out.</summary>
public static class GitHubRegistration
{
    public static IServiceCollection AddGitHub(this IServiceCollection services)
    {
        services.AddOptions<GitHubOptions>().BindConfiguration(GitHubOptions.Section).PostConfigure(GitHubOptions.LoadFiles)
            .ValidateDataAnnotations()
            .Validate(o => !SecretReference.IsSecret(o.WebhookSecret) || SecretReference.IsValidName(SecretReference.NameOf(o.WebhookSecret!)),
                $"{GitHubOptions.Section}:WebhookSecret: a secret:// reference must name a secret by {SecretReference.NameRule}.")
            .ValidateOnStart();
        services.AddSingleton<GitHubClients>();
        services.AddSingleton<BindingStore>();
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton<ReleaseRuns>();
        services.AddSingleton<ReleaseRollback>();
        services.AddSingleton<DeliveryProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryProcessor>());
        services.AddSingleton<DeliveryWrites>();
        services.AddSingleton<DeliveryRecorder>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<StatusSender>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusSender>());
        return services;
    }
}
