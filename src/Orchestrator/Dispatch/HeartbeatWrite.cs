using Contracts;
using Npgsql;
using NpgsqlTypes;

namespace Orchestrator.Dispatch;

/// <summary>
/// Renews a lease, fenced by its token (held only while the step runs: see migration 0002), merging the outputs the
/// runner reports on the way. Its value is the run's status and the lease's expiry, or null when the lease is gone.
/// The lease is written only when it is due: when less than <paramref name="renewBefore"/> is left of it, or outputs
/// came. A heartbeat soon after the claim or the last renewal (a runner's first one comes right after its claim) is
/// then a read, which costs the database no write and the batch no commit; the runner, which schedules its next
/// heartbeat from the expiry it is told, is never left with less of its lease than before. Progress, when reported,
/// replaces the step's (a heartbeat that carries it is always a write, as one with outputs is).
/// A heartbeat lost in a database crash only shortens the lease, and the token, not the expiry, fences the runner's
/// writes, so heartbeats alone commit asynchronously.
/// </summary>
public sealed class HeartbeatWrite(Guid stepId, Guid leaseToken, DateTimeOffset expires, DateTimeOffset renewBefore, string outputsJson, string? progressJson = null)
    : BatchedWrite<HeartbeatWrite.Held?>
{
    public override bool MayCommitAsynchronously => true;

    public override void Append(NpgsqlBatch batch) => batch.BatchCommands.Add(Command($$"""
        WITH renewed AS (
            UPDATE steps s SET lease_expires_at = @expires, outputs = s.outputs || @outputs, progress = COALESCE(@progress, s.progress)
            WHERE s.id = @stepId AND s.lease_token = @leaseToken
              AND (s.lease_expires_at < @renewBefore OR @outputs <> '{}'::jsonb OR @progress IS NOT NULL)
            RETURNING s.run_id, s.lease_expires_at, s.kind, s.finish_requested),
        held AS (
            SELECT n.run_id, n.lease_expires_at, n.kind, n.finish_requested FROM renewed n
            UNION ALL
            -- Not due: the lease as it stands. A lease that was due is answered only by the renewal, so one that another
            -- transaction ended meanwhile (the renewal found nothing) is reported gone.
            SELECT s.run_id, s.lease_expires_at, s.kind, s.finish_requested FROM steps s
            WHERE s.id = @stepId AND s.lease_token = @leaseToken AND s.lease_expires_at >= @renewBefore AND @outputs = '{}'::jsonb
              AND @progress IS NULL)
        -- A run that rolls back wants only its rollback's work.
        SELECT r.status IN ('{{RunStatuses.Succeeded}}', '{{RunStatuses.Failed}}', '{{RunStatuses.Cancelled}}') OR (r.ending_status IS NOT NULL AND h.kind <> '{{StepKinds.RevisionRollback}}'),
               h.lease_expires_at, h.finish_requested
        FROM held h JOIN runs r ON r.id = h.run_id LIMIT 1
        """,
        new NpgsqlParameter("expires", expires),
        new NpgsqlParameter("renewBefore", renewBefore),
        new NpgsqlParameter("outputs", NpgsqlDbType.Jsonb) { Value = outputsJson },
        new NpgsqlParameter("progress", NpgsqlDbType.Jsonb) { Value = (object?)progressJson ?? DBNull.Value },
        new NpgsqlParameter("stepId", stepId),
        new NpgsqlParameter("leaseToken", leaseToken)));

    public override async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (await reader.ReadAsync(cancellationToken)) Value = new Held(reader.GetBoolean(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetBoolean(2));
    }

    /// <summary>The lease is still held: whether the work should stop or finish, and until when the lease runs.</summary>
    public sealed record Held(bool CancelRequested, DateTimeOffset LeaseExpiresAt, bool FinishRequested);
}
