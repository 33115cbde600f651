using Google.Cloud.Storage.V1;

namespace Runner.Gke;

/// <summary>One <see cref="StorageClient"/> for the runner, built on first use with the configured base URI.</summary>
internal sealed class StorageClients(GoogleCredentials credentials, GcpOptions options)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private StorageClient? _client;

    public async Task<StorageClient> GetAsync(CancellationToken cancellationToken)
    {
        if (_client is { } built)
        {
            return built;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _client ??= await new StorageClientBuilder
            {
                BaseUri = options.Endpoints.Storage.ToString(),
                GoogleCredential = await credentials.GetAsync(cancellationToken),
            }.BuildAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }
}
