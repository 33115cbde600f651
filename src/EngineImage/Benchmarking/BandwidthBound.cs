namespace EngineImage.Benchmarking;

/// <summary>Bytes a batch-1 decode step must read and the measured time for matrix-vector products over them.</summary>
public sealed record BandwidthBound(long Bytes, double Seconds, int Matrices)
{
    public double GigabytesPerSecond => Bytes / Seconds / 1e9;
}
