using Contracts.Specs;
using Runner.Local;

namespace Runner.Analysis;

/// <summary>
/// Metric sources on the local target: the engine measures (<see cref="EngineMeasures"/>) of the replicas of the canary
/// (the step's revision) and of the stable revision, reached directly on this machine.
/// </summary>
internal sealed class LocalMetricSource(LocalStep step, EngineProbe probe, TimeProvider time) : IMetricSource
{
    private readonly EngineMeasures _engines = new(probe.Http, new LocalEngineEndpoints(step, probe), time);

    public Task<Measurement> MeasureAsync(MetricSpec metric, CancellationToken cancellationToken) =>
        EngineMeasures.Measures(metric.Source)
            ? _engines.MeasureAsync(metric, cancellationToken)
            : Task.FromResult(Measurement.NoData($"source {metric.Source} is not available on the local target", time.GetUtcNow()));
}
