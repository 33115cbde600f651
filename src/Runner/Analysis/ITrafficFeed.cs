namespace Runner.Analysis;

/// <summary>Where a target reads the live traffic a revision served: one cumulative reading per place that records it
/// (the local front; each ready engine pod on Kubernetes), keyed by that place.</summary>
internal interface ITrafficFeed
{
    /// <summary>Where the figures come from, as messages say it ("through the front").</summary>
    string Where { get; }

    /// <summary>The revision's readings now; null when no place answered (why in <paramref name="why"/>).</summary>
    Task<(IReadOnlyDictionary<string, TrafficCounts>? Readings, string? Why)> ReadAsync(string revision, CancellationToken cancellationToken);
}
