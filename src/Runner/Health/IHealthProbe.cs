using Contracts.Protocol;

namespace Runner.Health;

/// <summary>Probes one served environment of a target kind once. Never throws for what it finds: a failed check is a
/// sample that says so.</summary>
internal interface IHealthProbe
{
    string TargetKind { get; }

    /// <param name="previous">The engine metrics of this environment's previous sample, to turn counters into rates.</param>
    Task<ProbeResult> ProbeAsync(WatchLease lease, EngineMetricsDelta.Snapshot? previous, CancellationToken cancellationToken);
}

internal sealed record ProbeResult(HealthSample Sample, EngineMetricsDelta.Snapshot? Metrics);
