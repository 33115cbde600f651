using System.Globalization;

namespace Runner.Analysis;

/// <summary>Reads what analyses need from the Prometheus text format: a metric's samples summed over its series, and a
/// histogram's quantile from its cumulative <c>_bucket</c> samples (linear within a bucket, as PromQL's
/// histogram_quantile does).</summary>
internal static class PrometheusText
{
    public static IEnumerable<(string Name, string Labels, double Value)> Samples(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            if (space <= 0) continue;
            var name = brace > 0 ? line[..brace] : line[..space];
            var labels = brace > 0 ? line[(brace + 1)..line.LastIndexOf('}')] : "";
            if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) yield return (name, labels, value);
        }
    }

    public static double? Sum(IEnumerable<string> texts, string name)
    {
        var values = texts.SelectMany(Samples).Where(s => s.Name == name).Select(s => s.Value).ToList();
        return values.Count == 0 ? null : values.Sum();
    }

    public static double? Average(IEnumerable<string> texts, string name)
    {
        var values = texts.SelectMany(Samples).Where(s => s.Name == name).Select(s => s.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    /// <summary>Each of <paramref name="names"/>' samples summed over its series and every text, with the number of
    /// series (an average is the sum over it); a name with no sample is absent. One pass over each text that allocates
    /// nothing per line: a health probe reads several metrics from every replica at every interval, and reading them
    /// one by one with <see cref="Samples"/> was most of a watcher's CPU.</summary>
    public static Dictionary<string, (double Sum, int Series)> Totals(IEnumerable<string> texts, IReadOnlyList<string> names)
    {
        var totals = new Dictionary<string, (double Sum, int Series)>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var raw in text.AsSpan().EnumerateLines())
            {
                // The same reading of a line as Samples.
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                var brace = line.IndexOf('{');
                var space = line.LastIndexOf(' ');
                if (space <= 0) continue;
                var name = brace > 0 ? line[..brace] : line[..space];
                foreach (var wanted in names)
                {
                    if (!name.SequenceEqual(wanted)) continue;
                    if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                        totals[wanted] = totals.TryGetValue(wanted, out var t) ? (t.Sum + value, t.Series + 1) : (value, 1);
                    break;
                }
            }
        }
        return totals;
    }

    /// <summary>The quantile <paramref name="q"/> of histogram <paramref name="name"/> summed over every text; null when it
    /// holds no observation.</summary>
    public static double? Quantile(IEnumerable<string> texts, string name, double q) =>
        Histograms.Quantile(Buckets(texts.SelectMany(Samples), name), q);

    /// <summary>Histogram <paramref name="name"/>'s cumulative buckets, summed over every series, in order of bound.</summary>
    public static IReadOnlyList<(double Le, double Count)> Buckets(IEnumerable<(string Name, string Labels, double Value)> samples, string name) =>
        samples.Where(s => s.Name == name + "_bucket")
            .Select(s => (Le: Le(s.Labels), s.Value)).Where(b => b.Le is not null)
            .GroupBy(b => b.Le!.Value).Select(g => (Le: g.Key, Count: g.Sum(b => b.Value))).OrderBy(b => b.Le).ToList();

    private static double? Le(string labels)
    {
        var at = labels.IndexOf("le=\"", StringComparison.Ordinal);
        if (at < 0) return null;
        var end = labels.IndexOf('"', at + 4);
        var text = labels[(at + 4)..end];
        if (text == "+Inf") return double.PositiveInfinity;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
