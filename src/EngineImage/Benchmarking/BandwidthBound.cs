namespace EngineImage.Benchmarking;

/// <summary>Bytes a batch-1 decode step must read and the measured time for matrix-vector products over them
/// (median and fastest pass: on a shared machine the fastest is the closer estimate of what the memory allows).</summary>
public sealed record BandwidthBound(long Bytes, double Seconds, double FastestSeconds, int Matrices)
{
    public double GigabytesPerSecond => Bytes / Seconds / 1e9;

    public double FastestGigabytesPerSecond => Bytes / FastestSeconds / 1e9;
}
