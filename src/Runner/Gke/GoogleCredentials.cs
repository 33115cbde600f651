using Google.Apis.Auth.OAuth2;

namespace Runner.Gke;

/// <summary>Application Default Credentials scoped to <c>cloud-platform</c>, loaded once and shared: the library caches
/// and refreshes the access token.</summary>
internal sealed class GoogleCredentials(GcpOptions options)
{
    private const string Scope = "https://www.googleapis.com/auth/cloud-platform";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private GoogleCredential? _credential;

    public async Task<GoogleCredential> GetAsync(CancellationToken cancellationToken)
    {
        if (_credential is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            _credential ??= (options.CredentialFile is { } file
                    ? CredentialFactory.FromFile<ServiceAccountCredential>(file).ToGoogleCredential()
                    : await GoogleCredential.GetApplicationDefaultAsync(cancellationToken))
                .CreateScoped(Scope);
            return _credential;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string> AccessTokenAsync(CancellationToken cancellationToken)
    {
        var credential = await GetAsync(cancellationToken);
        return await credential.UnderlyingCredential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
    }
}
