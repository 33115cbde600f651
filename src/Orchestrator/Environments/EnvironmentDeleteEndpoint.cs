using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Hosting;
using Orchestrator.Persistence;

namespace Orchestrator.Environments;

/// <summary>
/// <c>DELETE /api/environments/{name}</c>: forgets an environment and its history (rollouts, finished runs, their steps
/// and logs, events). Refused while the environment could still cost or serve: a queued or running run, or a served
/// revision that no teardown removed (its cluster, engine processes or bucket would be orphaned with no record of
/// them); and while schedules still name it (their Quartz triggers are removed with <c>schedules delete</c>).
/// </summary>
public static class EnvironmentDeleteEndpoint
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(string name, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The row lock keeps a rollout from starting a run between the checks and the delete.
        var state = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT state::text FROM environments WHERE name = @name FOR UPDATE", new { name }, transaction, cancellationToken: cancellationToken));
        if (state is null) return Problems.NotFound($"Environment '{name}' does not exist.");
        var blockers = await connection.QuerySingleAsync<Blockers>(new CommandDefinition("""
            SELECT
                (SELECT count(*) FROM runs WHERE environment = @name AND status IN ('queued', 'running')) AS UnfinishedRuns,
                (SELECT count(*) FROM schedules WHERE environment = @name) AS Schedules,
                COALESCE((SELECT bool_and(s.kind = 'teardown')
                          FROM steps s
                          WHERE s.run_id = (SELECT id FROM runs WHERE environment = @name AND status = 'succeeded'
                                            ORDER BY finished_at DESC NULLS LAST LIMIT 1)), false) AS TornDown
            """, new { name }, transaction, cancellationToken: cancellationToken));
        if (blockers.UnfinishedRuns > 0)
            return Problems.Conflict($"Environment '{name}' has {blockers.UnfinishedRuns} queued or running run(s): cancel them first (orchestrator runs cancel ID).",
                "Environment has unfinished runs");
        if (Serves(state) && !blockers.TornDown)
            return Problems.Conflict(
                $"Environment '{name}' still serves a revision: tear it down first (orchestrator environments teardown {name} --yes for gke) so that nothing is left running unrecorded.",
                "Environment has live resources");
        if (blockers.Schedules > 0)
            return Problems.Conflict($"Environment '{name}' has {blockers.Schedules} schedule(s): delete them first (orchestrator schedules list --environment {name}).",
                "Environment has schedules");

        await connection.ExecuteAsync(new CommandDefinition("""
            CREATE TEMP TABLE doomed_runs ON COMMIT DROP AS SELECT id FROM runs WHERE environment = @name;
            UPDATE audit SET run_id = NULL WHERE run_id IN (SELECT id FROM doomed_runs);
            UPDATE github_deliveries SET run_id = NULL WHERE run_id IN (SELECT id FROM doomed_runs);
            UPDATE schedule_fires SET run_id = NULL WHERE run_id IN (SELECT id FROM doomed_runs);
            DELETE FROM github_status_updates WHERE run_id IN (SELECT id FROM doomed_runs);
            DELETE FROM github_deployments WHERE run_id IN (SELECT id FROM doomed_runs);
            DELETE FROM environment_events WHERE environment = @name;
            DELETE FROM step_logs WHERE step_id IN (SELECT s.id FROM steps s WHERE s.run_id IN (SELECT id FROM doomed_runs));
            DELETE FROM steps WHERE run_id IN (SELECT id FROM doomed_runs);
            DELETE FROM runs WHERE id IN (SELECT id FROM doomed_runs);
            DELETE FROM rollouts WHERE environment = @name;
            DELETE FROM environments WHERE name = @name;
            """, new { name }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static bool Serves(string stateJson)
    {
        using var state = System.Text.Json.JsonDocument.Parse(stateJson);
        foreach (var member in new[] { "stableRevision", "canaryRevision", "frontUrl" })
        {
            if (state.RootElement.TryGetProperty(member, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String) return true;
        }
        return false;
    }

    private sealed record Blockers
    {
        public long UnfinishedRuns { get; init; }
        public long Schedules { get; init; }
        public bool TornDown { get; init; }
    }
}
