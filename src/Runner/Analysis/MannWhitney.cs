namespace Runner.Analysis;

/// <summary>
/// The one-sided Mann–Whitney U test (as Kayenta's judge uses it for latency): the probability of seeing samples this
/// far apart if <c>x</c> were not stochastically greater than <c>y</c>. Normal approximation with the tie correction
/// and a continuity correction; adequate from about 8 samples a side, which the callers require.
/// </summary>
internal static class MannWhitney
{
    /// <summary>p-value of "x tends to be greater than y".</summary>
    public static double GreaterPValue(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count == 0 || y.Count == 0) return 1;
        var all = x.Select(v => (Value: v, FromX: true)).Concat(y.Select(v => (Value: v, FromX: false))).OrderBy(p => p.Value).ToList();
        var ranks = new double[all.Count];
        double tieTerm = 0;
        for (var i = 0; i < all.Count;)
        {
            var j = i;
            while (j + 1 < all.Count && all[j + 1].Value == all[i].Value) j++;
            var rank = (i + j + 2) / 2.0;
            for (var k = i; k <= j; k++) ranks[k] = rank;
            double t = j - i + 1;
            tieTerm += (t * t * t) - t;
            i = j + 1;
        }

        double n1 = x.Count, n2 = y.Count, n = n1 + n2;
        var rankSumX = all.Select((p, i) => p.FromX ? ranks[i] : 0).Sum();
        var u = rankSumX - (n1 * (n1 + 1) / 2);
        var mean = n1 * n2 / 2;
        var variance = n1 * n2 / 12 * ((n + 1) - (tieTerm / (n * (n - 1))));
        if (variance <= 0) return 1;
        var z = (u - mean - 0.5) / Math.Sqrt(variance);
        return 1 - NormalCdf(z);
    }

    // Abramowitz and Stegun 7.1.26 through erf: |error| < 1.5e-7.
    private static double NormalCdf(double z)
    {
        var x = Math.Abs(z) / Math.Sqrt(2);
        var t = 1 / (1 + (0.3275911 * x));
        var erf = 1 - ((((((1.061405429 * t) - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
