using Dapper;
using Microsoft.Extensions.Options;
using Orchestrator.Persistence;
using Orchestrator.Telemetry;

namespace Orchestrator.Dispatch;

/// <summary>
/// Periodically ends attempts whose lease expired (the runner died or hung) or that ran past their kind's timeout, and
/// completes canary pauses whose time is up, rolls back canaries past their progress deadline, and starts the queued run
/// of an environment left with nothing active.
/// Safe on every instance at once: each change re-checks its row under lock
/// and the lease token it saw. One failed pass is logged and backed off; it never stops the host.
/// </summary>
public sealed partial class LeaseSweeper(
    Database database, AttemptOutcomes outcomes, RunProgress progress, TimeProvider time,
    IOptions<DispatchOptions> options, StepTelemetry telemetry, ILogger<LeaseSweeper> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var pause = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMilliseconds);
            try
            {
                await RunOnceAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                pause = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, failures)));
                LogSweepFailed(ex, pause.TotalSeconds);
            }
            await Task.Delay(pause, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One pass; returns how many steps it changed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        List<Expired> expired;
        List<Guid> pauses;
        List<string> idleWithQueue;
        List<Guid> pastDeadline;
        await using (var connection = await database.DataSource.OpenConnectionAsync(cancellationToken))
        {
            expired = (await connection.QueryAsync<Expired>(new CommandDefinition("""
                SELECT id AS Id, lease_token AS LeaseToken,
                       attempt_started_at + make_interval(secs => timeout_seconds) < @now AS TimedOut, timeout_seconds AS TimeoutSeconds
                FROM steps
                WHERE status = 'running'
                  AND (lease_expires_at < @now OR attempt_started_at + make_interval(secs => timeout_seconds) < @now)
                LIMIT @BatchSize
                """, new { now, BatchSize }, cancellationToken: cancellationToken))).ToList();
            pauses = (await connection.QueryAsync<Guid>(new CommandDefinition("""
                SELECT id FROM steps WHERE status = 'ready' AND kind = 'canary.pause' AND not_before <= @now LIMIT @BatchSize
                """, new { now, BatchSize }, cancellationToken: cancellationToken))).ToList();
            pastDeadline = (await connection.QueryAsync<Guid>(new CommandDefinition(
                RunTransitions.PastProgressDeadline, new { now, limit = BatchSize }, cancellationToken: cancellationToken))).ToList();
            // Normally a run that ends starts the next at once; this makes good a crash between the two, and starts the
            // runs that waited for a maintenance window once it opens. Environments whose windows are all closed are
            // left out before the batch is cut, so that many of them cannot keep an open one from its turn.
            var waiting = (await connection.QueryAsync<(string Environment, bool Urgent)>(new CommandDefinition($"""
                SELECT q.environment, bool_or(q.urgent) FROM runs q
                WHERE q.status = 'queued' AND {RunTransitions.EnvironmentIdle("q.environment")}
                GROUP BY q.environment
                LIMIT @limit
                """, new { limit = 100 * BatchSize }, cancellationToken: cancellationToken))).ToList();
            idleWithQueue = (await Windows.WindowStore.StartableAsync(connection, waiting, now, cancellationToken)).Take(BatchSize).ToList();
        }

        var changed = 0;
        foreach (var step in expired)
            if (await EndAttemptAsync(step, now, cancellationToken)) changed++;
        foreach (var stepId in pauses)
            if (await FinishPauseAsync(stepId, now, cancellationToken)) changed++;
        foreach (var runId in pastDeadline)
            if (await AbortPastDeadlineAsync(runId, now, cancellationToken)) changed++;
        foreach (var environment in idleWithQueue)
            if (await StartNextRunAsync(environment, now, cancellationToken)) changed++;
        if (changed > 0) progress.PulseLocal();
        return changed;
    }

    private async Task<bool> EndAttemptAsync(Expired expired, DateTimeOffset now, CancellationToken cancellationToken)
    {
        AttemptEnd? ended = null;
        var done = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var step = await StepFencing.LockAsync(connection, transaction, expired.Id, expired.LeaseToken, cancellationToken);
            if (step is null) return false; // completed, heartbeated away or swept by another instance meanwhile
            var reason = expired.TimedOut
                ? $"attempt {step.Attempt} timed out after {expired.TimeoutSeconds} s"
                : $"attempt {step.Attempt} lost its runner: the lease expired";
            LogAttemptEnded(step.Id, step.RunId, reason);
            ended = step.Ended(expired.TimedOut ? StepTelemetry.TimedOut : StepTelemetry.LeaseExpired, reason, now);
            await outcomes.FailAsync(connection, transaction, step, reason, "{}", reportedByRunner: false, now, cancellationToken);
            return true;
        }, cancellationToken);
        if (done) telemetry.AttemptEnded(ended!);
        return done;
    }

    private async Task<bool> FinishPauseAsync(Guid stepId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            var runId = await connection.QuerySingleAsync<Guid>(new CommandDefinition(
                "SELECT run_id FROM steps WHERE id = @stepId", new { stepId }, transaction, cancellationToken: cancellationToken));
            var run = await connection.QuerySingleAsync<(string Status, string Environment)>(new CommandDefinition(
                "SELECT status, environment FROM runs WHERE id = @runId FOR UPDATE", new { runId }, transaction, cancellationToken: cancellationToken));
            var finished = await connection.ExecuteAsync(new CommandDefinition(
                RunTransitions.FinishPause, new { stepId, now }, transaction, cancellationToken: cancellationToken));
            if (finished == 0 || run.Status != Contracts.RunStatuses.Running) return finished > 0;
            await progress.ProgressAsync(connection, transaction, runId, run.Environment, now, cancellationToken);
            return true;
        }, cancellationToken);

    private async Task<bool> AbortPastDeadlineAsync(Guid runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            var deadline = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
                "SELECT progress_deadline_seconds FROM runs WHERE id = @runId AND status = 'running' FOR UPDATE", new { runId }, transaction, cancellationToken: cancellationToken));
            // Re-checked under the run's lock: promoted, rolled back or ended by another instance meanwhile.
            var still = await connection.QueryAsync<Guid>(new CommandDefinition(
                RunTransitions.PastProgressDeadline, new { now, limit = 100_000 }, transaction, cancellationToken: cancellationToken));
            if (deadline is not { } seconds || !still.Contains(runId)) return false;
            var reason = $"the canary was not promoted within its progress deadline ({TimeSpan.FromSeconds(seconds):c} from the moment it was live)";
            LogDeadline(runId, reason);
            return await RunProgress.TryBeginRollbackAsync(connection, transaction, runId, Contracts.RunStatuses.Failed, reason, null, now, cancellationToken);
        }, cancellationToken);

    private async Task<bool> StartNextRunAsync(string environment, DateTimeOffset now, CancellationToken cancellationToken) =>
        await database.InTransactionAsync(
            async (connection, transaction) => await progress.AdvanceQueueAsync(connection, transaction, environment, now, cancellationToken) is not null,
            cancellationToken);

    private sealed record Expired
    {
        public Guid Id { get; init; }
        public Guid LeaseToken { get; init; }
        public bool TimedOut { get; init; }
        public int TimeoutSeconds { get; init; }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Lease sweep failed; next pass in {DelaySeconds} s")]
    private partial void LogSweepFailed(Exception exception, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} rolls back: {Reason}")]
    private partial void LogDeadline(Guid runId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Step {StepId} of run {RunId}: {Reason}")]
    private partial void LogAttemptEnded(Guid stepId, Guid runId, string reason);
}
