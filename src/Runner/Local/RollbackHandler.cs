using Contracts;
using Runner.Agent;
using Runner.Front;
using Runner.Processes;

namespace Runner.Local;

/// <summary>
/// <c>revision.rollback</c>: all traffic back to the stable revision (returns once the front serves that table), then the
/// canary's replicas are drained and stopped; its converted checkpoint and state stay, so that a retry can redeploy
/// it. No request fails on the way: the front routes new requests to stable at once, requests in flight on the canary
/// finish within the drain delay, and a request that meets a stopped replica is resent before anything reached it.
/// </summary>
internal static class RollbackHandler
{
    public static async Task<StepResult> RunAsync(LocalStep step, EngineProbe probe, TimeProvider time, CancellationToken cancellationToken)
    {
        var canary = step.Revision;
        var current = RouteTable.Load(step.Layout.RoutesPath);
        var stable = current?.StableRevision ?? step.State.StableRevision;
        if (stable == canary) stable = null;
        if (stable is not null)
        {
            var endpoints = await Replicas.LiveEndpointsAsync(step.Layout, stable, probe, cancellationToken);
            if (endpoints.Count == 0)
                return StepResult.Failed($"the stable revision {stable} has no live replica: traffic cannot go back to it");
            await FrontControl.PublishAsync(step, probe, new RouteTable { StableRevision = stable, Revisions = [new RevisionRoute(stable, 100, endpoints)] }, cancellationToken);
            step.Log.Write($"all traffic is back on {stable}");
        }
        else
        {
            step.Log.Write("there is no stable revision to go back to; only the canary's replicas are stopped");
        }

        var replicas = Replicas.Recorded(step.Layout, canary).Where(r => r.IsAlive).ToList();
        if (replicas.Count > 0)
        {
            step.Log.Write($"draining {canary} for {step.Options.DrainDelay.TotalSeconds:0.#} s before stopping it");
            await Task.Delay(step.Options.DrainDelay, time, cancellationToken);
        }

        foreach (var replica in replicas)
        {
            await DetachedProcesses.StopAsync(replica, step.Options.ReplicaStopGrace, cancellationToken);
            step.Log.Write($"{canary}: stopped replica pid {replica.Pid} (port {replica.Port})");
        }

        var reason = step.Claim.Parameters["reason"]?.GetValue<string>() ?? "rolled back";
        return StepResult.Succeeded(EnvironmentStates.Output(step.State with
        {
            StableRevision = stable ?? step.State.StableRevision,
            CanaryRevision = null,
            CanaryWeight = 0,
            RollingBackRevision = null,
            FrontUrl = step.FrontUrl,
            LastRollback = new RollbackRecord { Revision = canary, ToRevision = stable, Reason = reason, RunId = step.Claim.RunId, At = time.GetUtcNow() },
        }));
    }
}
