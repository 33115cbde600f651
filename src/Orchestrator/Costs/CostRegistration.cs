using Microsoft.Extensions.Options;

namespace Orchestrator.Costs;

/// <summary>The price table and the estimator that <c>plan</c> uses.</summary>
public static class CostRegistration
{
    public static IServiceCollection AddCosts(this IServiceCollection services)
    {
        services.AddOptions<CostOptions>().BindConfiguration(CostOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CostOptions>, CostOptionsValidation>();
        services.AddSingleton<CostEstimator>();
        return services;
    }
}
