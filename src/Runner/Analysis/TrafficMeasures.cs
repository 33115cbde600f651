using System.Collections.Concurrent;
using System.Globalization;
using Contracts.Specs;

namespace Runner.Analysis;

/// <summary>
/// The <c>traffic</c> source, and <c>comparison</c> with <c>from: traffic</c>: what clients' own requests met at a
/// revision over a window. Each measurement covers the time since the metric's previous one (the first waits one
/// interval), so that a metric's measurements tile its run without gaps or overlaps. A place whose counters went down
/// in the window (it restarted) and a place that appeared in it are left out of that window.
/// </summary>
internal sealed class TrafficMeasures(ITrafficFeed feed, IEngineEndpoints endpoints, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Readings> _last = new(StringComparer.Ordinal);

    private sealed record Readings(DateTimeOffset At, Dictionary<string, IReadOnlyDictionary<string, TrafficCounts>> ByRevision);

    public static bool Measures(MetricSpec metric) =>
        metric.Source == MetricSources.Traffic || (metric.Source == MetricSources.Comparison && metric.From == MetricSources.Traffic);

    public async Task<Measurement> MeasureAsync(MetricSpec metric, CancellationToken cancellationToken)
    {
        var comparison = metric.Source == MetricSources.Comparison;
        string?[] revisions = comparison ? [endpoints.Canary, endpoints.Stable] : [endpoints.RevisionOf(metric)];
        if (revisions.Any(r => r is null)) return NoData(comparison ? "there is no stable revision to compare with" : "there is no stable revision");
        var (windows, span, why) = await WindowAsync(metric, revisions!, cancellationToken);
        if (windows is null) return NoData(why!);
        var minimum = metric.MinSamples ?? 1;
        return comparison
            ? Compare(metric, windows[0], windows[1], span, minimum)
            : Single(metric, revisions[0]!, windows[0], span, minimum);
    }

    private Measurement Single(MetricSpec metric, string revision, TrafficCounts window, TimeSpan span, int minimum)
    {
        var detail = $"({window.Describe(revision, span)} {feed.Where})";
        if (metric.Measure == "requests") return Verdict.Within(metric, window.Requests, detail, time.GetUtcNow());
        if (window.Requests < minimum) return NoData($"fewer than {minimum} requests {detail}");
        double? value = metric.Measure switch
        {
            "errorRate" => window.Errors / window.Requests,
            "p50Ms" => window.Quantile(0.5) * 1000,
            "p95Ms" => window.Quantile(0.95) * 1000,
            _ => window.Quantile(0.99) * 1000,
        };
        if (value is null) return NoData(metric.Measure == "errorRate" ? $"failed requests are not counted {feed.Where}" : $"no latency recorded {detail}");
        return Verdict.Within(metric, value, detail, time.GetUtcNow());
    }

    private Measurement Compare(MetricSpec metric, TrafficCounts canary, TrafficCounts stable, TimeSpan span, int minimum)
    {
        var detail = $"{canary.Describe(endpoints.Canary, span)}; {stable.Describe(endpoints.Stable!, span)}; {feed.Where}";
        if (canary.Requests < minimum || stable.Requests < minimum) return NoData($"fewer than {minimum} requests on a side ({detail})");
        var maxRatio = metric.MaxRatio!.Value;
        double? ratio;
        string what;
        if (metric.Measure == "errorRate")
        {
            // A floor of 1 % keeps a stable without errors from making any single canary error an infinite ratio.
            ratio = canary.Errors is { } c && stable.Errors is { } s ? Math.Max(0.01, c / canary.Requests) / Math.Max(0.01, s / stable.Requests) : null;
            what = "canary/stable error rate, floor 0.01";
        }
        else
        {
            var q = metric.Measure switch { "p50Ms" => 0.5, "p95Ms" => 0.95, _ => 0.99 };
            ratio = canary.Quantile(q) is { } c && stable.Quantile(q) is { } s ? c / Math.Max(0.000001, s) : null;
            what = $"canary/stable {metric.Measure}";
        }
        if (ratio is not { } value) return NoData($"a side has no {(metric.Measure == "errorRate" ? "failure count" : "latency")} ({detail})");
        return Verdict.Of(value <= maxRatio, value, string.Create(CultureInfo.InvariantCulture, $"({what}; at most {maxRatio}; {detail})"), time.GetUtcNow());
    }

    /// <summary>Each revision's figures since the metric's previous measurement (the first waits one interval).</summary>
    private async Task<(TrafficCounts[]? Windows, TimeSpan Span, string? Why)> WindowAsync(MetricSpec metric, string[] revisions, CancellationToken cancellationToken)
    {
        if (!_last.TryGetValue(metric.Name, out var before))
        {
            var (first, why) = await ReadAsync(revisions, cancellationToken);
            if (first is null) return (null, default, why);
            before = first;
            _ = Durations.TryParse(metric.Interval, out var interval);
            await Task.Delay(interval, time, cancellationToken);
        }

        var (now, whyNot) = await ReadAsync(revisions, cancellationToken);
        if (now is null) return (null, default, whyNot);
        _last[metric.Name] = now;
        var windows = new TrafficCounts[revisions.Length];
        for (var i = 0; i < revisions.Length; i++)
        {
            var then = before.ByRevision.GetValueOrDefault(revisions[i]) ?? new Dictionary<string, TrafficCounts>();
            var sum = TrafficCounts.Zero;
            var kept = 0;
            foreach (var (place, reading) in now.ByRevision[revisions[i]])
                if (then.TryGetValue(place, out var earlier) && reading.Minus(earlier) is { } delta) (sum, kept) = (sum.Plus(delta), kept + 1);
            if (kept == 0) return (null, default, $"no place {feed.Where} recorded {revisions[i]} both at the start and at the end of the window");
            windows[i] = sum;
        }
        return (windows, now.At - before.At, null);
    }

    private async Task<(Readings?, string?)> ReadAsync(string[] revisions, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var byRevision = new Dictionary<string, IReadOnlyDictionary<string, TrafficCounts>>(StringComparer.Ordinal);
        foreach (var revision in revisions)
        {
            var (readings, why) = await feed.ReadAsync(revision, cancellationToken);
            if (readings is null) return (null, why);
            byRevision[revision] = readings;
        }
        return (new Readings(at, byRevision), null);
    }

    private Measurement NoData(string detail) => Measurement.NoData(detail, time.GetUtcNow());
}
