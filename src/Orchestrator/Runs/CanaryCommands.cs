using System.Text.Json.Nodes;
using Contracts;
using Dapper;
using Npgsql;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;

namespace Orchestrator.Runs;

/// <summary>
/// The decisions people make about a run: approve a gate, promote or abort a paused canary. Each locks the run's row
/// first, like every other run transition (the SQL is <see cref="RunTransitions"/>'), and is audited with who decided.
/// Paused means a step waits for a person (a pause until promoted, an inconclusive analysis) or a timed pause is under
/// way; anything else answers a conflict that says where the run is.
/// </summary>
public sealed class CanaryCommands(Database database, RunProgress progress, TimeProvider time)
{
    public Task<RunCommandResult> ApproveAsync(Guid runId, string actor, CancellationToken cancellationToken) =>
        DecideAsync(async (connection, transaction, now) =>
        {
            var run = await RunCommands.LockRunAsync(connection, transaction, runId, cancellationToken);
            if (run is null) return RunCommandResult.Missing();
            if (run.Value.Status != RunStatuses.Running)
                return RunCommandResult.InConflict($"Run {runId} is {run.Value.Status}: only a running run waits for approval.");
            var approved = await DecideWaitingAsync(connection, transaction, runId, actor, approval: true, now, cancellationToken);
            if (approved.Count == 0)
                return RunCommandResult.InConflict($"Run {runId} does not wait for an approval; {await WhereAsync(connection, transaction, runId, cancellationToken)}.");
            await RunProgress.AuditAsync(connection, transaction, actor, "run.approve", runId, Details(approved), now, cancellationToken);
            await progress.ProgressAsync(connection, transaction, runId, run.Value.Environment, now, cancellationToken);
            return RunCommandResult.Ok((await RunStore.GetAsync(connection, transaction, runId, cancellationToken))!);
        }, cancellationToken);

    /// <summary>Ends the pause the environment's canary is in; with <paramref name="full"/>, also skips the canary steps
    /// still to come, so that all traffic moves to the canary next.</summary>
    public Task<RunCommandResult> PromoteAsync(string environment, bool full, string actor, CancellationToken cancellationToken) =>
        DecideAsync(async (connection, transaction, now) =>
        {
            var (runId, conflict) = await PausedCanaryAsync(connection, transaction, environment, cancellationToken);
            if (conflict is not null) return conflict;
            var promoted = await DecideWaitingAsync(connection, transaction, runId, actor, approval: false, now, cancellationToken);
            if (promoted.Count == 0)
                return RunCommandResult.InConflict($"Run {runId} waits for an approval, not a promotion: approve it with 'orchestrator runs approve {runId}'.");
            if (full)
                await connection.ExecuteAsync(new CommandDefinition(
                    RunTransitions.SkipRemainingCanary, new { runId, actor, now }, transaction, cancellationToken: cancellationToken));
            var details = new JsonObject { ["steps"] = new JsonArray(promoted.Select(n => (JsonNode)n).ToArray()), ["full"] = full }.ToJsonString();
            await RunProgress.AuditAsync(connection, transaction, actor, "canary.promote", runId, details, now, cancellationToken);
            await progress.ProgressAsync(connection, transaction, runId, environment, now, cancellationToken);
            return RunCommandResult.Ok((await RunStore.GetAsync(connection, transaction, runId, cancellationToken))!);
        }, cancellationToken);

    /// <summary>Rolls the environment's paused canary back; the run ends failed once traffic is back on stable.</summary>
    public Task<RunCommandResult> AbortAsync(string environment, string actor, CancellationToken cancellationToken) =>
        DecideAsync(async (connection, transaction, now) =>
        {
            var (runId, conflict) = await PausedCanaryAsync(connection, transaction, environment, cancellationToken);
            if (conflict is not null) return conflict;
            if (!await RunProgress.TryBeginRollbackAsync(connection, transaction, runId, RunStatuses.Failed, $"aborted by {actor}", null, now, cancellationToken))
                return RunCommandResult.InConflict($"Run {runId} has no canary to roll back.");
            await RunProgress.AuditAsync(connection, transaction, actor, "canary.abort", runId, "{}", now, cancellationToken);
            return RunCommandResult.Ok((await RunStore.GetAsync(connection, transaction, runId, cancellationToken))!);
        }, cancellationToken);

    private async Task<RunCommandResult> DecideAsync(Func<NpgsqlConnection, NpgsqlTransaction, DateTimeOffset, Task<RunCommandResult>> decide, CancellationToken cancellationToken)
    {
        var result = await database.InTransactionAsync((connection, transaction) => decide(connection, transaction, time.GetUtcNow()), cancellationToken);
        progress.PulseLocal();
        return result;
    }

    // The environment's running run, locked, if its canary is paused; else why not.
    private static async Task<(Guid RunId, RunCommandResult? Conflict)> PausedCanaryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string environment, CancellationToken cancellationToken)
    {
        var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM environments WHERE name = @environment)", new { environment }, transaction, cancellationToken: cancellationToken));
        if (!exists) return (Guid.Empty, RunCommandResult.Missing());
        var run = await connection.QuerySingleOrDefaultAsync<(Guid Id, string? EndingStatus)?>(new CommandDefinition($"""
            SELECT id, ending_status FROM runs WHERE environment = @environment AND status = '{RunStatuses.Running}' FOR UPDATE
            """, new { environment }, transaction, cancellationToken: cancellationToken));
        if (run is not { } active) return (Guid.Empty, RunCommandResult.InConflict($"No run is active in environment '{environment}': there is no canary to decide."));
        if (active.EndingStatus is not null) return (active.Id, RunCommandResult.InConflict($"Run {active.Id} is rolling back its canary already."));
        var paused = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            RunTransitions.PausedStep, new { runId = active.Id }, transaction, cancellationToken: cancellationToken));
        if (paused is null)
            return (active.Id, RunCommandResult.InConflict($"Run {active.Id} is not paused; {await WhereAsync(connection, transaction, active.Id, cancellationToken)}."));
        return (active.Id, null);
    }

    private static async Task<IReadOnlyList<string>> DecideWaitingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, string actor, bool approval, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<string>(new CommandDefinition(
            RunTransitions.DecideWaiting, new { runId, actor, approval, now }, transaction, cancellationToken: cancellationToken))).ToList();

    // "it is at step traffic.shift-2 (running)": where a run that cannot take a decision stands.
    private static async Task<string> WhereAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid runId, CancellationToken cancellationToken)
    {
        var at = await connection.QueryAsync<(string Name, string Status)>(new CommandDefinition($"""
            SELECT name, status FROM steps WHERE run_id = @runId AND status IN ('{StepStatuses.Running}', '{StepStatuses.Ready}', '{StepStatuses.Waiting}')
            ORDER BY ordinal
            """, new { runId }, transaction, cancellationToken: cancellationToken));
        var list = at.Select(s => $"{s.Name} ({s.Status})").ToList();
        return list.Count == 0 ? "no step of it is under way" : $"it is at {string.Join(", ", list)}";
    }

    private static string Details(IReadOnlyList<string> steps) =>
        new JsonObject { ["steps"] = new JsonArray(steps.Select(n => (JsonNode)n).ToArray()) }.ToJsonString();
}
