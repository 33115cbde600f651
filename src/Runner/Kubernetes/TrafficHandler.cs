using k8s;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using k8s.Models;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary><c>traffic.shift</c> and <c>revision.promote</c>. The <c>jetstream-svc</c> Service balances over every
/// ready pod of every revision, so a revision's share of traffic is its share of replicas: shifting sets (never adds to)
/// both Deployments' replica counts; promoting gives the revision all replicas and scales the others to zero.</summary>
internal sealed class TrafficHandler(RolloutWaiter waiter)
{
    public async Task<StepResult> ShiftAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var weight = Math.Clamp(step.IntParameter("weight") ?? 100, 0, 100);
        var total = Math.Max(1, step.Spec.Engine.Replicas);
        var stable = step.State.StableRevision;
        if (stable == step.Revision || stable is null
            || await KubeRead.DeploymentAsync(step.Client, Names.Deployment(stable), step.Namespace, cancellationToken) is null)
        {
            stable = null;
        }

        var canary = weight == 0 ? 0 : Math.Max(1, (int)Math.Round(total * weight / 100.0));
        if (stable is not null && weight < 100 && total > 1)
        {
            canary = Math.Min(canary, total - 1);
        }

        if (stable is not null)
        {
            // Before any scaling: the stable's HPA must not undo the split.
            await AutoscalerObjects.PinAsync(step, stable, total - canary, cancellationToken);
        }

        await ScaleAsync(step, step.Revision, stable is null ? total : canary, cancellationToken);
        if (stable is not null)
        {
            await ScaleAsync(step, stable, total - canary, cancellationToken);
        }

        await waiter.WaitAsync(step, step.Revision, cancellationToken);
        step.Log.Write($"{step.Revision}: {canary}/{total} replicas ({weight}% asked){(stable is null ? "" : $", {stable}: {total - canary}")}");
        return StepResult.Succeeded(EnvironmentStates.Output(step.State with
        {
            CanaryRevision = step.Revision,
            CanaryWeight = weight,
            FrontUrl = step.FrontUrl,
        }));
    }

    public async Task<StepResult> PromoteAsync(KubeStep step, CancellationToken cancellationToken)
    {
        await ScaleAsync(step, step.Revision, Math.Max(1, step.Spec.Engine.Replicas), cancellationToken);
        await waiter.WaitAsync(step, step.Revision, cancellationToken);
        foreach (var other in await RevisionsAsync(step, cancellationToken))
        {
            if (other != step.Revision)
            {
                await ScaleAsync(step, other, 0, cancellationToken);
            }
        }

        // Only now does the revision serve all traffic: from here its HPA, not the traffic steps, sets its replicas.
        await AutoscalerObjects.ApplyForStableAsync(step, step.State.StableRevision, cancellationToken);

        return StepResult.Succeeded(EnvironmentStates.Output(step.State with
        {
            StableRevision = step.Revision,
            CanaryRevision = null,
            CanaryWeight = 0,
            FrontUrl = step.FrontUrl,
        }));
    }

    /// <summary><c>revision.rollback</c>: the stable revision gets all replicas back (and is waited for) before the canary
    /// is scaled to zero and its Deployment deleted, so the Service always has ready pods behind it. 404 is done.</summary>
    public async Task<StepResult> RollbackAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var stable = step.State.StableRevision;
        if (stable is not null && stable != step.Revision
            && await KubeRead.DeploymentAsync(step.Client, Names.Deployment(stable), step.Namespace, cancellationToken) is not null)
        {
            // The range back first: held at the canary's split, the HPA would scale the stable down again meanwhile.
            await AutoscalerObjects.UnpinAsync(step, stable, cancellationToken);
            await ScaleAsync(step, stable, Math.Max(1, step.Spec.Engine.Replicas), cancellationToken);
            await waiter.WaitAsync(step, stable, cancellationToken);
            step.Log.Write($"{stable}: all {Math.Max(1, step.Spec.Engine.Replicas)} replicas ready: all traffic is back on it");
        }
        else
        {
            stable = null;
            step.Log.Write("there is no stable Deployment to go back to; only the canary is removed");
        }

        try
        {
            await ScaleAsync(step, step.Revision, 0, cancellationToken);
            await step.Client.AppsV1.DeleteNamespacedDeploymentAsync(
                Names.Deployment(step.Revision), step.Namespace, propagationPolicy: "Background", cancellationToken: cancellationToken);
            step.Log.Write($"{step.Revision}: scaled to zero and deleted deployment {Names.Deployment(step.Revision)}");
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            step.Log.Write($"{step.Revision}: no deployment left to remove");
        }

        await AutoscalerObjects.DeleteAsync(step, step.Revision, cancellationToken);

        var reason = step.Claim.Parameters["reason"]?.GetValue<string>() ?? "rolled back";
        return StepResult.Succeeded(EnvironmentStates.Output(step.State with
        {
            CanaryRevision = null,
            CanaryWeight = 0,
            RollingBackRevision = null,
            FrontUrl = step.FrontUrl,
            LastRollback = new Contracts.RollbackRecord { Revision = step.Revision, ToRevision = stable, Reason = reason, RunId = step.Claim.RunId, At = step.Time.GetUtcNow() },
        }));
    }

    /// <summary>The revisions that have a Deployment, newest first (revision ids are <c>rN</c>).</summary>
    public static async Task<IReadOnlyList<string>> RevisionsAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var list = await step.Client.AppsV1.ListNamespacedDeploymentAsync(
            step.Namespace, labelSelector: $"{Names.AppLabel}={Names.App}", cancellationToken: cancellationToken);
        return list.Items
            .Select(d => d.Metadata.Labels?.TryGetValue(Names.RevisionLabel, out var r) == true ? r : null)
            .OfType<string>()
            .OrderByDescending(r => int.TryParse(r.TrimStart('r'), out var n) ? n : 0)
            .ToList();
    }

    private static async Task ScaleAsync(KubeStep step, string revision, int replicas, CancellationToken cancellationToken)
    {
        var patch = new V1Patch("{\"spec\":{\"replicas\":" + replicas + "}}", V1Patch.PatchType.MergePatch);
        await step.Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
            patch, Names.Deployment(revision), step.Namespace, fieldManager: Names.FieldManager, cancellationToken: cancellationToken);
    }
}
