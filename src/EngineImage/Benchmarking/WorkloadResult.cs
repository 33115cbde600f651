namespace EngineImage.Benchmarking;

/// <summary>One measured workload: how many requests, at what concurrency, and what they got.</summary>
public sealed record WorkloadResult(
    string Label,
    int Concurrency,
    int Requests,
    long OutputTokens,
    TimeSpan Wall,
    IReadOnlyList<double> TtftSeconds,
    IReadOnlyList<double> TpotSeconds)
{
    public double TokensPerSecond => OutputTokens / Wall.TotalSeconds;

    public double TtftP50 => Percentile(TtftSeconds, 0.50);

    public double TtftP99 => Percentile(TtftSeconds, 0.99);

    public double TpotP50 => Percentile(TpotSeconds, 0.50);

    public double TpotP99 => Percentile(TpotSeconds, 0.99);

    public double TpotMin => TpotSeconds.Count == 0 ? double.NaN : TpotSeconds.Min();

    /// <summary>Nearest-rank percentile; NaN for no samples.</summary>
    public static double Percentile(IReadOnlyList<double> samples, double q)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0) return double.NaN;
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
