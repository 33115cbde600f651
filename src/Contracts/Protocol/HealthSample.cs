namespace Contracts.Protocol;

/// <summary>One probe of a served environment. Latencies in milliseconds; engine figures from the replicas' <c>/metrics</c>
/// (averaged over the replicas that answered); null where the probe could not tell.</summary>
public sealed record HealthSample
{
    public string Environment { get; init; } = "";
    public Guid WatchToken { get; init; }
    public DateTimeOffset At { get; init; }
    public string? Revision { get; init; }
    public bool HealthcheckOk { get; init; }
    public bool GenerateOk { get; init; }
    public double? GenerateLatencyMs { get; init; }
    public int? ReplicasTotal { get; init; }
    public int? ReplicasReady { get; init; }
    public int? Restarts { get; init; }
    public double? TtftMs { get; init; }
    public double? TpotMs { get; init; }
    public double? QueueDepth { get; init; }
    public double? SlotsUsedPercent { get; init; }
    public double? TokensPerSecond { get; init; }
    public string? Error { get; init; }
    /// <summary>The probe could not reach where the environment runs (its cluster's API server): the sample says nothing
    /// about the environment itself, and its status becomes <c>unknown</c>, not <c>down</c>.</summary>
    public bool Unobserved { get; init; }
}
