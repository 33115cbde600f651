namespace CloudTargets.Google;

/// <summary>Base URIs of the Google Cloud APIs (each ending in <c>/</c>). Configurable so that tests can point the real
/// client code at in-process fakes; the defaults are the public endpoints.</summary>
public sealed record GoogleEndpoints
{
    public Uri Container { get; init; } = new("https://container.googleapis.com/");
    public Uri Iam { get; init; } = new("https://iam.googleapis.com/");
    public Uri ResourceManager { get; init; } = new("https://cloudresourcemanager.googleapis.com/");
    /// <summary>Cloud Storage JSON API root, as <c>Google.Cloud.Storage.V1</c> takes it (<c>…/storage/v1/</c>).</summary>
    public Uri Storage { get; init; } = new("https://storage.googleapis.com/storage/v1/");

    public static GoogleEndpoints Public { get; } = new();
}
