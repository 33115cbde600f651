using Contracts;
using Contracts.Protocol;
using Microsoft.Extensions.Logging;

namespace Runner.Agent;

/// <summary>
/// Holds the lease on one claimed step while a worker does its work (the actions/runner listener/worker split):
/// renews the lease every third of its length, stops the work on 409, cancellation, timeout or a shutdown that
/// outlasts its grace, and reports the result, asking in the same call for the runner's next step unless it is shutting
/// down. A worker that throws becomes a failed step, never a failed agent.
/// Not thread safe: one step is processed at a time.
/// </summary>
internal sealed class StepJob(
    OrchestratorClient client, IStepExecutor executor, SecretMasker masker, RunnerOptions options, TimeProvider time, ILogger<StepJob> logger)
{
    /// <summary>Runs the claimed step to its end; returns the next step when the server handed one with the completion.</summary>
    public async Task<StepClaim?> RunAsync(StepClaim claim, CancellationToken shutdown)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["StepId"] = claim.StepId, ["RunId"] = claim.RunId });
        AgentLog.Claimed(logger, claim.StepId, claim.Name, claim.Kind, claim.RunId, claim.Attempt);
        await using var log = new LogBatcher(
            (lines, ct) => client.AppendLogsAsync(claim.StepId, new AppendLogsRequest(claim.LeaseToken, lines), ct), masker, time);

        // The worker starts only after the first lease renewal succeeds: a claim whose lease is already gone does nothing.
        HeartbeatResponse first;
        try
        {
            first = await client.HeartbeatAsync(claim.StepId, new HeartbeatRequest(claim.LeaseToken), Remaining(claim.LeaseExpiresAt), CancellationToken.None);
        }
        catch (Exception e) when (e is LeaseLostException or OrchestratorException || OrchestratorClient.IsTransient(e, CancellationToken.None))
        {
            AgentLog.LeaseLost(logger, claim.StepId);
            await log.AbandonAsync();
            return null;
        }

        if (first.CancelRequested)
        {
            return await FinishAsync(claim, log, StopReason.CancelRequested, result: null, shutdown);
        }

        using var work = new CancellationTokenSource();
        using var stop = new WorkStop(work);
        using var timeout = new CancellationTokenSource(
            claim.TimeoutSeconds > 0 ? TimeSpan.FromSeconds(claim.TimeoutSeconds) : Timeout.InfiniteTimeSpan, time);
        using var grace = new CancellationTokenSource();
        using var onTimeout = timeout.Token.Register(() => stop.Request(StopReason.TimedOut));
        using var onGraceOver = grace.Token.Register(() => stop.Request(StopReason.ShuttingDown));
        if (first.FinishRequested)
        {
            stop.RequestFinish();
        }

        using var onShutdown = shutdown.Register(() => grace.CancelAfter(options.ShutdownGrace));

        var worker = Task.Run(() => WorkAsync(claim, log, stop, work.Token), CancellationToken.None);
        await HoldLeaseAsync(claim, first.LeaseExpiresAt, worker, stop, log);
        return await FinishAsync(claim, log, stop.Reason, await worker, shutdown);
    }

    private async Task<StepResult?> WorkAsync(StepClaim claim, IStepLog log, WorkStop stop, CancellationToken cancellationToken)
    {
        try
        {
            return await executor.ExecuteAsync(new StepContext(claim, log, stop), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            var message = masker.Apply(e.Message);
            AgentLog.StepCrashed(logger, e, claim.StepId, message);
            log.Write($"error: {message}");
            return StepResult.Failed(message);
        }
    }

    private async Task HoldLeaseAsync(StepClaim claim, DateTimeOffset expires, Task worker, WorkStop stop, LogBatcher log)
    {
        while (!worker.IsCompleted)
        {
            var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, (expires - time.GetUtcNow()).Ticks / 3));
            await Task.WhenAny(worker, Task.Delay(interval, time));
            if (worker.IsCompleted || stop.Reason == StopReason.LeaseLost)
            {
                return;
            }

            if (log.LeaseLost)
            {
                stop.Request(StopReason.LeaseLost);
                return;
            }

            try
            {
                var beat = await client.HeartbeatAsync(
                    claim.StepId, new HeartbeatRequest(claim.LeaseToken), Remaining(expires), CancellationToken.None);
                expires = beat.LeaseExpiresAt;
                if (beat.CancelRequested)
                {
                    stop.Request(StopReason.CancelRequested);
                }
                else if (beat.FinishRequested)
                {
                    stop.RequestFinish();
                }
            }
            catch (Exception e) when (e is LeaseLostException or OrchestratorException)
            {
                stop.Request(StopReason.LeaseLost);
            }
            catch (Exception e) when (OrchestratorClient.IsTransient(e, CancellationToken.None))
            {
                // Not renewed in time: the server will hand the step to another runner, so this one must stop.
                if (time.GetUtcNow() >= expires)
                {
                    stop.Request(StopReason.LeaseLost);
                }
            }
        }
    }

    private async Task<StepClaim?> FinishAsync(StepClaim claim, LogBatcher log, StopReason reason, StepResult? result, CancellationToken shutdown)
    {
        if (reason == StopReason.LeaseLost || log.LeaseLost)
        {
            AgentLog.LeaseLost(logger, claim.StepId);
            await log.AbandonAsync();
            return null;
        }

        try
        {
            if (result is null && reason == StopReason.ShuttingDown)
            {
                log.Write("the runner is shutting down: the step was stopped and handed back");
                await log.FlushAsync(TimeSpan.FromSeconds(10));
                await client.ReleaseAsync(claim.StepId, new ReleaseStepRequest(claim.LeaseToken), CancellationToken.None);
                AgentLog.Released(logger, claim.StepId);
                return null;
            }

            result ??= reason switch
            {
                StopReason.TimedOut => StepResult.Failed($"step timed out after {claim.TimeoutSeconds} s"),
                _ => new StepResult(StepStatuses.Cancelled, Error: "the run was cancelled"),
            };
            if (result.Error is not null && result.Outcome != StepStatuses.Failed)
            {
                log.Write(result.Error);
            }

            await log.FlushAsync(TimeSpan.FromSeconds(30));
            var next = await client.CompleteAsync(
                claim.StepId,
                new CompleteStepRequest(claim.LeaseToken, result.Outcome, result.Outputs, result.Error, ClaimNext: !shutdown.IsCancellationRequested),
                CancellationToken.None);
            AgentLog.Completed(logger, claim.StepId, result.Outcome);
            return next;
        }
        catch (Exception e) when (e is LeaseLostException or OrchestratorException || OrchestratorClient.IsTransient(e, CancellationToken.None))
        {
            AgentLog.ReportFailed(logger, e, claim.StepId);
            return null;
        }
    }

    private TimeSpan Remaining(DateTimeOffset expires)
    {
        var left = expires - time.GetUtcNow() - TimeSpan.FromMilliseconds(500);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
