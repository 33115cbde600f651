using Contracts;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary>The steps that act on a Kubernetes cluster, shared by the <c>kubernetes</c> and <c>gke</c> targets.</summary>
internal sealed class KubernetesSteps(
    SecretHandler secret, ConvertJobHandler convert, DeployHandler deploy, TrafficHandler traffic, CanaryAnalyzeHandler analyze,
    KubeOptions options)
{
    public static bool Handles(string kind) => kind is StepKinds.SecretEnsure or StepKinds.CheckpointConvert or StepKinds.EngineDeploy
        or StepKinds.TrafficShift or StepKinds.CanaryAnalyze or StepKinds.RevisionPromote or StepKinds.RevisionRollback or StepKinds.Cleanup;

    public async Task<StepResult> RunAsync(StepContext context, k8s.Kubernetes client, CancellationToken cancellationToken)
    {
        var step = new KubeStep(context, client, options);
        try
        {
            return context.Kind switch
            {
                StepKinds.SecretEnsure => await secret.RunAsync(step, cancellationToken),
                StepKinds.CheckpointConvert => await convert.RunAsync(step, cancellationToken),
                StepKinds.EngineDeploy => await deploy.RunAsync(step, cancellationToken),
                StepKinds.TrafficShift => await traffic.ShiftAsync(step, cancellationToken),
                StepKinds.CanaryAnalyze => await analyze.RunAsync(step, cancellationToken),
                StepKinds.RevisionPromote => await traffic.PromoteAsync(step, cancellationToken),
                StepKinds.RevisionRollback => await traffic.RollbackAsync(step, cancellationToken),
                StepKinds.Cleanup => await RevisionCleanupHandler.RunAsync(step, cancellationToken),
                _ => StepResult.Failed($"step kind {context.Kind} is not supported on Kubernetes targets"),
            };
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            // The API server's Status message names the field (strict validation) or the conflict.
            return StepResult.Failed($"Kubernetes API {(int)e.Response.StatusCode}: {e.Response.Content}");
        }
    }
}
