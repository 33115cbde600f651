namespace Contracts.Specs;

/// <summary>
/// An analysis: every metric is measured <see cref="MetricSpec.Count"/> times, <see cref="MetricSpec.Interval"/> apart.
/// Outcome as Argo Rollouts decides it: a metric whose failed measurements exceed its failure limit fails the analysis
/// (at once, without waiting for the remaining measurements) and the canary is rolled back; otherwise a metric whose
/// inconclusive measurements (no data) exceed its inconclusive limit makes the analysis inconclusive, and the run
/// pauses for a person to promote or abort; otherwise it succeeds.
/// </summary>
public sealed record AnalysisSpec
{
    public IReadOnlyList<MetricSpec> Metrics { get; init; } = [];
}
