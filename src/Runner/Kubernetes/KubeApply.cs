using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using k8s;
using k8s.Models;

namespace Runner.Kubernetes;

/// <summary>Server-side apply of the builders' manifests, sent as they are (no round trip through typed models, which
/// would silently drop a misspelt field) with strict field validation: create or update in one idempotent call.</summary>
internal static class KubeApply
{
    public static async Task ApplyAsync(IKubernetes client, JsonObject manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var kind = (string?)manifest["kind"];
        var name = (string?)manifest["metadata"]?["name"] ?? throw new ArgumentException("manifest without a name", nameof(manifest));
        var ns = (string?)manifest["metadata"]?["namespace"] ?? "default";
        var patch = new V1Patch(manifest.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        const string manager = Names.FieldManager;
        const string strict = "Strict";
        _ = kind switch
        {
            "Secret" => (object)await client.CoreV1.PatchNamespacedSecretAsync(
                patch, name, ns, fieldManager: manager, fieldValidation: strict, force: true, cancellationToken: cancellationToken),
            "ServiceAccount" => await client.CoreV1.PatchNamespacedServiceAccountAsync(
                patch, name, ns, fieldManager: manager, fieldValidation: strict, force: true, cancellationToken: cancellationToken),
            "Service" => await client.CoreV1.PatchNamespacedServiceAsync(
                patch, name, ns, fieldManager: manager, fieldValidation: strict, force: true, cancellationToken: cancellationToken),
            "Deployment" => await client.AppsV1.PatchNamespacedDeploymentAsync(
                patch, name, ns, fieldManager: manager, fieldValidation: strict, force: true, cancellationToken: cancellationToken),
            "HorizontalPodAutoscaler" => await client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(
                patch, name, ns, fieldManager: manager, fieldValidation: strict, force: true, cancellationToken: cancellationToken),
            "Job" => await client.BatchV1.PatchNamespacedJobAsync(
                patch, name, ns, fieldManager: manager, fieldValidation: strict, force: true, cancellationToken: cancellationToken),
            _ => throw new ArgumentException($"no apply for kind {kind}", nameof(manifest)),
        };
    }
}
