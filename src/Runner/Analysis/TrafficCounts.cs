using System.Globalization;

namespace Runner.Analysis;

/// <summary>
/// Cumulative request figures of one place that serves a revision (the front's record of it, or one engine pod's
/// <c>/metrics</c>): requests, failed requests (null when the place does not count them) and a latency histogram in
/// seconds as cumulative <c>(le, count)</c> buckets. Two readings subtract into the figures of the window between them.
/// </summary>
internal sealed record TrafficCounts(double Requests, double? Errors, IReadOnlyList<(double Le, double Count)> Buckets)
{
    public static readonly TrafficCounts Zero = new(0, 0, []);

    /// <summary>What happened between <paramref name="earlier"/> and this reading; null when a figure went down (the
    /// process restarted and its counters began again), so the window cannot be known.</summary>
    public TrafficCounts? Minus(TrafficCounts earlier)
    {
        var requests = Requests - earlier.Requests;
        double? errors = Errors is { } e && earlier.Errors is { } before ? e - before : null;
        if (requests < 0 || errors < 0) return null;
        var buckets = new List<(double Le, double Count)>(Buckets.Count);
        foreach (var (le, count) in Buckets)
        {
            var then = earlier.Buckets.FirstOrDefault(b => b.Le.Equals(le)).Count;
            if (count - then < 0) return null;
            buckets.Add((le, count - then));
        }
        return new TrafficCounts(requests, errors, buckets);
    }

    /// <summary>The figures of two places together (errors known only when both count them).</summary>
    public TrafficCounts Plus(TrafficCounts other)
    {
        var les = Buckets.Select(b => b.Le).Union(other.Buckets.Select(b => b.Le)).Order();
        var buckets = les.Select(le => (le, At(le) + other.At(le))).ToList();
        double? errors = Errors is { } a && other.Errors is { } b ? a + b : null;
        return new TrafficCounts(Requests + other.Requests, errors, buckets);
    }

    /// <summary>The latency quantile <paramref name="q"/> in seconds; null when the histogram holds nothing.</summary>
    public double? Quantile(double q) => Histograms.Quantile(Buckets, q);

    // A histogram's cumulative count at a bound it does not have: that of the nearest bound below it.
    private double At(double le) => Buckets.LastOrDefault(b => b.Le <= le).Count;

    /// <summary>Reads one place's figures from Prometheus text: <paramref name="requests"/> and <paramref name="errors"/>
    /// counters (each also read with the <c>_total</c> suffix that Python's client adds) and the
    /// <paramref name="histogram"/>, keeping only series whose labels include <paramref name="label"/> when given.
    /// <paramref name="requestsIncludeErrors"/> false: requests are the two counters summed.</summary>
    public static TrafficCounts Read(string text, string[] requests, string? errors, string histogram, bool requestsIncludeErrors,
        string? label = null)
    {
        var samples = PrometheusText.Samples(text).Where(s => label is null || s.Labels.Contains(label, StringComparison.Ordinal)).ToList();
        double? Counter(string name)
        {
            var values = samples.Where(s => s.Name == name || s.Name == name + "_total").Select(s => s.Value).ToList();
            return values.Count == 0 ? null : values.Sum();
        }
        var failed = errors is null ? null : Counter(errors);
        var served = requests.Sum(Counter) ?? 0;
        var buckets = PrometheusText.Buckets(samples, histogram);
        return new TrafficCounts(requestsIncludeErrors ? served : served + (failed ?? 0), failed, buckets);
    }

    public string Describe(string revision, TimeSpan window) => string.Create(CultureInfo.InvariantCulture,
        $"{Requests:0} requests to {revision} in {window.TotalSeconds:0.#}s, {(Errors is { } e ? $"{e:0} failed" : "failures not counted")}");
}
