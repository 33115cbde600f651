namespace Contracts.Specs;

/// <summary>
/// One metric of an analysis. <see cref="Source"/> and <see cref="Measure"/> (see <see cref="MetricSources"/>) say what
/// one measurement reads; it is <em>successful</em> when the value lies within <see cref="Min"/>..<see cref="Max"/>
/// (for <c>comparison</c>: canary ÷ stable at most <see cref="MaxRatio"/>), <em>failed</em> otherwise, and
/// <em>inconclusive</em> when there was no data (fewer than <see cref="MinSamples"/> requests, no replica answered its
/// metrics, no stable revision to compare with, no ready pod or the Kubernetes API not answering). Which sources each
/// target measures: see <see cref="MetricSources"/>.
/// </summary>
public sealed record MetricSpec
{
    public string Name { get; init; } = "";
    public string Source { get; init; } = "";
    public string Measure { get; init; } = "";
    /// <summary><c>canary</c> or <c>stable</c>: whose figures <c>traffic</c>, <c>engine</c>, <c>probe</c> and <c>pods</c>
    /// read.</summary>
    public string Revision { get; init; } = "canary";
    public string Interval { get; init; } = "10s";
    /// <summary>Measurements to take; in a background analysis, null means until the canary is promoted.</summary>
    public int? Count { get; init; }
    public double? Min { get; init; }
    public double? Max { get; init; }
    /// <summary><c>comparison</c>: the canary's figure may be at most this multiple of the stable's.</summary>
    public double? MaxRatio { get; init; }
    /// <summary><c>comparison</c> of latencies: <c>mannWhitney</c> (default from probes: fails only when the canary is
    /// slower with significance, and by more than <see cref="MaxRatio"/>) or <c>ratio</c> (the plain ratio of the figures;
    /// the only judge of <c>from: traffic</c>).</summary>
    public string? Judge { get; init; }
    /// <summary><c>mannWhitney</c>: the confidence a slower canary must be shown with (default 0.95).</summary>
    public double? Confidence { get; init; }
    /// <summary><c>comparison</c>: where its figures come from: <c>probe</c> (the default: interleaved synthetic requests) or
    /// <c>traffic</c> (clients' own requests to each revision in the same window, judged by <c>ratio</c> only).</summary>
    public string? From { get; init; }
    /// <summary>Fewer requests than this in a measurement (traffic, comparison) make it inconclusive. Default 1.</summary>
    public int? MinSamples { get; init; }
    /// <summary><c>probe</c> and <c>comparison</c>: requests per replica per measurement (default 5 for a probe, 10 for a
    /// comparison, which needs at least 8 a side).</summary>
    public int? Probes { get; init; }
    public int FailureLimit { get; init; }
    public int InconclusiveLimit { get; init; }
    /// <summary><c>goldenPrompts</c>: the prompts, or a file of them.</summary>
    public GoldenPromptsSpec? GoldenPrompts { get; init; }
}
