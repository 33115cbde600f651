using System.Net.Http.Headers;
using k8s.Authentication;

namespace Runner.Gke;

/// <summary>The bearer token of each request to a GKE cluster's API server, asked of the runner's Google credentials
/// (which cache it and refresh it before it expires): a step that outlasts one access token, such as a background
/// analysis, goes on with the next.</summary>
internal sealed class GoogleTokenProvider(GoogleCredentials credentials) : ITokenProvider
{
    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken) =>
        new("Bearer", await credentials.AccessTokenAsync(cancellationToken));
}
