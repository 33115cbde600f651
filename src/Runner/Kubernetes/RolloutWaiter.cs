using k8s;
using CloudTargets.Kubernetes;
using k8s.Models;

namespace Runner.Kubernetes;

/// <summary>Waits until a revision's Deployment has all its replicas updated and available. Fails at once on a pod that
/// will not recover by waiting (crash loop, image pull), on the Deployment's own progress deadline, and on a pod left
/// unschedulable past the grace.</summary>
internal sealed class RolloutWaiter(TimeProvider time)
{
    private const string Server = "jetstream-pytorch-server";

    public async Task WaitAsync(KubeStep step, string revision, CancellationToken cancellationToken)
    {
        var name = Names.Deployment(revision);
        while (true)
        {
            var deployment = await KubeRead.DeploymentAsync(step.Client, name, step.Namespace, cancellationToken)
                ?? throw new StepFailedException($"deployment {name} was deleted while it rolled out");
            var wanted = deployment.Spec.Replicas ?? 1;
            var ready = Math.Min(deployment.Status?.UpdatedReplicas ?? 0, deployment.Status?.AvailableReplicas ?? 0);
            step.Context.Progress.Report(ready, wanted, Contracts.Protocol.StepProgressUnits.Replicas, $"deployment {name}: {ready}/{wanted} replicas ready");
            if (Available(deployment))
            {
                step.Log.Write($"deployment {name}: {deployment.Status?.AvailableReplicas ?? 0}/{deployment.Spec.Replicas} replicas available");
                return;
            }

            foreach (var pod in await RevisionPods.ListAsync(step, revision, cancellationToken))
            {
                await CheckPodAsync(step, pod, cancellationToken);
            }

            var progressing = deployment.Status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing");
            if (progressing is { Status: "False", Reason: "ProgressDeadlineExceeded" })
            {
                throw new StepFailedException($"deployment {name} made no progress before its deadline: {progressing.Message}");
            }

            await Task.Delay(step.Options.PollInterval, time, cancellationToken);
        }
    }

    private static bool Available(V1Deployment deployment)
    {
        var wanted = deployment.Spec.Replicas ?? 1;
        var status = deployment.Status;
        return status is not null
            && (status.ObservedGeneration ?? 0) >= (deployment.Metadata.Generation ?? 0)
            && (status.UpdatedReplicas ?? 0) >= wanted
            && (status.AvailableReplicas ?? 0) >= wanted
            && (status.Replicas ?? 0) <= wanted;
    }

    private async Task CheckPodAsync(KubeStep step, V1Pod pod, CancellationToken cancellationToken)
    {
        if (PodDiagnostics.FatalReason(pod) is { } reason)
        {
            var container = pod.Status?.ContainerStatuses?.FirstOrDefault(s => s.State?.Waiting is not null)?.Name ?? Server;
            var lines = await PodDiagnostics.LastLinesAsync(step.Client, pod, container, step.Options.LogTailLines, previous: true, cancellationToken);
            throw new StepFailedException($"pod {pod.Metadata.Name} of {step.Revision}: {reason}; last log lines:\n{lines}");
        }

        if (PodDiagnostics.Unschedulable(pod) is { } unschedulable
            && time.GetUtcNow().UtcDateTime - unschedulable.Since > step.Options.UnschedulableGrace)
        {
            throw new StepFailedException($"pod {pod.Metadata.Name} of {step.Revision} cannot be scheduled: {unschedulable.Message}");
        }
    }
}
