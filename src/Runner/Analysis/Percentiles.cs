namespace Runner.Analysis;

internal static class Percentiles
{
    /// <summary>Nearest-rank percentile; null for no values.</summary>
    public static double? Of(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
