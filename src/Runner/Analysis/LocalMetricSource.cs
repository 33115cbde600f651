using Contracts.Specs;
using Runner.Local;

namespace Runner.Analysis;

/// <summary>
/// Metric sources on the local target: the engine measures (<see cref="EngineMeasures"/>) of the replicas of the canary
/// (the step's revision) and of the stable revision, reached directly on this machine, and the live traffic the
/// environment's front recorded for each (<see cref="TrafficMeasures"/>).
/// </summary>
internal sealed class LocalMetricSource : IMetricSource
{
    private readonly EngineMeasures _engines;
    private readonly TrafficMeasures _traffic;
    private readonly TimeProvider _time;

    public LocalMetricSource(LocalStep step, EngineProbe probe, TimeProvider time)
    {
        var endpoints = new LocalEngineEndpoints(step, probe);
        _engines = new EngineMeasures(probe.Http, endpoints, time);
        _traffic = new TrafficMeasures(new FrontTrafficFeed(probe.Http, step.FrontUrl), endpoints, time);
        _time = time;
    }

    public Task<Measurement> MeasureAsync(MetricSpec metric, CancellationToken cancellationToken) =>
        TrafficMeasures.Measures(metric) ? _traffic.MeasureAsync(metric, cancellationToken)
        : EngineMeasures.Measures(metric.Source) ? _engines.MeasureAsync(metric, cancellationToken)
        : Task.FromResult(Measurement.NoData($"source {metric.Source} is not available on the local target", _time.GetUtcNow()));
}
