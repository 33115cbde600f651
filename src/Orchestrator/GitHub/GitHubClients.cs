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
    private readonly ConcurrentDictionary<long, (AccessToken Token, GitHubClient Client)> _installations = new();
    private GitHubClient? _tokenClient;

    /// <summary>A client for the repository's installation (<paramref name="installationId"/>, else the configured one).</summary>
    public async Task<IGitHubClient> ForInstallationAsync(long? installationId)
    {
        var o = options.Value;
        if (!o.UsesApp)
            return o.Token is { Length: > 0 } token ? _tokenClient ??= Client(new Credentials(token))
                : throw new GitHubNotConfiguredException("No GitHub credentials: set GitHub:AppId and GitHub:AppPrivateKeyFile, or GitHub:TokenFile.");
        var id = installationId ?? o.InstallationId
            ?? throw new GitHubNotConfiguredException("The delivery names no App installation and neither the binding nor GitHub:InstallationId does.");
        // Each client keeps its own HttpClient: one per installation token, not one per call.
        if (_installations.TryGetValue(id, out var cached) && cached.Token.ExpiresAt - time.GetUtcNow() > RefreshBefore) return cached.Client;
        var app = Client(new Credentials(AppJwt.Create(o.AppId!.Value, o.AppPrivateKey!, time.GetUtcNow()), AuthenticationType.Bearer));
        var fresh = await app.GitHubApps.CreateInstallationToken(id);
        var client = Client(new Credentials(fresh.Token));
        _installations[id] = (fresh, client);
        return client;
    }

    private GitHubClient Client(Credentials credentials)
    {
        var client = new GitHubClient(Product, options.Value.BaseUrl) { Credentials = credentials };
        client.SetRequestTimeout(TimeSpan.FromSeconds(options.Value.RequestTimeoutSeconds));
        return client;
    }
}
