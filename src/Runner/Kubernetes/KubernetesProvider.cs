using Contracts;
using Contracts.Protocol;
using Contracts.Specs;
using k8s;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary>The <c>kubernetes</c> target: an existing cluster reached through a kubeconfig (its file and context from
/// the spec, else the default kubeconfig) or, when the runner itself runs in a pod, the in-cluster service account.</summary>
internal sealed class KubernetesProvider(KubernetesSteps steps) : IStepExecutor
{
    public async Task<StepResult> ExecuteAsync(StepClaim claim, IStepLog log, WorkStop stop, CancellationToken cancellationToken)
    {
        if (claim.Kind == StepKinds.Noop)
        {
            return StepResult.Succeeded();
        }

        if (!KubernetesSteps.Handles(claim.Kind))
        {
            return StepResult.Failed($"step kind {claim.Kind} is not supported by the kubernetes target");
        }

        var spec = System.Text.Json.JsonSerializer.Deserialize<RolloutSpec>(claim.Spec, ContractJson.Options) ?? new RolloutSpec();
        try
        {
            using var client = new k8s.Kubernetes(Configuration(spec.Target.Kubernetes ?? new KubernetesTargetSpec()));
            return await steps.RunAsync(claim, log, client, cancellationToken);
        }
        catch (StepFailedException e)
        {
            return StepResult.Failed(e.Message);
        }
    }

    public static KubernetesClientConfiguration Configuration(KubernetesTargetSpec target)
    {
        if (string.IsNullOrEmpty(target.Kubeconfig) && KubernetesClientConfiguration.IsInCluster())
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        var file = string.IsNullOrEmpty(target.Kubeconfig) ? null : target.Kubeconfig;
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(
            file, string.IsNullOrEmpty(target.Context) ? null : target.Context);
    }
}
