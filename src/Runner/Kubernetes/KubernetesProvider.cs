using Contracts;
using Contracts.Specs;
using k8s;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary>The <c>kubernetes</c> target: an existing cluster reached through a kubeconfig (its file and context from
/// the spec, else the default kubeconfig) or, when the runner itself runs in a pod, the in-cluster service account.</summary>
internal sealed class KubernetesProvider(KubernetesSteps steps) : IStepExecutor
{
    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (context.Kind == StepKinds.Noop)
        {
            return StepResult.Succeeded();
        }

        if (!KubernetesSteps.Handles(context.Kind))
        {
            return StepResult.Failed($"step kind {context.Kind} is not supported by the kubernetes target");
        }

        try
        {
            using var client = new k8s.Kubernetes(Configuration(context.Spec.Target.Kubernetes ?? new KubernetesTargetSpec()));
            return await steps.RunAsync(context, client, cancellationToken);
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
