using Contracts;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// What happens when an attempt ends, whoever noticed it (the runner's completion, the sweeper on an expired lease or
/// a timeout). The caller holds the run and step locks (see <see cref="StepFencing"/>).
/// </summary>
public sealed class AttemptOutcomes(RunProgress progress, IOptions<DispatchOptions> options)
{
    /// <summary>Succeeded or skipped: dependents become ready; the run may be done.</summary>
    public async Task SucceedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string outcome, string outputsJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE steps SET status = @outcome, outputs = outputs || CAST(@outputsJson AS jsonb), error = NULL,
                             finished_at = @now, lease_token = NULL, lease_expires_at = NULL
            WHERE id = @Id
            """, new { step.Id, outcome, outputsJson, now }, transaction, cancellationToken: cancellationToken));
        if (step.RunStatus == RunStatuses.Running)
        {
            await RunProgress.ReadyStepsAsync(connection, transaction, step.RunId, now, cancellationToken);
            if (await RunProgress.SucceedIfDoneAsync(connection, transaction, step.RunId, now, cancellationToken) is null) return;
        }
        await progress.AdvanceQueueAsync(connection, transaction, step.Environment, now, cancellationToken);
    }

    /// <summary>Failed (by the runner, an expired lease or a timeout): a new attempt after a backoff while the budget
    /// lasts and the run is still running; otherwise the step fails and so does its run.</summary>
    public async Task FailAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string error, string outputsJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var runActive = step.RunStatus == RunStatuses.Running;
        if (runActive && step.CountedAttempts < step.MaxAttempts)
        {
            var notBefore = now + Backoff.Delay(step.CountedAttempts, options.Value);
            await connection.ExecuteAsync(new CommandDefinition("""
                UPDATE steps SET status = 'ready', ready_at = @now, not_before = @notBefore, error = @error,
                                 outputs = outputs || CAST(@outputsJson AS jsonb), lease_token = NULL, lease_expires_at = NULL
                WHERE id = @Id
                """, new { step.Id, now, notBefore, error, outputsJson }, transaction, cancellationToken: cancellationToken));
            await RunProgress.NotifyAsync(connection, transaction, cancellationToken);
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE steps SET status = @status, error = @error, outputs = outputs || CAST(@outputsJson AS jsonb),
                             finished_at = @now, lease_token = NULL, lease_expires_at = NULL
            WHERE id = @Id
            """, new { step.Id, status = runActive ? StepStatuses.Failed : StepStatuses.Cancelled, error, outputsJson, now }, transaction, cancellationToken: cancellationToken));
        if (runActive)
        {
            var reason = $"step {step.Name} failed after {step.CountedAttempts} attempt(s): {error}";
            await RunProgress.EndRunAsync(connection, transaction, step.RunId, RunStatuses.Failed, reason, now, cancellationToken);
        }
        await progress.AdvanceQueueAsync(connection, transaction, step.Environment, now, cancellationToken);
    }

    /// <summary>Cancelled by its runner: the step ends, and so does its run if it was still running.</summary>
    public async Task CancelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, string? error, string outputsJson, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE steps SET status = 'cancelled', error = @error, outputs = outputs || CAST(@outputsJson AS jsonb),
                             finished_at = @now, lease_token = NULL, lease_expires_at = NULL
            WHERE id = @Id
            """, new { step.Id, error, outputsJson, now }, transaction, cancellationToken: cancellationToken));
        if (step.RunStatus == RunStatuses.Running)
            await RunProgress.EndRunAsync(connection, transaction, step.RunId, RunStatuses.Cancelled, error ?? $"step {step.Name} was cancelled by its runner", now, cancellationToken);
        await progress.AdvanceQueueAsync(connection, transaction, step.Environment, now, cancellationToken);
    }

    /// <summary>Handed back by a runner that shuts down: ready again at once, and the attempt does not count.</summary>
    public async Task ReleaseAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (step.RunStatus != RunStatuses.Running)
        {
            await CancelAsync(connection, transaction, step, "released after its run ended", "{}", now, cancellationToken);
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE steps SET status = 'ready', ready_at = @now, not_before = @now, released_attempts = released_attempts + 1,
                             lease_token = NULL, lease_expires_at = NULL
            WHERE id = @Id
            """, new { step.Id, now }, transaction, cancellationToken: cancellationToken));
        await RunProgress.NotifyAsync(connection, transaction, cancellationToken);
    }
}
