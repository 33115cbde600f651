using CloudTargets.Kubernetes;
using k8s;
using k8s.Models;

namespace Runner.Kubernetes;

/// <summary>A revision's pods, found by the labels its Deployment selects them by.</summary>
internal static class RevisionPods
{
    public static string Selector(string revision) => $"{Names.AppLabel}={Names.App},{Names.RevisionLabel}={revision}";

    public static async Task<IList<V1Pod>> ListAsync(KubeStep step, string revision, CancellationToken cancellationToken) =>
        (await step.Client.CoreV1.ListNamespacedPodAsync(step.Namespace, labelSelector: Selector(revision), cancellationToken: cancellationToken)).Items;

    /// <summary>Ready as the Service sees it: the pod's Ready condition (its readiness probe on <c>/healthcheck</c>
    /// passes), and not being deleted.</summary>
    public static bool IsReady(V1Pod pod) =>
        pod.Metadata?.DeletionTimestamp is null && pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Restarts of all the pod's containers since the pod was created.</summary>
    public static int Restarts(V1Pod pod) => pod.Status?.ContainerStatuses?.Sum(s => s.RestartCount) ?? 0;
}
