using System.Globalization;

namespace CloudTargets.Kubernetes;

/// <summary>
/// How long the engine may take to start before Kubernetes restarts it: the startup probe's
/// <c>failureThreshold × periodSeconds</c>, derived from the checkpoint's size instead of a constant. The weights
/// stream through Cloud Storage FUSE at an assumed <see cref="BucketBytesPerSecond"/> (200 MB/s, what one TPU v5e host
/// reads a single large object at with the file cache's parallel downloads; a conservative figure); a server that
/// downloads from Hugging Face itself (<c>model.load: server</c>) first fetches at <see cref="HuggingFaceBytesPerSecond"/>.
/// The estimate is doubled (<see cref="Margin"/>) for compilation and warm-up, and never below <see cref="Floor"/>.
/// </summary>
public sealed record LoadBudget(long Bytes, string Source, bool Download)
{
    public const long BucketBytesPerSecond = 200_000_000;
    public const long HuggingFaceBytesPerSecond = 50_000_000;
    public const double Margin = 2.0;
    public const int PeriodSeconds = 10;
    public static readonly TimeSpan Floor = TimeSpan.FromMinutes(10);

    /// <summary>The checkpoint's size as the conversion marker recorded it, else the model's estimate.</summary>
    public static LoadBudget For(ModelLayout model, long? markedBytes)
    {
        ArgumentNullException.ThrowIfNull(model);
        var download = model.ServerDownloads;
        return markedBytes is { } bytes && !download
            ? new LoadBudget(bytes, "the conversion marker", download)
            : new LoadBudget(model.EstimatedCheckpointBytes, "the model's parameter count", download);
    }

    public TimeSpan Expected => TimeSpan.FromSeconds(
        (double)Bytes / BucketBytesPerSecond + (Download ? (double)Bytes / HuggingFaceBytesPerSecond : 0));

    public TimeSpan Allowed => TimeSpan.FromSeconds(Math.Max(Floor.TotalSeconds, Expected.TotalSeconds * Margin));

    public int StartupFailureThreshold => (int)Math.Ceiling(Allowed.TotalSeconds / PeriodSeconds);

    /// <summary>What the plan preview and the Deployment's annotation say.</summary>
    public string Describe()
    {
        var gigabytes = (Bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture);
        var rates = Download
            ? $"{HuggingFaceBytesPerSecond / 1_000_000} MB/s from Hugging Face then {BucketBytesPerSecond / 1_000_000} MB/s"
            : $"{BucketBytesPerSecond / 1_000_000} MB/s";
        return $"startup probe {StartupFailureThreshold} x {PeriodSeconds}s = {(int)Allowed.TotalMinutes} min: {gigabytes} GB (from {Source}) " +
            $"at {rates}, x{Margin.ToString(CultureInfo.InvariantCulture)}, at least {(int)Floor.TotalMinutes} min";
    }
}
