namespace Contracts.Specs;

/// <summary>The metrics <c>engine.autoscaling.metric</c> names, and the engine's Prometheus gauge behind each (JetStream's
/// names, as GKE's "Best practices for autoscaling LLM inference workloads with TPUs" recommends them).</summary>
public static class AutoscalingMetrics
{
    /// <summary>Requests queued for prefill per replica (<c>jetstream_prefill_backlog_size</c>): scale for latency.</summary>
    public const string PrefillBacklog = "prefillBacklog";
    /// <summary>Percent of decode slots in use per replica (<c>jetstream_slots_used_percentage</c>, which the engine exports
    /// as a fraction 0-1 like JetStream does): scale for throughput.</summary>
    public const string SlotsUsed = "slotsUsed";

    public static readonly IReadOnlyList<string> All = [PrefillBacklog, SlotsUsed];

    /// <summary>The engine's gauge for <paramref name="metric"/>.</summary>
    public static string PrometheusName(string metric) => metric switch
    {
        PrefillBacklog => "jetstream_prefill_backlog_size",
        SlotsUsed => "jetstream_slots_used_percentage",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown autoscaling metric"),
    };

    /// <summary>The target in the gauge's own unit: a backlog as is, a percentage as the fraction the gauge holds.</summary>
    public static double GaugeTarget(AutoscalingSpec autoscaling)
    {
        ArgumentNullException.ThrowIfNull(autoscaling);
        return autoscaling.Metric == SlotsUsed ? autoscaling.Target / 100.0 : autoscaling.Target;
    }
}
