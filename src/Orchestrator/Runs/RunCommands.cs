using System.Text.Json.Nodes;
using Contracts;
using Dapper;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;

namespace Orchestrator.Runs;

/// <summary>Cancel and retry. Both lock the run row first, like every other run transition; the SQL is
/// <see cref="RunTransitions"/>'.</summary>
public sealed class RunCommands(Database database, RunProgress progress, TimeProvider time)
{
    public async Task<RunCommandResult> CancelAsync(Guid runId, string actor, CancellationToken cancellationToken)
    {
        var result = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var run = await LockRunAsync(connection, transaction, runId, cancellationToken);
            if (run is null) return RunCommandResult.Missing();
            if (RunStatuses.IsFinal(run.Value.Status)) return RunCommandResult.InConflict($"The run already ended ({run.Value.Status}).");
            if (await RollingBackAsync(connection, transaction, runId, cancellationToken))
                return RunCommandResult.InConflict("The run is rolling back its canary; it ends once all traffic is back on the stable revision.");
            // A canary that took traffic goes back to stable first; the run then ends cancelled.
            await RunProgress.FailOrRollBackAsync(connection, transaction, runId, RunStatuses.Cancelled, $"cancelled by {actor}", null, now, cancellationToken);
            await RunProgress.AuditAsync(connection, transaction, actor, "run.cancel", runId, "{}", now, cancellationToken);
            await progress.AdvanceQueueAsync(connection, transaction, run.Value.Environment, now, cancellationToken);
            return RunCommandResult.Ok((await RunStore.GetAsync(connection, transaction, runId, cancellationToken, now))!);
        }, cancellationToken);
        progress.PulseLocal();
        return result;
    }

    /// <summary>The same run goes back to the queue: its failed and cancelled steps become pending with a fresh attempt
    /// budget (their earlier outputs kept, so that the work can resume); succeeded steps are kept, except that a run rolled
    /// back deploys and shifts its canary again (see <see cref="RunTransitions.RetryRun"/>).</summary>
    public async Task<RunCommandResult> RetryAsync(Guid runId, string actor, CancellationToken cancellationToken)
    {
        var result = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow();
            var run = await LockRunAsync(connection, transaction, runId, cancellationToken);
            if (run is null) return RunCommandResult.Missing();
            if (run.Value.Status is not (RunStatuses.Failed or RunStatuses.Cancelled))
                return RunCommandResult.InConflict($"Only a failed or cancelled run can be retried; this one is {run.Value.Status}.");
            var stopping = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM steps WHERE run_id = @runId AND status = 'running')", new { runId }, transaction, cancellationToken: cancellationToken));
            if (stopping) return RunCommandResult.InConflict("A step of this run is still stopping on its runner; retry once it has ended.");

            await connection.ExecuteAsync(new CommandDefinition(RunTransitions.RetryRun, new { runId }, transaction, cancellationToken: cancellationToken));
            var details = new JsonObject { ["previousStatus"] = run.Value.Status }.ToJsonString();
            await RunProgress.AuditAsync(connection, transaction, actor, "run.retry", runId, details, now, cancellationToken);
            await progress.AdvanceQueueAsync(connection, transaction, run.Value.Environment, now, cancellationToken);
            return RunCommandResult.Ok((await RunStore.GetAsync(connection, transaction, runId, cancellationToken, now))!);
        }, cancellationToken);
        progress.PulseLocal();
        return result;
    }

    private static Task<bool> RollingBackAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT ending_status IS NOT NULL FROM runs WHERE id = @runId", new { runId }, transaction, cancellationToken: cancellationToken));

    internal static async Task<(string Status, string Environment)?> LockRunAsync(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<(string Status, string Environment)>(new CommandDefinition(
            "SELECT status, environment FROM runs WHERE id = @runId FOR UPDATE", new { runId }, transaction, cancellationToken: cancellationToken));
        return rows.Select(r => ((string, string)?)r).FirstOrDefault();
    }
}
