using CloudTargets.Google;

namespace Runner.Gke;

/// <summary>How the runner reaches Google Cloud. Credentials are Application Default Credentials (a key file named by
/// <c>GOOGLE_APPLICATION_CREDENTIALS</c> or <see cref="CredentialFile"/>, <c>gcloud</c> user credentials, or the metadata
/// server / Workload Identity); endpoints are configurable (<c>RUNNER_GKE_ENDPOINT</c>, <c>RUNNER_IAM_ENDPOINT</c>,
/// <c>RUNNER_RESOURCEMANAGER_ENDPOINT</c>, <c>RUNNER_STORAGE_ENDPOINT</c>).</summary>
internal sealed record GcpOptions
{
    public GoogleEndpoints Endpoints { get; init; } = GoogleEndpoints.Public;
    public string? CredentialFile { get; init; }
    /// <summary>First backoff for 429/503/504 and "another operation is running"; doubles with full jitter.</summary>
    public TimeSpan RetryBase { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxRetries { get; init; } = 8;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How long a freshly created service account may stay invisible (IAM is eventually consistent).</summary>
    public TimeSpan VisibilityWait { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Chunk size of the runner's resumable uploads to Cloud Storage (a multiple of 256 KiB): what a dropped
    /// connection resends (<c>RUNNER_GCS_UPLOAD_CHUNK_MB</c>, default 16).</summary>
    public int UploadChunkBytes { get; init; } = 16 << 20;

    public static GcpOptions FromEnvironment()
    {
        static Uri Endpoint(string variable, Uri fallback) =>
            Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? new Uri(value.EndsWith('/') ? value : value + "/") : fallback;
        var defaults = GoogleEndpoints.Public;
        return new GcpOptions
        {
            Endpoints = new GoogleEndpoints
            {
                Container = Endpoint("RUNNER_GKE_ENDPOINT", defaults.Container),
                Iam = Endpoint("RUNNER_IAM_ENDPOINT", defaults.Iam),
                ResourceManager = Endpoint("RUNNER_RESOURCEMANAGER_ENDPOINT", defaults.ResourceManager),
                Storage = Endpoint("RUNNER_STORAGE_ENDPOINT", defaults.Storage),
            },
            CredentialFile = Environment.GetEnvironmentVariable("RUNNER_GCP_CREDENTIALS") is { Length: > 0 } file ? file : null,
            UploadChunkBytes = int.TryParse(Environment.GetEnvironmentVariable("RUNNER_GCS_UPLOAD_CHUNK_MB"), out var mb) && mb is > 0 and <= 1024
                ? mb << 20
                : 16 << 20,
        };
    }
}
