using Runner.Agent;
using Runner.Analysis;

namespace Runner.Kubernetes;

/// <summary><c>canary.analyze</c> on the <c>kubernetes</c> and <c>gke</c> targets: the step's analysis measured by
/// <see cref="KubernetesMetricSource"/> and decided by <see cref="AnalysisRunner"/>, as on the local target.</summary>
internal sealed class CanaryAnalyzeHandler(TimeProvider time)
{
    public async Task<StepResult> RunAsync(KubeStep step, CancellationToken cancellationToken)
    {
        using var source = new KubernetesMetricSource(step, time);
        return await AnalysisRunner.RunStepAsync(step.Context, source, time, cancellationToken);
    }
}
