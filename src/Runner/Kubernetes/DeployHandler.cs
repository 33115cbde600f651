using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary><c>engine.deploy</c>: the Service and this revision's Deployment, applied; then waits until the revision's
/// pods are available. The first revision gets all replicas; a canary starts with one, and traffic.shift sets the
/// split (and the HPA, when the spec autoscales, comes with promotion: see AutoscalerObjects). The startup probe allows
/// for the checkpoint's size (<see cref="LoadBudget"/>). A crash-looping or unschedulable pod fails the step with its
/// reason and last log lines.</summary>
internal sealed class DeployHandler(RolloutWaiter waiter, ICheckpointStore checkpoints)
{
    public async Task<StepResult> RunAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var stable = step.State.StableRevision;
        var replicas = stable is null || stable == step.Revision ? step.Spec.Engine.Replicas : 1;
        await KubeApply.ApplyAsync(step.Client, step.Manifests.Service(), cancellationToken);
        // The startup probe's budget grows with the checkpoint the conversion recorded.
        var bytes = step.Manifests.NeedsConversion
            ? await checkpoints.CheckpointBytesAsync(step.Target.Bucket, step.Manifests.Model, cancellationToken)
            : null;
        step.Log.Write(step.Manifests.LoadBudget(bytes).Describe());
        await KubeApply.ApplyAsync(step.Client, step.Manifests.Deployment(replicas, bytes), cancellationToken);
        step.Log.Write($"applied deployment {Names.Deployment(step.Revision)} with {replicas} replica(s) behind service {Names.Service}");
        await AutoscalerObjects.ApplyMonitoringAsync(step, cancellationToken);
        await waiter.WaitAsync(step, step.Revision, cancellationToken);
        return StepResult.Succeeded(new JsonObject { ["deployment"] = Names.Deployment(step.Revision), ["replicas"] = replicas });
    }
}
