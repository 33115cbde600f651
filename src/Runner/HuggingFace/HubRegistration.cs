using Microsoft.Extensions.DependencyInjection;
using Runner.Agent;

namespace Runner.HuggingFace;

/// <summary>Registers <see cref="HubDownload"/> and its client for the runner's Hub endpoint.</summary>
internal static class HubRegistration
{
    public static IServiceCollection AddHubDownloads(this IServiceCollection services, RunnerOptions options)
    {
        services.AddSingleton(_ => new HubClient(HubClient.CreateHttpClient(), options.HuggingFaceEndpoint));
        services.AddSingleton<HubDownload>();
        return services;
    }
}
