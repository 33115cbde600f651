namespace Contracts.Specs;

/// <summary>The sources a metric can read and the measures each offers. Every target measures <c>probe</c>,
/// <c>goldenPrompts</c>, <c>comparison</c> and <c>engine</c> (on <c>kubernetes</c> and <c>gke</c> through the API
/// server's pod proxy) and <c>traffic</c>; <c>pods</c> only the Kubernetes targets.</summary>
public static class MetricSources
{
    /// <summary>Live traffic per revision over each measurement's window (the time since the metric's previous one; the
    /// first waits one interval): the local front's record of every <c>/generate</c> it forwarded, or on Kubernetes the
    /// revision's ready pods' <c>/metrics</c> read through the API server's pod proxy. <c>requests</c> is a count in the
    /// window; the others need <see cref="MetricSpec.MinSamples"/> requests.</summary>
    public const string Traffic = "traffic";
    /// <summary>The revision's engines' <c>/metrics</c> (JetStream's names): each live replica, or each ready pod.</summary>
    public const string Engine = "engine";
    /// <summary>Synthetic <c>/generate</c> requests to each replica (each ready pod on Kubernetes).</summary>
    public const string Probe = "probe";
    /// <summary>The same greedy prompts to a canary and a stable replica; how far their answers agree.</summary>
    public const string GoldenPrompts = "goldenPrompts";
    /// <summary>Canary against stable: probes of both, interleaved.</summary>
    public const string Comparison = "comparison";
    /// <summary>Kubernetes and GKE only: the revision's pods from the API server: <c>restarts</c> (all its containers'
    /// restarts), <c>notReady</c> (wanted replicas not ready) and <c>readiness</c> (ready pods ÷ wanted replicas).</summary>
    public const string Pods = "pods";

    public static readonly IReadOnlyDictionary<string, string[]> Measures = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Traffic] = ["requests", "errorRate", "p50Ms", "p95Ms", "p99Ms"],
        [Engine] = ["ttftP50Ms", "ttftP99Ms", "tpotP50Ms", "tpotP99Ms", "queue", "slotsUsed"],
        [Probe] = ["errorRate", "p50Ms", "p99Ms"],
        [GoldenPrompts] = ["exactMatch", "tokenAgreement"],
        [Comparison] = ["errorRate", "p50Ms", "p95Ms", "p99Ms"],
        [Pods] = ["restarts", "notReady", "readiness"],
    };
}
