using System.Text.Json.Nodes;
using CloudTargets.Google;
using Runner.Agent;
using Runner.Kubernetes;

namespace Runner.Gke;

/// <summary><c>nodepool.ensure</c> (Standard only): the TPU v5e pool, created once like the cluster. A stock-out moves on
/// to the next of <c>tpu.zones</c> (the failed pool deleted first, so the name is free); when every zone is stocked out,
/// or on a quota error, the step fails naming each zone and its error instead of retrying without end.</summary>
internal sealed class NodePoolHandler(GoogleRestClient client, OperationWaiter waiter, IStepProgress progress, GcpOptions options, TimeProvider time)
{
    private const string Pool = GkeTarget.TpuPoolName;

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
            throw new StepFailedException($"creating node pool {Pool} failed: {e.ApiMessage} (code {e.Code})");
        }
    }

    private async Task<StepResult> EnsureAsync(GkeStep step, CancellationToken cancellationToken)
    {
        var placement = new Placement(step.Target.Zones);
        await RecoverAsync(step, placement, cancellationToken);
        await PlaceAsync(step, placement, cancellationToken);
        var found = await WaitRunningAsync(step, placement.Zone!, cancellationToken);
        var differences = Compatibility.NodePoolDifferences(step.Target, found);
        if (differences.Count > 0)
        {
            throw new StepFailedException($"node pool {Pool} exists with incompatible settings: {string.Join("; ", differences)}");
        }

        return StepResult.Succeeded(new JsonObject { ["nodePool"] = Pool, ["zone"] = placement.Zone, ["operation"] = placement.Operation });
    }

    /// <summary>What an earlier attempt left: an operation to resume, a pool to adopt, or a stocked-out pool to clear.</summary>
    private async Task RecoverAsync(GkeStep step, Placement placement, CancellationToken cancellationToken)
    {
        if (step.PreviousOutput("operation") is { } previous)
        {
            var zone = step.PreviousOutput("zone") ?? placement.Zones[0];
            step.Log.Write($"resuming node pool operation {previous} of an earlier attempt (zone {zone})");
            placement.Next = placement.IndexAfter(zone);
            if (await StockedOutAsync(step, previous, cancellationToken) is { } error)
            {
                placement.StockOuts.Add((zone, error));
                await RemoveFailedAsync(step, zone, cancellationToken);
            }
            else
            {
                (placement.Operation, placement.Zone) = (previous, zone);
            }
        }
        else if (await FindAsync(step, cancellationToken) is { } existing)
        {
            var zone = (string?)existing["locations"]?[0] ?? placement.Zones[0];
            if ((string?)existing["status"] == "ERROR" && StockOut.Matches((string?)existing["statusMessage"]))
            {
                // Left by an attempt that died before it could move on.
                placement.StockOuts.Add((zone, (string?)existing["statusMessage"] ?? ""));
                placement.Next = placement.IndexAfter(zone);
                await RemoveFailedAsync(step, zone, cancellationToken);
            }
            else
            {
                step.Log.Write($"node pool {Pool} exists in {zone}: adopting it");
                placement.Zone = zone;
            }
        }
    }

    /// <summary>Creates the pool in each remaining zone in turn until one has capacity.</summary>
    private async Task PlaceAsync(GkeStep step, Placement placement, CancellationToken cancellationToken)
    {
        var zones = placement.Zones;
        for (var i = placement.Next; placement.Zone is null && i < zones.Count; i++)
        {
            if (placement.StockOuts.Count > 0)
            {
                var (zone, error) = placement.StockOuts[^1];
                step.Log.Write($"zone {zone} has no {step.Spec.Target.Gke!.Tpu.MachineType} capacity ({error}): trying {zones[i]}, next in tpu.zones");
            }

            (placement.Operation, var stockedOut) = await CreateAsync(step, zones[i], cancellationToken);
            if (stockedOut is null)
            {
                placement.Zone = zones[i];
            }
            else
            {
                placement.StockOuts.Add((zones[i], stockedOut));
                await RemoveFailedAsync(step, zones[i], cancellationToken);
            }
        }

        if (placement.Zone is null)
        {
            throw new StepFailedException(AllStockedOut(step, placement.StockOuts));
        }
    }

    /// <returns>The operation's name, and the stock-out error when the zone had no capacity.</returns>
    private async Task<(string? Operation, string? StockOut)> CreateAsync(GkeStep step, string zone, CancellationToken cancellationToken)
    {
        var tpu = step.Spec.Target.Gke!.Tpu;
        var how = (tpu.Spot ? ", Spot" : "") + (step.Target.FlexStart ? ", flex-start" : "");
        step.Log.Write($"creating node pool {Pool}: {tpu.Nodes} x {tpu.MachineType}, topology {tpu.Topology}, zone {zone}{how}");
        try
        {
            var operation = await client.SendAsync(step.Gke.CreateNodePool(zone), step.Log, cancellationToken);
            var name = (string?)operation["name"] ?? throw new StepFailedException("node pool create answered no operation name");
            await progress.SaveAsync(step.Claim, new JsonObject { ["operation"] = name, ["zone"] = zone }, cancellationToken);
            return (name, await StockedOutAsync(step, name, cancellationToken));
        }
        catch (GoogleApiException e) when (e.AlreadyExists)
        {
            step.Log.Write($"node pool {Pool} already exists: adopting it");
            return (null, null);
        }
        catch (GoogleApiException e) when (StockOut.Matches(e.ApiMessage))
        {
            return (null, e.ApiMessage);
        }
    }

    /// <returns>Null when the operation succeeded; the error message when it failed for a stock-out.</returns>
    private async Task<string?> StockedOutAsync(GkeStep step, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await waiter.WaitAsync(step.Gke, operation, step.Log, cancellationToken, step.Context.Progress);
            return null;
        }
        catch (OperationFailedException e) when (e.StockedOut)
        {
            return e.ApiMessage;
        }
    }

    // GKE keeps a pool whose create failed, in ERROR: it holds the name until deleted.
    private async Task RemoveFailedAsync(GkeStep step, string zone, CancellationToken cancellationToken)
    {
        if (await FindAsync(step, cancellationToken) is null)
        {
            return;
        }

        step.Log.Write($"deleting node pool {Pool} left in ERROR in {zone}");
        try
        {
            var operation = await client.SendAsync(step.Gke.DeleteNodePool(), step.Log, cancellationToken);
            await waiter.WaitAsync(step.Gke, (string?)operation["name"] ?? "", step.Log, cancellationToken, step.Context.Progress);
        }
        catch (GoogleApiException e) when (e.NotFound)
        {
            // Gone already.
        }
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

    private async Task<JsonObject> WaitRunningAsync(GkeStep step, string zone, CancellationToken cancellationToken)
    {
        while (true)
        {
            var pool = await FindAsync(step, cancellationToken)
                ?? throw new StepFailedException($"node pool {Pool} disappeared while it was being set up");
            switch ((string?)pool["status"])
            {
                case "RUNNING" or "RUNNING_WITH_ERROR":
                    return pool;
                case "ERROR" or "STOPPING":
                    throw new StepFailedException(Exhausted(step, (string?)pool["statusMessage"] ?? $"node pool is {pool["status"]}", zone));
            }

            await Task.Delay(options.PollInterval, time, cancellationToken);
        }
    }

    private static string AllStockedOut(GkeStep step, List<(string Zone, string Error)> stockOuts) =>
        $"no TPU capacity for {step.Spec.Target.Gke!.Tpu.MachineType} in any of tpu.zones: " +
        string.Join("; ", stockOuts.Select(s => $"{s.Zone}: {s.Error}")) +
        ". Add another zone with TPU v5e to tpu.zones, try provisioning: flex-start, or retry later.";

    private static string Exhausted(GkeStep step, string detail, string? zone = null) =>
        $"no TPU capacity or quota for {step.Spec.Target.Gke!.Tpu.MachineType} in zone {zone ?? string.Join(", ", step.Target.Zones)}: {detail}. " +
        "Try another zone with TPU v5e, request quota, or retry later.";

    /// <summary>Where the pool is going: the zones in order, those found stocked out, the next to try, and once placed
    /// its zone and the operation that made it. Not thread safe: one step works on it.</summary>
    private sealed class Placement(IReadOnlyList<string> zones)
    {
        public IReadOnlyList<string> Zones { get; } = zones;
        public List<(string Zone, string Error)> StockOuts { get; } = [];
        public int Next { get; set; }
        public string? Zone { get; set; }
        public string? Operation { get; set; }

        public int IndexAfter(string zone) => Zones.ToList().IndexOf(zone) + 1;
    }
}
