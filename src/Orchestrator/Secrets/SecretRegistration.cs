namespace Orchestrator.Secrets;

public static class SecretRegistration
{
    /// <summary>The secret store; needs Data Protection's shared key ring (<c>AddSharedKeyRing</c>).</summary>
    public static IServiceCollection AddSecrets(this IServiceCollection services)
    {
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<SecretStore>();
        services.AddSingleton<StepSecrets>();
        return services;
    }
}
