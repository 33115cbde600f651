using System.Text.Json.Nodes;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary><c>nodepool.ensure</c> (Standard only): the TPU v5e pool, created once like the cluster. A stock-out or quota
/// error is a step failure that names the zone and machine type, not an endless retry.</summary>
internal sealed class NodePoolHandler(GoogleRestClient client, OperationWaiter waiter, IStepProgress progress, GcpOptions options, TimeProvider time)
{
    public async Task<StepResult> RunAsync(GkeStep step, CancellationToken cancellationToken)
    {
        if (!step.Target.Standard)
        {
            step.Log.Write("Autopilot provisions TPU nodes from the workloads' node selectors: no node pool to create");
            return StepResult.Skipped();
        }

        try
        {
            return await EnsureAsync(step, cancellationToken);
        }
        catch (OperationFailedException e) when (e.Exhausted)
        {
            throw new StepFailedException(Exhausted(step, e.ApiMessage));
        }
        catch (GoogleApiException e) when (e.HttpStatus is 429 or 403 && e.Status is "RESOURCE_EXHAUSTED" or "QUOTA_EXCEEDED")
        {
            throw new StepFailedException(Exhausted(step, e.ApiMessage));
        }
        catch (OperationFailedException e)
        {
            throw new StepFailedException($"creating node pool {CloudTargets.Google.GkeTarget.TpuPoolName} failed: {e.ApiMessage} (code {e.Code})");
        }
    }

    private async Task<StepResult> EnsureAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var pool = CloudTargets.Google.GkeTarget.TpuPoolName;
        if (step.PreviousOutput("operation") is { } previous)
        {
            step.Log.Write($"resuming node pool operation {previous} of an earlier attempt");
            await waiter.WaitAsync(step.Gke, previous, step.Log, cancellationToken);
        }
        else if (await FindAsync(step, cancellationToken) is null)
        {
            var tpu = step.Spec.Target.Gke!.Tpu;
            step.Log.Write($"creating node pool {pool}: {tpu.Nodes} x {tpu.MachineType}, topology {tpu.Topology}, zone {step.Target.Zone}");
            try
            {
                var operation = await client.SendAsync(step.Gke.CreateNodePool(), step.Log, cancellationToken);
                var name = (string?)operation["name"] ?? throw new StepFailedException("node pool create answered no operation name");
                await progress.SaveAsync(step.Claim, new JsonObject { ["operation"] = name }, cancellationToken);
                await waiter.WaitAsync(step.Gke, name, step.Log, cancellationToken);
            }
            catch (GoogleApiException e) when (e.AlreadyExists)
            {
                step.Log.Write($"node pool {pool} already exists: adopting it");
            }
        }

        var found = await WaitRunningAsync(step, cancellationToken);
        var differences = CloudTargets.Google.Compatibility.NodePoolDifferences(step.Target, found);
        if (differences.Count > 0)
        {
            throw new StepFailedException($"node pool {pool} exists with incompatible settings: {string.Join("; ", differences)}");
        }

        return StepResult.Succeeded(new JsonObject { ["nodePool"] = pool, ["operation"] = step.PreviousOutput("operation") });
    }

    private async Task<JsonObject?> FindAsync(GkeStep step, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(step.Gke.GetNodePool(), step.Log, cancellationToken);
        }
        catch (GoogleApiException e) when (e.NotFound)
        {
            return null;
        }
    }

    private async Task<JsonObject> WaitRunningAsync(GkeStep step, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pool = await FindAsync(step, cancellationToken)
                ?? throw new StepFailedException($"node pool {CloudTargets.Google.GkeTarget.TpuPoolName} disappeared while it was being set up");
            switch ((string?)pool["status"])
            {
                case "RUNNING" or "RUNNING_WITH_ERROR":
                    return pool;
                case "ERROR" or "STOPPING":
                    throw new StepFailedException(Exhausted(step, (string?)pool["statusMessage"] ?? $"node pool is {pool["status"]}"));
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }

    private static string Exhausted(GkeStep step, string detail) =>
        $"no TPU capacity or quota for {step.Spec.Target.Gke!.Tpu.MachineType} in zone {step.Target.Zone}: {detail}. " +
        "Try another zone with TPU v5e, request quota, or retry later.";
}
