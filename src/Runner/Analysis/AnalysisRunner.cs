using System.Globalization;
using System.Text.Json.Nodes;
using Contracts.Specs;
using Runner.Agent;

namespace Runner.Analysis;

/// <summary>
/// Measures every metric of an analysis on its own loop (count times, interval apart) and decides as Argo Rollouts
/// does: a metric whose failed measurements exceed its failure limit fails the analysis at once (the other loops
/// stop); otherwise one whose inconclusive measurements exceed its inconclusive limit makes it inconclusive; otherwise
/// it succeeds. A background analysis measures metrics without a count until the server asks it to finish.
/// </summary>
internal sealed class AnalysisRunner(IMetricSource source, IStepLog log, TimeProvider time)
{
    /// <summary>A <c>canary.analyze</c> step on any target: its analysis (<c>parameters.analysis</c>), inline, or in the
    /// background (<c>parameters.background</c>) until the server asks it to finish.</summary>
    public static Task<StepResult> RunStepAsync(StepContext context, IMetricSource source, TimeProvider time, CancellationToken cancellationToken)
    {
        if (context.Parameter<AnalysisSpec>("analysis") is not { Metrics.Count: > 0 } analysis)
            return Task.FromResult(StepResult.Failed("the step names no analysis (parameters.analysis.metrics)"));
        var runner = new AnalysisRunner(source, context.Log, time);
        return runner.RunAsync(analysis, context.BoolParameter("background"), context.Stop.FinishRequested, cancellationToken);
    }

    public async Task<StepResult> RunAsync(AnalysisSpec analysis, bool background, CancellationToken finish, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var results = analysis.Metrics.Select(m => new MetricResult(m)).ToList();
        var loops = results.Select(r => MeasureAsync(r, background, finish, failed)).ToList();
        await Task.WhenAll(loops);
        cancellationToken.ThrowIfCancellationRequested();

        var failure = results.FirstOrDefault(r => r.Phase == Measurement.Failed);
        var outputs = Outputs(results, failure is not null ? Measurement.Failed
            : results.Any(r => r.Phase == Measurement.Inconclusive) ? Measurement.Inconclusive : Measurement.Successful);
        if (failure is not null) return StepResult.Failed(failure.Message(), outputs);
        if (results.FirstOrDefault(r => r.Phase == Measurement.Inconclusive) is { } unsure)
            return StepResult.Inconclusive(unsure.Message(), outputs);
        return StepResult.Succeeded(outputs);
    }

    private async Task MeasureAsync(MetricResult result, bool background, CancellationToken finish, CancellationTokenSource failed)
    {
        var metric = result.Metric;
        _ = Durations.TryParse(metric.Interval, out var interval);
        var count = metric.Count ?? (background ? int.MaxValue : 1);
        using var until = CancellationTokenSource.CreateLinkedTokenSource(failed.Token, finish);
        for (var i = 0; i < count && !until.IsCancellationRequested; i++)
        {
            if (i > 0)
            {
                await Task.Delay(interval, time, until.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (until.IsCancellationRequested) break;
            }

            Measurement measurement;
            try
            {
                measurement = await source.MeasureAsync(metric, failed.Token);
            }
            catch (OperationCanceledException) when (failed.IsCancellationRequested)
            {
                break;
            }

            result.Add(measurement);
            log.Write(string.Create(CultureInfo.InvariantCulture,
                $"{metric.Name} ({metric.Source} {metric.Measure}) #{result.Measurements.Count}: {measurement.Phase} {Format(measurement.Value)} {measurement.Detail}"));
            if (result.Failures > metric.FailureLimit)
            {
                result.Phase = Measurement.Failed;
                await failed.CancelAsync();
                return;
            }
        }

        result.Phase = result.Inconclusives > metric.InconclusiveLimit ? Measurement.Inconclusive : Measurement.Successful;
    }

    private static JsonObject Outputs(List<MetricResult> results, string phase) => new()
    {
        ["analysis"] = new JsonObject
        {
            ["phase"] = phase,
            ["metrics"] = new JsonArray(results.Select(r => (JsonNode)r.ToJson()).ToArray()),
        },
    };

    private static string Format(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    private sealed class MetricResult(MetricSpec metric)
    {
        public MetricSpec Metric { get; } = metric;
        public List<Measurement> Measurements { get; } = [];
        public string Phase { get; set; } = Measurement.Inconclusive;
        public int Failures => Measurements.Count(m => m.Phase == Measurement.Failed);
        public int Inconclusives => Measurements.Count(m => m.Phase == Measurement.Inconclusive);

        public void Add(Measurement measurement)
        {
            lock (Measurements) Measurements.Add(measurement);
        }

        public string Message()
        {
            var last = Measurements.LastOrDefault(m => m.Phase == Phase) ?? Measurements.LastOrDefault();
            var counted = Phase == Measurement.Failed ? Failures : Inconclusives;
            return string.Create(CultureInfo.InvariantCulture,
                $"metric {Metric.Name} ({Metric.Source} {Metric.Measure}) {Phase.ToLowerInvariant()} {counted} of {Measurements.Count} measurements: {Format(last?.Value)} {last?.Detail}").TrimEnd();
        }

        public JsonObject ToJson() => new()
        {
            ["name"] = Metric.Name,
            ["source"] = Metric.Source,
            ["measure"] = Metric.Measure,
            ["phase"] = Phase,
            ["measurements"] = new JsonArray(Measurements.Select(m => (JsonNode)new JsonObject
            {
                ["at"] = m.At,
                ["phase"] = m.Phase,
                ["value"] = m.Value,
                ["detail"] = m.Detail,
            }).ToArray()),
        };
    }
}
