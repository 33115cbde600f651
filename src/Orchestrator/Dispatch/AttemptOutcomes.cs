using Contracts;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// What happens when an attempt ends, whoever noticed it (the runner's completion, the sweeper on an expired lease or
/// a timeout). The caller holds the run and step locks (see <see cref="StepFencing"/>). The SQL is
/// <see cref="RunTransitions"/>'.
/// </summary>
public sealed class AttemptOutcomes(RunProgress progress, RollbackEvents rollbacks, IOptions<DispatchOptions> options)
{
    /// <summary>Succeeded or skipped: dependents become ready; the run may be done. A rollback that succeeded is
    /// recorded as the environment's event.</summary>
    public async Task SucceedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string outcome, string outputsJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EndStepAsync(connection, transaction, step, outcome, null, outputsJson, now, cancellationToken);
        if (step.Kind == StepKinds.RevisionRollback) await rollbacks.RecordAsync(connection, transaction, step, now, cancellationToken);
        if (step.RunStatus == RunStatuses.Running)
        {
            await progress.ProgressAsync(connection, transaction, step.RunId, step.Environment, now, cancellationToken);
            return;
        }
        await progress.AdvanceQueueAsync(connection, transaction, step.Environment, now, cancellationToken);
    }

    /// <summary>An analysis without enough data: the step waits for a person to promote or abort the canary.</summary>
    public async Task WaitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string? reason, string outputsJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (step.RunStatus != RunStatuses.Running || step.RunRollingBack)
        {
            await CancelAsync(connection, transaction, step, reason, outputsJson, now, cancellationToken);
            return;
        }
        await EndStepAsync(connection, transaction, step, StepStatuses.Waiting, reason, outputsJson, now, cancellationToken);
        // A waiting step is not finished: only its lease and attempt end here.
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE steps SET finished_at = NULL WHERE id = @Id", new { step.Id }, transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Failed (by the runner, an expired lease or a timeout): a new attempt after a backoff while the budget
    /// lasts and the run is still running; otherwise the step fails, and its run rolls back (a canary that can) or fails.
    /// <paramref name="reportedByRunner"/>: the runner said so, as opposed to a lease that expired or a timeout.</summary>
    public async Task FailAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string error, string outputsJson, bool reportedByRunner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var runActive = step.RunStatus == RunStatuses.Running;
        // An analysis that reports a failure has decided: measuring again would only delay the rollback. One whose runner
        // died decided nothing, and measures again.
        var decided = step.Kind == StepKinds.CanaryAnalyze && reportedByRunner;
        var retry = runActive && step.CountedAttempts < step.MaxAttempts && !decided
                    && !(step.RunRollingBack && step.Kind != StepKinds.RevisionRollback);
        if (retry)
        {
            var notBefore = now + Backoff.Delay(step.CountedAttempts, options.Value);
            await connection.ExecuteAsync(new CommandDefinition(
                RunTransitions.RetryStep, new { step.Id, now, notBefore, error, outputsJson }, transaction, cancellationToken: cancellationToken));
            await RunProgress.NotifyAsync(connection, transaction, cancellationToken);
            return;
        }
        await EndStepAsync(connection, transaction, step, runActive ? StepStatuses.Failed : StepStatuses.Cancelled, error, outputsJson, now, cancellationToken);
        if (!runActive)
        {
            await progress.AdvanceQueueAsync(connection, transaction, step.Environment, now, cancellationToken);
            return;
        }

        var attempts = decided ? "" : $" after {step.CountedAttempts} attempt(s)";
        var reason = $"step {step.Name} failed{attempts}: {error}";
        if (step.RunRollingBack && step.Kind == StepKinds.RevisionRollback)
            await RunProgress.EndRunAsync(connection, transaction, step.RunId, RunStatuses.Failed, $"the rollback failed ({reason})", now, cancellationToken);
        else if (step.RunRollingBack)
            await RunProgress.ReadyStepsAsync(connection, transaction, step.RunId, now, cancellationToken);
        else
            await RunProgress.FailOrRollBackAsync(connection, transaction, step.RunId, RunStatuses.Failed, reason, step.Name, now, cancellationToken);
        await progress.AdvanceQueueAsync(connection, transaction, step.Environment, now, cancellationToken);
    }

    /// <summary>Cancelled by its runner: the step ends, and so does its run if it was still running (a canary rolls back;
    /// in a run that rolls back already, the rollback may now start).</summary>
    public async Task CancelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string? error, string outputsJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EndStepAsync(connection, transaction, step, StepStatuses.Cancelled, error, outputsJson, now, cancellationToken);
        if (step.RunStatus == RunStatuses.Running && step.RunRollingBack)
            await RunProgress.ReadyStepsAsync(connection, transaction, step.RunId, now, cancellationToken);
        else if (step.RunStatus == RunStatuses.Running)
            await RunProgress.FailOrRollBackAsync(connection, transaction, step.RunId, RunStatuses.Cancelled,
                error ?? $"step {step.Name} was cancelled by its runner", step.Name, now, cancellationToken);
        await progress.AdvanceQueueAsync(connection, transaction, step.Environment, now, cancellationToken);
    }

    /// <summary>Handed back by a runner that shuts down: ready again at once, and the attempt does not count.</summary>
    public async Task ReleaseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (step.RunStatus != RunStatuses.Running || (step.RunRollingBack && step.Kind != StepKinds.RevisionRollback))
        {
            await CancelAsync(connection, transaction, step, "released after its run ended", "{}", now, cancellationToken);
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition(RunTransitions.ReleaseStep, new { step.Id, now }, transaction, cancellationToken: cancellationToken));
        await RunProgress.NotifyAsync(connection, transaction, cancellationToken);
    }

    private static Task EndStepAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string outcome, string? error, string outputsJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            RunTransitions.EndStep, new { step.Id, outcome, error, outputsJson, now }, transaction, cancellationToken: cancellationToken));
}
