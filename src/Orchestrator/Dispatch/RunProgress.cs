using Contracts;
using Dapper;
using Npgsql;
using Orchestrator.Windows;

namespace Orchestrator.Dispatch;

/// <summary>
/// Runs the transitions of <see cref="RunTransitions"/> that every path shares (completion, lease expiry, cancel, retry,
/// promotion, a new rollout). Each method runs inside the caller's transaction; callers hold the run's row lock first
/// and the environment's row lock is taken here, so that any number of orchestrator instances agree on one active run
/// per environment and on FIFO order.
/// </summary>
public sealed class RunProgress(ReadySignal signal)
{
    /// <summary>Readies what can run next (see <see cref="RunTransitions.ReadySteps"/>) and asks background analyses to
    /// finish when their canary is done.</summary>
    public static async Task<int> ReadyStepsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var readied = await connection.ExecuteAsync(new CommandDefinition(
            RunTransitions.ReadySteps("@runId") + ";\n" + RunTransitions.RequestFinish("@runId"), new { runId, now }, transaction, cancellationToken: cancellationToken));
        if (readied > 0) await NotifyAsync(connection, transaction, cancellationToken);
        return readied;
    }

    /// <summary>Ends the run when it is done (see <see cref="RunTransitions.FinishRun"/>); returns its environment if it did.</summary>
    public static Task<string?> FinishRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(RunTransitions.FinishRun("@runId"), new { runId, now }, transaction, cancellationToken: cancellationToken));

    /// <summary>Readies what follows and ends the run if that was all; starts the environment's next run then.</summary>
    public async Task ProgressAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string environment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ReadyStepsAsync(connection, transaction, runId, now, cancellationToken);
        if (await FinishRunAsync(connection, transaction, runId, now, cancellationToken) is not null)
            await AdvanceQueueAsync(connection, transaction, environment, now, cancellationToken);
    }

    /// <summary>Ends a queued or running run as failed or cancelled; its pending, ready and waiting steps are cancelled,
    /// its running steps keep their leases until their runners hear of it.</summary>
    public static async Task<bool> EndRunAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string status, string? error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ended = await connection.ExecuteAsync(new CommandDefinition(
            RunTransitions.EndRun, new { runId, status, error, now }, transaction, cancellationToken: cancellationToken));
        if (ended == 0) return false;
        await connection.ExecuteAsync(new CommandDefinition(
            RunTransitions.CancelOpenSteps, new { runId, now, keepRollback = false }, transaction, cancellationToken: cancellationToken));
        return true;
    }

    /// <summary>
    /// A canary run that can still roll back starts doing so instead of ending: the steps not yet started are cancelled,
    /// running ones are told to stop on their next heartbeat, and the rollback step becomes ready as soon as nothing
    /// else moves traffic. The run ends as <paramref name="endingStatus"/> with <paramref name="reason"/> once traffic is
    /// back on stable. False when the run cannot roll back (no canary, promoted already, rolling back already).
    /// </summary>
    public static async Task<bool> TryBeginRollbackAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string endingStatus, string reason, string? causeStep, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var can = await connection.QuerySingleOrDefaultAsync<bool?>(new CommandDefinition(
            RunTransitions.CanRollBack, new { runId }, transaction, cancellationToken: cancellationToken));
        if (can != true) return false;
        await connection.ExecuteAsync(new CommandDefinition(
            RunTransitions.BeginRollback, new { runId, endingStatus, reason, cause = causeStep }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            RunTransitions.CancelOpenSteps, new { runId, now, keepRollback = true }, transaction, cancellationToken: cancellationToken));
        await ReadyStepsAsync(connection, transaction, runId, now, cancellationToken);
        return true;
    }

    /// <summary>Rolls the run back when it can, else ends it: how a canary run reacts to a failure or a cancel.</summary>
    public static async Task FailOrRollBackAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string endingStatus, string reason, string? causeStep, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!await TryBeginRollbackAsync(connection, transaction, runId, endingStatus, reason, causeStep, now, cancellationToken))
            await EndRunAsync(connection, transaction, runId, endingStatus, reason, now, cancellationToken);
    }

    /// <summary>
    /// Starts the environment's oldest queued run when nothing is active there (<see cref="RunTransitions.EnvironmentIdle"/>)
    /// and one of its maintenance windows is open; while none is, the oldest urgent run instead. Whatever starts the run
    /// once a window opens (the sweeper, any instance) comes through here under the environment's row lock, so it
    /// starts once. A window that closes stops nothing: only starting is gated.
    /// </summary>
    public async Task<Guid?> AdvanceQueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string environment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM environments WHERE name = @environment FOR UPDATE", new { environment }, transaction, cancellationToken: cancellationToken));
        var next = await connection.QuerySingleOrDefaultAsync<QueuedRun?>(new CommandDefinition(
            RunTransitions.NextQueuedRun, new { environment, urgentOnly = false }, transaction, cancellationToken: cancellationToken));
        if (next is null) return null;
        if (!next.Urgent && !(await WindowStore.CalendarAsync(connection, transaction, environment, cancellationToken)).IsOpen(now))
        {
            next = await connection.QuerySingleOrDefaultAsync<QueuedRun?>(new CommandDefinition(
                RunTransitions.NextQueuedRun, new { environment, urgentOnly = true }, transaction, cancellationToken: cancellationToken));
            if (next is null) return null;
        }
        var runId = next.Id;
        await connection.ExecuteAsync(new CommandDefinition(RunTransitions.StartRun, new { runId, now }, transaction, cancellationToken: cancellationToken));
        await ReadyStepsAsync(connection, transaction, runId, now, cancellationToken);
        // A run whose every step already succeeded (a retry after a late success) is done at once.
        if (await FinishRunAsync(connection, transaction, runId, now, cancellationToken) is not null)
            return await AdvanceQueueAsync(connection, transaction, environment, now, cancellationToken);
        return runId;
    }

    private sealed record QueuedRun
    {
        public Guid Id { get; init; }
        public bool Urgent { get; init; }
    }

    /// <summary>Delivered to every instance's LISTEN connection when the transaction commits.</summary>
    public static Task NotifyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            $"SELECT pg_notify('{ReadyListener.Channel}', '')", transaction: transaction, cancellationToken: cancellationToken));

    /// <summary>Wakes this instance's waiting claims at once, without the LISTEN round trip. Call after commit.</summary>
    public void PulseLocal() => signal.Pulse();

    public static Task AuditAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string actor, string action, Guid? runId, string detailsJson, DateTimeOffset now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit (at, actor, action, run_id, details) VALUES (@now, @actor, @action, @runId, CAST(@detailsJson AS jsonb))
            """, new { now, actor, action, runId, detailsJson }, transaction, cancellationToken: cancellationToken));
}
