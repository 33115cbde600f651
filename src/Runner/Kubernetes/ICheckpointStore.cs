namespace Runner.Kubernetes;

/// <summary>Tells whether the converted checkpoint is already in the bucket (then conversion is skipped).</summary>
internal interface ICheckpointStore
{
    /// <returns>True when every object exists and is not empty.</returns>
    Task<bool> ExistsAsync(string bucket, IReadOnlyList<string> objects, CancellationToken cancellationToken);
}
