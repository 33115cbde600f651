using Npgsql;
using NpgsqlTypes;

namespace Orchestrator.Dispatch;

/// <summary>
/// Renews a lease, fenced by its token (held only while the step runs: see migration 0002), merging the outputs the runner reports on the way; its value is the run's
/// status (null when the lease is gone). A heartbeat lost in a database crash only shortens the lease, and the token,
/// not the expiry, fences the runner's writes, so heartbeats alone commit asynchronously.
/// </summary>
public sealed class HeartbeatWrite(Guid stepId, Guid leaseToken, DateTimeOffset expires, string outputsJson) : BatchedWrite<string?>
{
    public override bool MayCommitAsynchronously => true;

    public override void Append(NpgsqlBatch batch) => batch.BatchCommands.Add(Command("""
        UPDATE steps s SET lease_expires_at = @expires, outputs = s.outputs || @outputs
        WHERE s.id = @stepId AND s.lease_token = @leaseToken
        RETURNING (SELECT r.status FROM runs r WHERE r.id = s.run_id)
        """,
        new NpgsqlParameter("expires", expires),
        new NpgsqlParameter("outputs", NpgsqlDbType.Jsonb) { Value = outputsJson },
        new NpgsqlParameter("stepId", stepId),
        new NpgsqlParameter("leaseToken", leaseToken)));

    public override async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (await reader.ReadAsync(cancellationToken)) Value = reader.GetString(0);
    }
}
