using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Runner.Front;

/// <summary>
/// What the front's clients met, per revision: <c>/generate</c> requests, those that failed (a 5xx answer, or none at
/// all) and their latency to the end of the answer. Served at <c>/_front/traffic</c> in the Prometheus text format:
/// <c>front_requests_total</c>, <c>front_request_errors_total</c> and the <c>front_request_duration_seconds</c>
/// histogram, each labelled <c>revision</c>. Counters start at zero with the front; readers take differences.
/// </summary>
internal sealed class FrontTraffic
{
    public const string Requests = "front_requests";
    public const string Errors = "front_request_errors";
    public const string Duration = "front_request_duration_seconds";

    /// <summary>1 ms to about 2 minutes, 25 % apart: fine enough for p99 of both a tiny model and a long answer.</summary>
    private static readonly double[] Bounds = Enumerable.Range(0, 53).Select(k => Math.Round(0.001 * Math.Pow(1.25, k), 6)).ToArray();

    private readonly ConcurrentDictionary<string, Tally> _revisions = new(StringComparer.Ordinal);

    private sealed class Tally
    {
        public long Requests;
        public long Errors;
        public readonly long[] Buckets = new long[Bounds.Length + 1];
    }

    public void Record(string revision, bool failed, TimeSpan duration)
    {
        var tally = _revisions.GetOrAdd(revision, _ => new Tally());
        var bucket = Array.BinarySearch(Bounds, duration.TotalSeconds);
        Interlocked.Increment(ref tally.Buckets[bucket >= 0 ? bucket : ~bucket]);
        if (failed) Interlocked.Increment(ref tally.Errors);
        Interlocked.Increment(ref tally.Requests);
    }

    public string Render()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# TYPE {Requests}_total counter\n# TYPE {Errors}_total counter\n# TYPE {Duration} histogram\n");
        foreach (var (revision, tally) in _revisions.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var label = $"revision=\"{revision}\"";
            // The count last, so that a reader racing a request never sees more requests than observations.
            long cumulative = 0;
            for (var i = 0; i <= Bounds.Length; i++)
            {
                cumulative += Interlocked.Read(ref tally.Buckets[i]);
                var le = i < Bounds.Length ? Bounds[i].ToString("R", CultureInfo.InvariantCulture) : "+Inf";
                text.Append(CultureInfo.InvariantCulture, $"{Duration}_bucket{{{label},le=\"{le}\"}} {cumulative}\n");
            }
            text.Append(CultureInfo.InvariantCulture, $"{Errors}_total{{{label}}} {Interlocked.Read(ref tally.Errors)}\n");
            text.Append(CultureInfo.InvariantCulture, $"{Requests}_total{{{label}}} {Interlocked.Read(ref tally.Requests)}\n");
        }
        return text.ToString();
    }
}
