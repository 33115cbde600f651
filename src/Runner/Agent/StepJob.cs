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
    /// <summary>The shortest time between two heartbeats sent to carry progress (renewals go as they are due).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>Runs the claimed step to its end; returns the next step when the server handed one with the completion.</summary>
    public async Task<StepClaim?> RunAsync(StepClaim claim, CancellationToken shutdown)
    {
        // Before anything can write a line about this step: every value the claim carries is masked from here on.
        foreach (var value in claim.Secrets.Values) masker.Add(value);
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

        var progress = new ProgressReporter(time);
        var worker = Task.Run(() => WorkAsync(claim, log, stop, progress, work.Token), CancellationToken.None);
        var expires = await HoldLeaseAsync(claim, first.LeaseExpiresAt, worker, stop, log, progress);
        var result = await worker;
        await SendLastProgressAsync(claim, expires, progress, stop);
        return await FinishAsync(claim, log, stop.Reason, result, shutdown);
    }

    private async Task<StepResult?> WorkAsync(StepClaim claim, IStepLog log, WorkStop stop, ProgressReporter progress, CancellationToken cancellationToken)
    {
        try
        {
            return await executor.ExecuteAsync(new StepContext(claim, log, stop, progress, time), cancellationToken);
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

    /// <returns>The lease's expiry as last renewed.</returns>
    private async Task<DateTimeOffset> HoldLeaseAsync(StepClaim claim, DateTimeOffset expires, Task worker, WorkStop stop, LogBatcher log, ProgressReporter progress)
    {
        var renewAt = RenewAt(expires);
        var progressAt = DateTimeOffset.MinValue;
        while (!worker.IsCompleted)
        {
            // A heartbeat goes when the lease is a third of the way to its expiry, or earlier to carry new progress.
            var now = time.GetUtcNow();
            var dueAt = progress.HasUnsent ? Min(renewAt, progressAt > now ? progressAt : now) : renewAt;
            if (dueAt > now)
            {
                var nextReport = progress.HasUnsent ? Task.Delay(Timeout.Infinite, CancellationToken.None) : progress.NextReport();
                await Task.WhenAny(worker, Task.Delay(dueAt - now, time), nextReport);
            }

            if (worker.IsCompleted || stop.Reason == StopReason.LeaseLost)
            {
                return expires;
            }

            if (log.LeaseLost)
            {
                stop.Request(StopReason.LeaseLost);
                return expires;
            }

            now = time.GetUtcNow();
            if (now < renewAt && !(progress.HasUnsent && now >= progressAt))
            {
                continue;
            }

            var sent = Masked(progress.TakeUnsent());
            try
            {
                var beat = await client.HeartbeatAsync(
                    claim.StepId, new HeartbeatRequest(claim.LeaseToken, Progress: sent), Remaining(expires), CancellationToken.None);
                expires = beat.LeaseExpiresAt;
                renewAt = RenewAt(expires);
                if (sent is not null)
                {
                    progressAt = time.GetUtcNow() + ProgressInterval;
                }

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
                if (sent is not null)
                {
                    progress.Restore(sent);
                    progressAt = time.GetUtcNow() + ProgressInterval;
                }

                // Not renewed in time: the server will hand the step to another runner, so this one must stop.
                if (time.GetUtcNow() >= expires)
                {
                    stop.Request(StopReason.LeaseLost);
                }

                renewAt = RenewAt(expires);
            }
        }

        return expires;
    }

    /// <summary>The work's last report, when the work ended before it went (a conversion's last tensors): the step keeps
    /// the progress it ended with. A failure here changes nothing; the completion reports the lease's loss.</summary>
    private async Task SendLastProgressAsync(StepClaim claim, DateTimeOffset expires, ProgressReporter progress, WorkStop stop)
    {
        if (stop.Reason == StopReason.LeaseLost || Masked(progress.TakeUnsent()) is not { } last) return;
        try
        {
            await client.HeartbeatAsync(claim.StepId, new HeartbeatRequest(claim.LeaseToken, Progress: last), Remaining(expires), CancellationToken.None);
        }
        catch (Exception e) when (e is LeaseLostException or OrchestratorException || OrchestratorClient.IsTransient(e, CancellationToken.None))
        {
            AgentLog.ReportFailed(logger, e, claim.StepId);
        }
    }

    // A progress message is shown by the API and the dashboard like a log line.
    private StepProgress? Masked(StepProgress? progress) =>
        progress is { Message: { } message } ? progress with { Message = masker.Apply(message) } : progress;

    /// <summary>When the lease is renewed next: a third of the time left to it, at least 100 ms from now.</summary>
    private DateTimeOffset RenewAt(DateTimeOffset expires)
    {
        var now = time.GetUtcNow();
        return now + TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, (expires - now).Ticks / 3));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

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

            // A handler's output or error that repeats a secret goes back masked, never as the value.
            result = result with { Outputs = masker.Apply(result.Outputs), Error = result.Error is null ? null : masker.Apply(result.Error) };
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
