using Contracts.Protocol;
using Contracts.Specs;
using Runner.Agent;
using Runner.Kubernetes;
using Runner.Local;

namespace Runner.Gke;

/// <summary>Hands each claim to the provider of its spec's <c>target.kind</c>.</summary>
internal sealed class TargetRouter(LocalProvider local, KubernetesProvider kubernetes, GkeProvider gke) : IStepExecutor
{
    public Task<StepResult> ExecuteAsync(StepClaim claim, IStepLog log, WorkStop stop, CancellationToken cancellationToken) =>
        ((string?)claim.Spec["target"]?["kind"] ?? TargetKinds.Local) switch
        {
            TargetKinds.Gke => gke.ExecuteAsync(claim, log, stop, cancellationToken),
            TargetKinds.Kubernetes => kubernetes.ExecuteAsync(claim, log, stop, cancellationToken),
            _ => local.ExecuteAsync(claim, log, stop, cancellationToken),
        };
}
