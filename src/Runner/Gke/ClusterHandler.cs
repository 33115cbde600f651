using System.Text.Json.Nodes;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary><c>cluster.ensure</c>: resume the stored operation, else adopt the existing cluster, else create it and store
/// the operation's name at once. Never a second create: 409 ALREADY_EXISTS means look it up and adopt it.</summary>
internal sealed class ClusterHandler(GoogleRestClient client, OperationWaiter waiter, IStepProgress progress, GcpOptions options, TimeProvider time)
{
    public async Task<StepResult> RunAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var target = step.Target;
        if (step.PreviousOutput("operation") is { } previous && step.PreviousOutput("endpoint") is null)
        {
            step.Log.Write($"resuming cluster operation {previous} of an earlier attempt");
            await WaitAsync(step, previous, cancellationToken);
        }
        else if (await FindAsync(step, cancellationToken) is null)
        {
            step.Log.Write($"creating {(target.Standard ? "Standard" : "Autopilot")} cluster {target.ClusterName} in {target.Region}");
            try
            {
                var operation = await client.SendAsync(step.Gke.CreateCluster(), step.Log, cancellationToken);
                var name = (string?)operation["name"] ?? throw new StepFailedException("cluster create answered no operation name");
                await progress.SaveAsync(step.Claim, new JsonObject { ["operation"] = name }, cancellationToken);
                await WaitAsync(step, name, cancellationToken);
            }
            catch (GoogleApiException e) when (e.AlreadyExists)
            {
                step.Log.Write($"cluster {target.ClusterName} already exists: adopting it");
            }
        }

        var cluster = await WaitRunningAsync(step, cancellationToken);
        var differences = CloudTargets.Google.Compatibility.ClusterDifferences(target, cluster);
        if (differences.Count > 0)
        {
            throw new StepFailedException(
                $"cluster {target.ClusterName} exists with incompatible settings: {string.Join("; ", differences)}");
        }

        step.Log.Write($"cluster {target.ClusterName} is RUNNING at {cluster["endpoint"]}");
        return StepResult.Succeeded(new JsonObject
        {
            ["cluster"] = target.ClusterName,
            ["location"] = target.Region,
            ["endpoint"] = (string?)cluster["endpoint"],
            ["operation"] = step.PreviousOutput("operation"),
        });
    }

    private async Task WaitAsync(GkeStep step, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.WaitAsync(step.Gke, operation, step.Log, cancellationToken, step.Context.Progress);
        }
        catch (OperationFailedException e)
        {
            throw new StepFailedException($"creating cluster {step.Target.ClusterName} in {step.Target.Region} failed: {e.ApiMessage} (code {e.Code})");
        }
    }

    private async Task<JsonObject?> FindAsync(GkeStep step, CancellationToken cancellationToken)
    {
        try
        {
            return await client.SendAsync(step.Gke.GetCluster(), step.Log, cancellationToken);
        }
        catch (GoogleApiException e) when (e.NotFound)
        {
            return null;
        }
    }

    /// <summary>An adopted cluster may still be provisioning (its operation unknown to us): wait on the cluster itself.</summary>
    private async Task<JsonObject> WaitRunningAsync(GkeStep step, CancellationToken cancellationToken)
    {
        while (true)
        {
            var cluster = await FindAsync(step, cancellationToken)
                ?? throw new StepFailedException($"cluster {step.Target.ClusterName} disappeared while it was being set up");
            switch ((string?)cluster["status"])
            {
                case "RUNNING":
                    return cluster;
                case "ERROR" or "DEGRADED" or "STOPPING":
                    throw new StepFailedException(
                        $"cluster {step.Target.ClusterName} is {cluster["status"]}: {(string?)cluster["statusMessage"] ?? "no message"}");
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }
}
