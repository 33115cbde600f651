using Contracts.Specs;
using Runner.Analysis;

namespace Runner.Tests.Analysis;

/// <summary>The <c>traffic</c> source's windows: each measurement covers the time since its metric's previous one, a
/// place that restarted or appeared in a window is left out of it, and a comparison reads both revisions over the same
/// window. The places' cumulative readings are scripted, read after read.</summary>
public sealed class TrafficMeasuresTests
{
    [Fact]
    public async Task Measurements_CoverTheTimeSinceThePreviousOne_WithoutOverlap()
    {
        // Ten more requests at each read: the first measurement waits an interval between two reads.
        var feed = new ScriptedFeed(read => new() { ["r2"] = new() { ["front"] = Counts(10 * read, read, fastShare: 1) } });
        var traffic = new TrafficMeasures(feed, new TwoRevisions(), TimeProvider.System);
        var requests = Metric("traffic", "requests", min: 1);

        var first = await traffic.MeasureAsync(requests, CancellationToken.None);
        var second = await traffic.MeasureAsync(requests, CancellationToken.None);
        var errors = await traffic.MeasureAsync(Metric("traffic", "errorRate", max: 0.05) with { Name = "errors" }, CancellationToken.None);

        Assert.Equal((Measurement.Successful, 10.0), (first.Phase, first.Value));
        Assert.Equal((Measurement.Successful, 10.0), (second.Phase, second.Value));
        Assert.Equal(5, feed.Reads);
        // Its own window (reads 4 and 5): 10 requests, 1 failed.
        Assert.Equal((Measurement.Failed, 0.1), (errors.Phase, errors.Value));
    }

    [Fact]
    public async Task APlaceThatRestartedOrAppearedInTheWindow_IsLeftOutOfIt()
    {
        var feed = new ScriptedFeed(read => new()
        {
            ["r2"] = read == 1
                ? new() { ["pod-a"] = Counts(100, 0, 1), ["pod-b"] = Counts(50, 0, 1) }
                : new() { ["pod-a"] = Counts(3, 0, 1), ["pod-b"] = Counts(70, 0, 1), ["pod-c"] = Counts(40, 0, 1) },
        });
        var traffic = new TrafficMeasures(feed, new TwoRevisions(), TimeProvider.System);

        var measurement = await traffic.MeasureAsync(Metric("traffic", "requests", min: 0), CancellationToken.None);

        Assert.Equal(20.0, measurement.Value);
    }

    [Fact]
    public async Task NoRequestsInTheWindow_LatencyIsInconclusive_AndAnUnansweredFeedToo()
    {
        var feed = new ScriptedFeed(read => read <= 2 ? new() { ["r2"] = new() { ["front"] = Counts(5, 0, 1) } } : null);
        var traffic = new TrafficMeasures(feed, new TwoRevisions(), TimeProvider.System);
        var latency = Metric("traffic", "p99Ms", max: 1000);

        var idle = await traffic.MeasureAsync(latency, CancellationToken.None);
        var gone = await traffic.MeasureAsync(latency, CancellationToken.None);

        Assert.Equal(Measurement.Inconclusive, idle.Phase);
        Assert.Contains("fewer than 1 requests", idle.Detail, StringComparison.Ordinal);
        Assert.Equal(Measurement.Inconclusive, gone.Phase);
        Assert.Contains("did not answer", gone.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comparison_ReadsBothRevisionsOverTheSameWindow()
    {
        // The canary's requests all take up to 0.2 s, the stable's up to 0.1 s.
        var feed = new ScriptedFeed(read => new()
        {
            ["r2"] = new() { ["front"] = Counts(20 * read, 0, fastShare: 0) },
            ["r1"] = new() { ["front"] = Counts(20 * read, 0, fastShare: 1) },
        });
        var traffic = new TrafficMeasures(feed, new TwoRevisions(), TimeProvider.System);
        var comparison = Metric("comparison", "p50Ms") with { From = "traffic", MaxRatio = 1.5, Judge = "ratio" };

        var measurement = await traffic.MeasureAsync(comparison, CancellationToken.None);

        Assert.Equal(Measurement.Failed, measurement.Phase);
        // p50 interpolated: 0.15 s against 0.05 s.
        Assert.Equal(3.0, measurement.Value!.Value, 6);
        Assert.Contains("requests to r2", measurement.Detail, StringComparison.Ordinal);
        Assert.Contains("requests to r1", measurement.Detail, StringComparison.Ordinal);
    }

    // Cumulative figures: fastShare of the requests in (0, 0.1 s], the rest in (0.1 s, 0.2 s].
    private static TrafficCounts Counts(double requests, double errors, double fastShare) =>
        new(requests, errors, [(0.1, requests * fastShare), (0.2, requests), (double.PositiveInfinity, requests)]);

    private static MetricSpec Metric(string source, string measure, double? min = null, double? max = null) =>
        new() { Name = "m", Source = source, Measure = measure, Min = min, Max = max, Interval = "1s", Count = 1 };

    private sealed class ScriptedFeed(Func<int, Dictionary<string, Dictionary<string, TrafficCounts>>?> script) : ITrafficFeed
    {
        private readonly Dictionary<string, int> _reads = new(StringComparer.Ordinal);

        /// <summary>Reads of the first revision asked for so far.</summary>
        public int Reads { get; private set; }

        public string Where => "in the script";

        public Task<(IReadOnlyDictionary<string, TrafficCounts>? Readings, string? Why)> ReadAsync(string revision, CancellationToken cancellationToken)
        {
            var read = _reads[revision] = _reads.GetValueOrDefault(revision) + 1;
            Reads = Math.Max(Reads, read);
            return Task.FromResult<(IReadOnlyDictionary<string, TrafficCounts>?, string?)>(
                script(read)?[revision] is { } readings ? (readings, null) : (null, "the script did not answer"));
        }
    }

    private sealed class TwoRevisions : IEngineEndpoints
    {
        public string Canary => "r2";
        public string? Stable => "r1";
        public string RunningName => "replica";
        public string LiveName => "replica";
        public Task<IReadOnlyList<EngineEndpoint>> RunningAsync(string revision, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<EngineEndpoint>>([]);
        public Task<IReadOnlyList<EngineEndpoint>> LiveAsync(string revision, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<EngineEndpoint>>([]);
    }
}
