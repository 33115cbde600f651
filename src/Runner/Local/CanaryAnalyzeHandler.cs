using Runner.Agent;
using Runner.Analysis;

namespace Runner.Local;

/// <summary><c>canary.analyze</c> on the local target: the step's analysis measured by <see cref="LocalMetricSource"/> and
/// decided by <see cref="AnalysisRunner"/>.</summary>
internal static class CanaryAnalyzeHandler
{
    public static Task<StepResult> RunAsync(LocalStep step, EngineProbe probe, CancellationToken cancellationToken) =>
        AnalysisRunner.RunStepAsync(step.Context, new LocalMetricSource(step, probe, step.Time), step.Time, cancellationToken);
}
