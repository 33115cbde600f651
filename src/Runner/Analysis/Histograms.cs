namespace Runner.Analysis;

/// <summary>Quantiles of Prometheus-style histograms.</summary>
internal static class Histograms
{
    /// <summary>The quantile <paramref name="q"/> of cumulative <c>(le, count)</c> buckets, linear within a bucket as
    /// PromQL's histogram_quantile is; null when they hold no observation.</summary>
    public static double? Quantile(IReadOnlyList<(double Le, double Count)> buckets, double q)
    {
        if (buckets.Count == 0 || buckets[^1].Count <= 0) return null;
        var rank = q * buckets[^1].Count;
        double lowerBound = 0, lowerCount = 0;
        foreach (var (le, count) in buckets)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(le)) return lowerBound;
                return lowerBound + ((le - lowerBound) * (count == lowerCount ? 1 : (rank - lowerCount) / (count - lowerCount)));
            }
            lowerBound = le;
            lowerCount = count;
        }
        return lowerBound;
    }
}
