using Contracts;
using Runner.Agent;

namespace Runner.Local;

/// <summary>The <c>local</c> target: engine processes on this machine, a weighted front, the artifacts directory as
/// the bucket. One small handler per step kind.</summary>
internal sealed class LocalProvider(RunnerOptions options, EngineProbe probe, HuggingFace.HubDownload hub) : IStepExecutor
{
    public async Task<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        if (context.Kind == StepKinds.Noop)
        {
            return StepResult.Succeeded();
        }

        var step = new LocalStep(context, options);
        return context.Kind switch
        {
            StepKinds.CheckpointConvert => await ConvertHandler.RunAsync(step, hub, cancellationToken),
            StepKinds.EngineDeploy => await DeployAsync(step, context.Stop, cancellationToken),
            StepKinds.TrafficShift => await RoutingAsync(step, () => TrafficHandlers.ShiftAsync(step, probe, cancellationToken), cancellationToken),
            StepKinds.RevisionPromote => await RoutingAsync(step, () => TrafficHandlers.PromoteAsync(step, probe, cancellationToken), cancellationToken),
            StepKinds.Cleanup => await CleanupHandler.RunAsync(step, cancellationToken),
            StepKinds.CanaryAnalyze => await CanaryAnalyzeHandler.RunAsync(step, probe, cancellationToken),
            StepKinds.RevisionRollback => await RoutingAsync(step, () => RollbackHandler.RunAsync(step, probe, step.Time, cancellationToken), cancellationToken),
            _ => StepResult.Failed($"step kind {context.Kind} is not supported by the local target"),
        };
    }

    /// <summary>Steps that choose which replicas take traffic hold the environment's routing lock (the autoscaler's too).</summary>
    private static async Task<StepResult> RoutingAsync(LocalStep step, Func<Task<StepResult>> handler, CancellationToken cancellationToken)
    {
        using var routing = await EnvironmentLock.AcquireAsync(step.Layout, cancellationToken);
        return await handler();
    }

    /// <summary>A deploy stopped because the run was cancelled or timed out stops the replicas it brought up (no
    /// traffic ever reached them); one stopped by a shutdown or a lost lease leaves them for the next attempt to adopt.</summary>
    private async Task<StepResult> DeployAsync(LocalStep step, WorkStop stop, CancellationToken cancellationToken)
    {
        try
        {
            return await DeployHandler.RunAsync(step, probe, cancellationToken);
        }
        catch (OperationCanceledException) when (stop.Reason is StopReason.CancelRequested or StopReason.TimedOut)
        {
            var routed = Front.RouteTable.Load(step.Layout.RoutesPath)?.Routes(step.Revision) ?? false;
            if (!routed)
            {
                foreach (var replica in Replicas.Recorded(step.Layout, step.Revision))
                {
                    await Processes.DetachedProcesses.StopAsync(replica, options.ReplicaStopGrace, CancellationToken.None);
                    step.Log.Write($"stopped replica pid {replica.Pid} of the abandoned revision {step.Revision}");
                }
            }

            throw;
        }
    }
}
