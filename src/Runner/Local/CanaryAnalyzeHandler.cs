using Contracts.Specs;
using Runner.Agent;
using Runner.Analysis;

namespace Runner.Local;

/// <summary><c>canary.analyze</c> on the local target: the step's analysis (inline, or background until the server asks it
/// to finish) measured by <see cref="LocalMetricSource"/> and decided by <see cref="AnalysisRunner"/>.</summary>
internal static class CanaryAnalyzeHandler
{
    public static Task<StepResult> RunAsync(LocalStep step, EngineProbe probe, CancellationToken cancellationToken)
    {
        if (step.Context.Parameter<AnalysisSpec>("analysis") is not { Metrics.Count: > 0 } analysis)
            return Task.FromResult(StepResult.Failed("the step names no analysis (parameters.analysis.metrics)"));
        var runner = new AnalysisRunner(new LocalMetricSource(step, probe, TimeProvider.System), step.Log, TimeProvider.System);
        return runner.RunAsync(analysis, step.Context.BoolParameter("background"), step.Context.Stop.FinishRequested, cancellationToken);
    }
}
