using System.Text.Json.Nodes;
using CloudTargets.Kubernetes;
using k8s;
using k8s.Models;
using Runner.Agent;

namespace Runner.Kubernetes;

/// <summary><c>checkpoint.convert</c>: skipped when the converted checkpoint is already in the bucket with the checksums
/// the marker of a finished conversion recorded; otherwise runs (or
/// adopts, after a runner restart) the <c>checkpoint-converter</c> Job, streams its pod's log into the step's log, and
/// ends with the Job: done (then the marker is written), or failed with the pod's reason and last log lines.</summary>
internal sealed class ConvertJobHandler(ICheckpointStore store, TimeProvider time)
{
    private const string Container = "inference-checkpoint";

    public async Task<StepResult> RunAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var model = step.Manifests.Model;
        var bucket = step.Target.Bucket;
        var outputs = new JsonObject { ["checkpoint"] = $"gs://{bucket}/{model.ObjectPrefix}" };
        if (!string.IsNullOrEmpty(bucket))
        {
            if (await store.StaleReasonAsync(bucket, model, cancellationToken) is not { } stale)
            {
                step.Log.Write($"gs://{bucket}/{model.ObjectPrefix} already holds the converted checkpoint (checksums match {model.MarkerObject}): nothing to convert");
                return StepResult.Skipped(outputs);
            }

            step.Log.Write($"converting into gs://{bucket}/{model.ObjectPrefix}: {stale}");
        }

        await StartAsync(step, cancellationToken);
        await FollowAsync(step, cancellationToken);
        if (!string.IsNullOrEmpty(bucket))
        {
            await store.RecordAsync(bucket, model, cancellationToken);
            step.Log.Write($"recorded the converted objects' checksums in gs://{bucket}/{model.MarkerObject}");
        }

        return StepResult.Succeeded(outputs);
    }

    /// <summary>A Job of this revision still running is adopted; a finished or foreign one is replaced.</summary>
    private static async Task StartAsync(KubeStep step, CancellationToken cancellationToken)
    {
        var job = await KubeRead.JobAsync(step.Client, Names.ConverterJob, step.Namespace, cancellationToken);
        if (job is not null)
        {
            var sameRevision = job.Metadata.Labels?.TryGetValue(Names.RevisionLabel, out var revision) == true && revision == step.Revision;
            if (sameRevision && Finished(job) is null)
            {
                step.Log.Write($"job {Names.ConverterJob} of {step.Revision} is already running: following it");
                return;
            }

            step.Log.Write($"replacing the earlier job {Names.ConverterJob}");
            await step.Client.BatchV1.DeleteNamespacedJobAsync(
                Names.ConverterJob, step.Namespace, propagationPolicy: "Background", cancellationToken: cancellationToken);
            while (await KubeRead.JobAsync(step.Client, Names.ConverterJob, step.Namespace, cancellationToken) is not null)
            {
                await Task.Delay(step.Options.PollInterval, step.Time, cancellationToken);
            }
        }

        await KubeApply.ApplyAsync(step.Client, step.Manifests.ConverterJob(), cancellationToken);
        step.Log.Write($"started job {Names.ConverterJob}: {step.Manifests.Model.HuggingFaceRepo} → gs://{step.Target.Bucket}/{step.Manifests.Model.ObjectPrefix}");
    }

    private async Task FollowAsync(KubeStep step, CancellationToken cancellationToken)
    {
        Task? logs = null;
        var selector = $"job-name={Names.ConverterJob}";
        while (true)
        {
            var job = await KubeRead.JobAsync(step.Client, Names.ConverterJob, step.Namespace, cancellationToken)
                ?? throw new StepFailedException($"job {Names.ConverterJob} was deleted while it ran");
            var pods = await step.Client.CoreV1.ListNamespacedPodAsync(step.Namespace, labelSelector: selector, cancellationToken: cancellationToken);
            var pod = pods.Items.OrderByDescending(p => p.Metadata.CreationTimestamp).FirstOrDefault();
            if (pod is not null && logs is null && pod.Status?.Phase is "Running" or "Succeeded" or "Failed")
            {
                logs = StreamLogsAsync(step, pod, cancellationToken);
            }

            switch (Finished(job))
            {
                case true:
                    await Drain(logs);
                    step.Log.Write($"job {Names.ConverterJob} completed");
                    return;
                case false:
                    await Drain(logs);
                    throw new StepFailedException(await FailureAsync(step, job, pod, cancellationToken));
            }

            if (pod is not null && PodDiagnostics.Unschedulable(pod) is { } unschedulable
                && time.GetUtcNow().UtcDateTime - unschedulable.Since > step.Options.UnschedulableGrace)
            {
                throw new StepFailedException($"converter pod {pod.Metadata.Name} cannot be scheduled: {unschedulable.Message}");
            }

            await Task.Delay(step.Options.PollInterval, time, cancellationToken);
        }
    }

    /// <summary>True: complete; false: failed; null: still running.</summary>
    private static bool? Finished(V1Job job)
    {
        var conditions = job.Status?.Conditions ?? [];
        if (conditions.Any(c => c.Type == "Complete" && c.Status == "True"))
        {
            return true;
        }

        return conditions.Any(c => c.Type == "Failed" && c.Status == "True") ? false : null;
    }

    private static async Task<string> FailureAsync(KubeStep step, V1Job job, V1Pod? pod, CancellationToken cancellationToken)
    {
        var condition = job.Status?.Conditions?.FirstOrDefault(c => c.Type == "Failed");
        var text = $"job {Names.ConverterJob} failed ({condition?.Reason}: {condition?.Message})";
        if (pod is null)
        {
            return text;
        }

        var reason = PodDiagnostics.TerminatedReason(pod) ?? "no container reason";
        var lines = await PodDiagnostics.LastLinesAsync(step.Client, pod, Container, step.Options.LogTailLines, previous: false, cancellationToken);
        return $"{text}: pod {pod.Metadata.Name}: {reason}; last log lines:\n{lines}";
    }

    private static async Task StreamLogsAsync(KubeStep step, V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = await step.Client.CoreV1.ReadNamespacedPodLogAsync(
                pod.Metadata.Name, step.Namespace, container: Container, follow: true, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                step.Log.Write($"[{pod.Metadata.Name}] {line}");
            }
        }
        catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or IOException)
        {
            step.Log.Write($"log stream of {pod.Metadata.Name} ended: {e.Message}");
        }
    }

    // The log stream ends when the container does; a stream that hangs must not hold the step.
    private async Task Drain(Task? logs)
    {
        if (logs is not null)
        {
            await Task.WhenAny(logs, Task.Delay(TimeSpan.FromSeconds(10), time));
        }
    }
}
