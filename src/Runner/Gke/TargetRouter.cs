using Contracts.Specs;
using Runner.Agent;
using Runner.Kubernetes;
using Runner.Local;

namespace Runner.Gke;

/// <summary>Hands each claim to the provider of its spec's <c>target.kind</c>.</summary>
internal sealed class TargetRouter(LocalProvider local, KubernetesProvider kubernetes, GkeProvider gke) : IStepExecutor
{
    public Task<StepResult> ExecuteAsync(StepContext step, CancellationToken cancellationToken) =>
        step.Spec.Target.Kind switch
        {
            TargetKinds.Gke => gke.ExecuteAsync(step, cancellationToken),
            TargetKinds.Kubernetes => kubernetes.ExecuteAsync(step, cancellationToken),
            _ => local.ExecuteAsync(step, cancellationToken),
        };
}
