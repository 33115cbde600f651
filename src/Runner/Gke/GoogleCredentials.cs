using Google.Apis.Auth.OAuth2;

namespace Runner.Gke;

/// <summary>Application Default Credentials scoped to <c>cloud-platform</c>, loaded once and shared: the library caches
/// and refreshes the access token. A credential that cannot be loaded, or that yields no access token, is a
/// <see cref="GoogleCredentialsException"/> naming where the credentials were to come from.</summary>
internal sealed class GoogleCredentials(GcpOptions options)
{
    private const string Scope = "https://www.googleapis.com/auth/cloud-platform";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private GoogleCredential? _credential;

    /// <summary>Where the credentials come from, in words (for messages; never a secret).</summary>
    public string Source => options.CredentialFile is { } file
        ? $"the service account key file {file} (RUNNER_GCP_CREDENTIALS)"
        : Environment.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS") is { Length: > 0 } adc
            ? $"Application Default Credentials from {adc} (GOOGLE_APPLICATION_CREDENTIALS)"
            : "Application Default Credentials (gcloud user credentials or the metadata server)";

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
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new GoogleCredentialsException($"cannot load the Google Cloud credentials from {Source}: {e.Message}", e);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string> AccessTokenAsync(CancellationToken cancellationToken)
    {
        var credential = await GetAsync(cancellationToken);
        try
        {
            return await credential.UnderlyingCredential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new GoogleCredentialsException($"cannot obtain an access token from {Source}: {e.Message}", e);
        }
    }
}

/// <summary>The credentials could not be loaded or yielded no access token: a step failure, not something to retry.</summary>
internal sealed class GoogleCredentialsException(string message, Exception inner) : Exception(message, inner);
