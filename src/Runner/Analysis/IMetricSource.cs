using Contracts.Specs;

namespace Runner.Analysis;

/// <summary>Takes one measurement of a metric on a target; no data is an inconclusive measurement, never an exception.</summary>
internal interface IMetricSource
{
    Task<Measurement> MeasureAsync(MetricSpec metric, CancellationToken cancellationToken);
}
