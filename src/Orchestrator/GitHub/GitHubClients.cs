using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Octokit;

namespace Orchestrator.GitHub;

/// <summary>
/// Octokit clients against <see cref="GitHubOptions.BaseUrl"/>, authenticated with the configured token or as the
/// GitHub App's installation. Installation tokens are cached per installation and replaced five minutes before they
/// expire (they last an hour), so a status never goes out with a token about to lapse. Thread safe.
/// </summary>
public sealed class GitHubClients(IOptions<GitHubOptions> options, TimeProvider time)
{
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);
    private static readonly ProductHeaderValue Product = new("model-orchestrator");
    private readonly ConcurrentDictionary<long, AccessToken> _tokens = new();

    /// <summary>A client for the repository's installation (<paramref name="installationId"/>, else the configured one).</summary>
    public async Task<IGitHubClient> ForInstallationAsync(long? installationId)
    {
        var o = options.Value;
        if (!o.UsesApp)
            return o.Token is { Length: > 0 } token ? Client(new Credentials(token))
                : throw new GitHubNotConfiguredException("No GitHub credentials: set GitHub:AppId and GitHub:AppPrivateKeyFile, or GitHub:TokenFile.");
        var id = installationId ?? o.InstallationId
            ?? throw new GitHubNotConfiguredException("The delivery names no App installation and neither the binding nor GitHub:InstallationId does.");
        return Client(new Credentials((await InstallationTokenAsync(id)).Token));
    }

    private async Task<AccessToken> InstallationTokenAsync(long installationId)
    {
        if (_tokens.TryGetValue(installationId, out var cached) && cached.ExpiresAt - time.GetUtcNow() > RefreshBefore) return cached;
        var o = options.Value;
        var app = Client(new Credentials(AppJwt.Create(o.AppId!.Value, o.AppPrivateKey!, time.GetUtcNow()), AuthenticationType.Bearer));
        var fresh = await app.GitHubApps.CreateInstallationToken(installationId);
        _tokens[installationId] = fresh;
        return fresh;
    }

    private GitHubClient Client(Credentials credentials)
    {
        var client = new GitHubClient(Product, options.Value.BaseUrl) { Credentials = credentials };
        client.SetRequestTimeout(TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds));
        return client;
    }
}
