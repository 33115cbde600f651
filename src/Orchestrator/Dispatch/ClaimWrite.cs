using Contracts;
using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// Claims the oldest ready step the runner's labels allow: <c>UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED
/// LIMIT 1)</c> with a fresh lease token, returning everything the runner needs. Claims in one batch run in order,
/// each seeing the steps the earlier ones took as no longer ready.
/// With <paramref name="afterCompleting"/>, it is the claim that rides on a completion by the same runner (see
/// <see cref="CompletionWrite"/>): it claims only when that step was ended in this same transaction, which is the one
/// where it was finished at <paramref name="now"/> by this runner and its lease cleared.
/// A claimed step's <c>ready_at</c> becomes the moment it could first be claimed (past its retry backoff): the start of
/// its dispatch latency. Nothing reads <c>ready_at</c> of a step that is not ready, and every way back to ready sets it.
/// </summary>
public sealed class ClaimWrite(Guid runnerId, string[] labels, Guid leaseToken, DateTimeOffset expires, DateTimeOffset now, Guid? afterCompleting = null)
    : BatchedWrite<ClaimedStep?>
{
    private const string Completed = """
        AND EXISTS (SELECT 1 FROM steps d WHERE d.id = @completed AND d.runner_id = @runnerId AND d.finished_at = @now AND d.lease_token IS NULL)
        """;

    public override int BatchOrder => 2;

    // The oldest ready step must come from walking steps_ready in order. After a burst of new steps, before autovacuum
    // has analyzed the table, the planner believes few steps are ready and prefers fetching them all and sorting:
    // milliseconds per claim with thousands ready.
    public override bool WantsIndexOrder => true;

    public override void Append(NpgsqlBatch batch)
    {
        var command = Command($$"""
            WITH claimed AS (
                UPDATE steps s
                SET status = '{{StepStatuses.Running}}', attempt = s.attempt + 1, lease_token = @leaseToken, lease_expires_at = @expires,
                    runner_id = @runnerId, attempt_started_at = @now, progress = NULL, started_at = COALESCE(s.started_at, @now), not_before = NULL,
                    ready_at = GREATEST(s.ready_at, s.not_before)
                WHERE s.id = (SELECT c.id FROM steps c
                              WHERE c.status = '{{StepStatuses.Ready}}' AND c.not_before <= @now AND c.kind <> '{{StepKinds.CanaryPause}}'
                                AND c.required_labels <@ @labels
                                {{(afterCompleting is null ? "" : Completed)}}
                              ORDER BY c.ready_at, c.id
                              LIMIT 1
                              FOR UPDATE SKIP LOCKED)
                RETURNING s.id, s.run_id, s.name, s.kind, s.attempt, s.timeout_seconds, s.parameters, s.outputs, s.ready_at)
            SELECT c.id, c.run_id, c.name, c.kind, c.attempt, c.timeout_seconds, c.parameters::text, c.outputs::text,
                   r.environment, ro.revision, ro.spec::text, e.state::text,
                   (SELECT COALESCE(jsonb_object_agg(o.name, o.outputs), '{}'::jsonb)::text
                    FROM steps o WHERE o.run_id = c.run_id AND o.status IN ('{{StepStatuses.Succeeded}}', '{{StepStatuses.Skipped}}')),
                   c.ready_at, r.traceparent
            FROM claimed c
            JOIN runs r ON r.id = c.run_id
            JOIN rollouts ro ON ro.id = r.rollout_id
            JOIN environments e ON e.name = r.environment
            """,
            new NpgsqlParameter("leaseToken", leaseToken),
            new NpgsqlParameter("expires", expires),
            new NpgsqlParameter("runnerId", runnerId),
            new NpgsqlParameter("now", now),
            new NpgsqlParameter("labels", labels));
        if (afterCompleting is { } completed) command.Parameters.Add(new NpgsqlParameter("completed", completed));
        batch.BatchCommands.Add(command);
    }

    public override async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (await reader.ReadAsync(cancellationToken)) Value = Read(reader);
    }

    private ClaimedStep Read(NpgsqlDataReader reader) =>
        new(
            StepId: reader.GetGuid(0),
            RunId: reader.GetGuid(1),
            Name: reader.GetString(2),
            Kind: reader.GetString(3),
            Attempt: reader.GetInt32(4),
            TimeoutSeconds: reader.GetInt32(5),
            Parameters: reader.GetString(6),
            PreviousOutputs: reader.GetString(7),
            Environment: reader.GetString(8),
            Revision: reader.GetString(9),
            Spec: reader.GetString(10),
            EnvironmentState: reader.GetString(11),
            Inputs: reader.GetString(12),
            ClaimableAt: reader.IsDBNull(13) ? now : reader.GetFieldValue<DateTimeOffset>(13),
            Traceparent: reader.IsDBNull(14) ? null : reader.GetString(14),
            LeaseToken: leaseToken,
            LeaseExpiresAt: expires);
}
