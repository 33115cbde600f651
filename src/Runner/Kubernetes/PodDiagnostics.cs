using k8s;
using k8s.Models;

namespace Runner.Kubernetes;

/// <summary>Why a pod is not doing its job, in a sentence: a container's waiting or terminated reason, or the scheduler's
/// complaint; plus the last lines of its log.</summary>
internal static class PodDiagnostics
{
    public static readonly IReadOnlySet<string> FatalWaitingReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError", "InvalidImageName", "CreateContainerError",
    };

    /// <summary>A reason that will not go away by waiting, or null.</summary>
    public static string? FatalReason(V1Pod pod)
    {
        foreach (var status in pod.Status?.ContainerStatuses ?? [])
        {
            if (status.State?.Waiting is { } waiting && FatalWaitingReasons.Contains(waiting.Reason ?? ""))
            {
                var last = status.LastState?.Terminated is { } t ? $", last exit code {t.ExitCode} ({t.Reason})" : "";
                return $"container {status.Name} is {waiting.Reason}{last}: {waiting.Message}";
            }
        }

        return null;
    }

    public static string? TerminatedReason(V1Pod pod)
    {
        foreach (var status in pod.Status?.ContainerStatuses ?? [])
        {
            if (status.State?.Terminated is { ExitCode: not 0 } terminated)
            {
                return $"container {status.Name} terminated: {terminated.Reason} (exit code {terminated.ExitCode}){(string.IsNullOrEmpty(terminated.Message) ? "" : ": " + terminated.Message)}";
            }
        }

        return pod.Status?.Reason is { } reason ? $"pod {reason}: {pod.Status.Message}" : null;
    }

    /// <summary>The scheduler's message when the pod cannot be placed (e.g. no node with free TPU chips).</summary>
    public static (string Message, DateTime Since)? Unschedulable(V1Pod pod)
    {
        var condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable");
        return condition is null ? null : (condition.Message ?? "unschedulable", condition.LastTransitionTime ?? DateTime.UtcNow);
    }

    public static async Task<string> LastLinesAsync(IKubernetes client, V1Pod pod, string container, int lines, bool previous, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(
                pod.Metadata.Name, pod.Metadata.NamespaceProperty, container: container, tailLines: lines, previous: previous, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            var text = (await reader.ReadToEndAsync(cancellationToken)).TrimEnd();
            return text.Length == 0 ? "(no log lines)" : text;
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            return $"(log unavailable: {(int)e.Response.StatusCode})";
        }
    }
}
