using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Runner.Kubernetes;

/// <summary>
/// Each revision's HorizontalPodAutoscaler and PodMonitoring (named after its Deployment). The HPA and the canary's
/// traffic steps must never both set one Deployment's replicas, so an HPA exists only on a revision that serves all
/// traffic: it is applied when the revision is promoted; while a canary runs, the stable's HPA is held at the count the
/// traffic step gave it (<c>minReplicas = maxReplicas</c>, the range kept in an annotation) and the canary has none; a
/// rollback gives the stable its range back; a promotion deletes the previous stable's HPA (scaled to zero), a rollback
/// or a cleanup deletes both objects of the revision it removes. 404 is done everywhere.
/// </summary>
internal static class AutoscalerObjects
{
    private const string MonitoringGroup = "monitoring.googleapis.com";
    private const string MonitoringVersion = "v1";
    private const string MonitoringPlural = "podmonitorings";

    /// <summary><c>engine.deploy</c>: the PodMonitoring, so that the metric has series by the time the HPA reads it.</summary>
    public static async Task ApplyMonitoringAsync(KubeStep step, CancellationToken cancellationToken)
    {
        if (step.Manifests.PodMonitoring() is not { } monitoring) return;
        await step.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(monitoring.ToJsonString(), V1Patch.PatchType.ApplyPatch), MonitoringGroup, MonitoringVersion, step.Namespace, MonitoringPlural,
            Names.Deployment(step.Revision), fieldManager: Names.FieldManager, fieldValidation: "Strict", force: true, cancellationToken: cancellationToken);
        step.Log.Write($"applied podmonitoring {Names.Deployment(step.Revision)} (port {Names.ServerPort} /metrics every {AutoscalingManifests.ScrapeInterval})");
    }

    /// <summary><c>revision.promote</c>: the promoted revision's HPA (when its spec autoscales); the previous stable's goes.</summary>
    public static async Task ApplyForStableAsync(KubeStep step, string? previousStable, CancellationToken cancellationToken)
    {
        if (previousStable is not null && previousStable != step.Revision) await DeleteHpaAsync(step, previousStable, cancellationToken);
        if (step.Manifests.HorizontalPodAutoscaler() is not { } hpa) return;
        await KubeApply.ApplyAsync(step.Client, hpa, cancellationToken);
        var autoscaling = step.Spec.Engine.Autoscaling!;
        step.Log.Write($"applied horizontalpodautoscaler {Names.Deployment(step.Revision)}: {autoscaling.MinReplicas}-{autoscaling.MaxReplicas} replicas on "
            + $"{AutoscalingManifests.MetricName(autoscaling)} averaging {AutoscalingManifests.Quantity(Contracts.Specs.AutoscalingMetrics.GaugeTarget(autoscaling))} per pod");
    }

    /// <summary><c>traffic.shift</c>: holds the stable's HPA at <paramref name="replicas"/> (at least 1: an HPA leaves a
    /// Deployment scaled to zero alone) before the traffic step scales it.</summary>
    public static async Task PinAsync(KubeStep step, string revision, int replicas, CancellationToken cancellationToken)
    {
        if (await ReadHpaAsync(step, revision, cancellationToken) is not { } hpa) return;
        var pinned = Math.Max(1, replicas);
        var annotations = new JsonObject();
        if (hpa.Metadata.Annotations?.ContainsKey(Names.PinnedAnnotation) != true)
        {
            annotations[Names.PinnedAnnotation] = new JsonObject { ["minReplicas"] = hpa.Spec.MinReplicas ?? 1, ["maxReplicas"] = hpa.Spec.MaxReplicas }.ToJsonString();
        }

        await PatchHpaAsync(step, revision, annotations, pinned, pinned, cancellationToken);
        step.Log.Write($"{revision}: its horizontalpodautoscaler is held at {pinned} replica(s) while the canary runs");
    }

    /// <summary><c>revision.rollback</c>: the stable's HPA gets back the range it had before the canary.</summary>
    public static async Task UnpinAsync(KubeStep step, string revision, CancellationToken cancellationToken)
    {
        if (await ReadHpaAsync(step, revision, cancellationToken) is not { } hpa
            || hpa.Metadata.Annotations?.TryGetValue(Names.PinnedAnnotation, out var saved) != true) return;
        var range = JsonNode.Parse(saved!)!;
        var min = (int)range["minReplicas"]!;
        var max = (int)range["maxReplicas"]!;
        await PatchHpaAsync(step, revision, new JsonObject { [Names.PinnedAnnotation] = null }, min, max, cancellationToken);
        step.Log.Write(string.Create(CultureInfo.InvariantCulture, $"{revision}: its horizontalpodautoscaler scales {min}-{max} replicas again"));
    }

    /// <summary>The revision's HPA and PodMonitoring, for a rollback or a cleanup that removes the revision.</summary>
    public static async Task DeleteAsync(KubeStep step, string revision, CancellationToken cancellationToken)
    {
        await DeleteHpaAsync(step, revision, cancellationToken);
        try
        {
            await step.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
                MonitoringGroup, MonitoringVersion, step.Namespace, MonitoringPlural, Names.Deployment(revision), cancellationToken: cancellationToken);
            step.Log.Write($"deleted podmonitoring {Names.Deployment(revision)}");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Never created (no autoscaling), already gone, or no Managed Service for Prometheus on this cluster: done.
        }
    }

    private static async Task DeleteHpaAsync(KubeStep step, string revision, CancellationToken cancellationToken)
    {
        try
        {
            await step.Client.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(Names.Deployment(revision), step.Namespace, cancellationToken: cancellationToken);
            step.Log.Write($"deleted horizontalpodautoscaler {Names.Deployment(revision)}");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private static async Task<V2HorizontalPodAutoscaler?> ReadHpaAsync(KubeStep step, string revision, CancellationToken cancellationToken)
    {
        try
        {
            return await step.Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync(Names.Deployment(revision), step.Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task PatchHpaAsync(KubeStep step, string revision, JsonObject annotations, int min, int max, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = annotations },
            ["spec"] = new JsonObject { ["minReplicas"] = min, ["maxReplicas"] = max },
        };
        await step.Client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), Names.Deployment(revision), step.Namespace,
            fieldManager: Names.FieldManager, cancellationToken: cancellationToken);
    }
}
