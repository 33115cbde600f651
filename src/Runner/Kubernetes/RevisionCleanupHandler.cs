using k8s;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary><c>cleanup</c>: deletes the Deployments of revisions that are neither this run's, nor stable, nor among the
/// <c>keepRevisions</c> most recent, with their HorizontalPodAutoscalers and PodMonitorings; the kept retired ones stay
/// scaled to zero for a quick rollback. 404 is done.</summary>
internal static class RevisionCleanupHandler
{
    public static async Task<StepResult> RunAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var keep = Math.Max(0, step.IntParameter("keepRevisions") ?? step.Spec.Cleanup.KeepRevisions);
        var all = await TrafficHandler.RevisionsAsync(step, cancellationToken);
        var kept = all.Take(keep).ToHashSet(StringComparer.Ordinal);
        kept.Add(step.Revision);
        if (step.State.StableRevision is { } stable)
        {
            kept.Add(stable);
        }

        var removed = new JsonArray();
        foreach (var revision in all.Where(r => !kept.Contains(r)))
        {
            try
            {
                await step.Client.AppsV1.DeleteNamespacedDeploymentAsync(
                    Names.Deployment(revision), step.Namespace, propagationPolicy: "Background", cancellationToken: cancellationToken);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Already gone: done.
            }

            step.Log.Write($"deleted deployment {Names.Deployment(revision)}");
            await AutoscalerObjects.DeleteAsync(step, revision, cancellationToken);
            removed.Add(revision);
        }

        return StepResult.Succeeded(new JsonObject { ["removedRevisions"] = removed });
    }
}
