namespace Contracts.Specs;

/// <summary>The sources a metric can read and the measures each offers.</summary>
public static class MetricSources
{
    /// <summary>The front's own record of live traffic per revision (local front; engine pods' <c>/metrics</c> through the
    /// API server's pod proxy on Kubernetes).</summary>
    public const string Traffic = "traffic";
    /// <summary>The revision's engines' <c>/metrics</c>.</summary>
    public const string Engine = "engine";
    /// <summary>Synthetic <c>/generate</c> requests to each replica.</summary>
    public const string Probe = "probe";
    public const string GoldenPrompts = "goldenPrompts";
    /// <summary>Canary against stable.</summary>
    public const string Comparison = "comparison";
    /// <summary>Kubernetes: the canary's pods.</summary>
    public const string Pods = "pods";

    public static readonly IReadOnlyDictionary<string, string[]> Measures = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [Traffic] = ["requests", "errorRate", "p50Ms", "p95Ms", "p99Ms"],
        [Engine] = ["ttftP50Ms", "ttftP99Ms", "tpotP50Ms", "tpotP99Ms", "queue", "slotsUsed"],
        [Probe] = ["errorRate", "p50Ms", "p99Ms"],
        [GoldenPrompts] = ["exactMatch", "tokenAgreement"],
        [Comparison] = ["errorRate", "p50Ms", "p95Ms", "p99Ms"],
        [Pods] = ["restarts", "notReady"],
    };
}
