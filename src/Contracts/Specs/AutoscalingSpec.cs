namespace Contracts.Specs;

/// <summary>
/// <c>engine.autoscaling</c>: scale the serving revision between <see cref="MinReplicas"/> and <see cref="MaxReplicas"/>
/// on one of the two metrics Google recommends for single-host JetStream on TPUs. <c>engine.replicas</c> is the count a
/// revision starts with and must lie between the two. On <c>kubernetes</c> and <c>gke</c> a HorizontalPodAutoscaler per
/// revision does it (metrics through Managed Service for Prometheus); on <c>local</c> the runner does it itself.
/// </summary>
public sealed record AutoscalingSpec
{
    public int MinReplicas { get; init; } = 1;
    public int MaxReplicas { get; init; }
    /// <summary><see cref="AutoscalingMetrics.PrefillBacklog"/> (latency) or <see cref="AutoscalingMetrics.SlotsUsed"/> (throughput).</summary>
    public string Metric { get; init; } = AutoscalingMetrics.PrefillBacklog;
    /// <summary>The wanted average per replica: requests waiting for prefill, or percent of decode slots in use (1-100).</summary>
    public double Target { get; init; }
    /// <summary>How long the metric must ask for fewer replicas before they are removed (the HPA's default is 5m).</summary>
    public string ScaleDownStabilization { get; init; } = "5m";
}
