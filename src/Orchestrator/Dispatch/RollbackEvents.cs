using Dapper;
using System.Text.Json.Nodes;
using Npgsql;
using Orchestrator.Health;

namespace Orchestrator.Dispatch;

/// <summary>
/// Records a finished rollback as an event of its environment, with the reason and the analysis that caused it (the
/// failing step's <c>analysis</c> output), in the transaction that ends the rollback step; notification subscribers
/// hear of it from the outbox row written in the same transaction.
/// </summary>
public sealed class RollbackEvents(HealthNotifications notifications)
{
    public const string Kind = "rollback";

    public async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, FencedStep step, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var details = await connection.QuerySingleAsync<string>(new CommandDefinition("""
            SELECT jsonb_strip_nulls(jsonb_build_object(
                       'runId', r.id, 'revision', ro.revision, 'reason', rb.parameters->>'reason', 'cause', rb.parameters->>'cause',
                       'toRevision', e.state->'stableRevision', 'endingStatus', r.ending_status,
                       'analysis', (SELECT c.outputs->'analysis' FROM steps c WHERE c.run_id = r.id AND c.name = rb.parameters->>'cause')))::text
            FROM steps rb JOIN runs r ON r.id = rb.run_id JOIN rollouts ro ON ro.id = r.rollout_id JOIN environments e ON e.name = r.environment
            WHERE rb.id = @Id
            """, new { step.Id }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO environment_events (environment, run_id, kind, at, details) VALUES (@Environment, @RunId, @Kind, @now, CAST(@details AS jsonb))
            """, new { step.Environment, step.RunId, Kind, now, details }, transaction, cancellationToken: cancellationToken));
        await notifications.EnqueueAsync(connection, transaction, step.Environment, HealthNotifications.RollbackEvent,
            JsonNode.Parse(details)!.AsObject(), cancellationToken);
    }
}
