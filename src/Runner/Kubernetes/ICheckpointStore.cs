using CloudTargets.Kubernetes;

namespace Runner.Kubernetes;

/// <summary>Tells whether the converted checkpoint in the bucket is the one a finished conversion left (then conversion
/// is skipped), and records a finished conversion.</summary>
internal interface ICheckpointStore
{
    /// <returns>Null when the conversion marker exists and every object it lists still has its crc32c and size;
    /// otherwise why the checkpoint must be converted (again).</returns>
    Task<string?> StaleReasonAsync(string bucket, ModelLayout model, CancellationToken cancellationToken);

    /// <returns>The converted checkpoint's size in bytes as the conversion marker recorded it (every object beside the
    /// marker); null without a marker.</returns>
    Task<long?> CheckpointBytesAsync(string bucket, ModelLayout model, CancellationToken cancellationToken);

    /// <summary>Writes the marker beside the converted files with each object's checksums as Cloud Storage reports them.</summary>
    Task RecordAsync(string bucket, ModelLayout model, CancellationToken cancellationToken);
}
