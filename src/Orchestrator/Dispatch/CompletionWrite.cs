using Npgsql;
using NpgsqlTypes;
using Orchestrator.Telemetry;

namespace Orchestrator.Dispatch;

/// <summary>
/// The common completion, batched: a step of a running run succeeded (or was skipped) without changing its
/// environment's state. With its run locked (by the batch), ends the step fenced by its lease token, readies its
/// dependents and ends the run when it was the last (the batcher then starts its environment's next queued run, in a
/// transaction of its own; see <see cref="WriteBatcher"/>). Its
/// value is false when the step was not ended here (the lease is gone, or the run is no longer running): the caller
/// then takes the general path (<see cref="StepReports"/>), which tells those apart. The statements after the fenced
/// one keep invariants that hold anyway, so they are harmless when it changed nothing.
/// A <paramref name="next"/> claim (made with this step as <c>afterCompleting</c> and the same time) follows in the same
/// transaction, so that a busy runner gets its next step in the answer to its completion: one round trip and one
/// commit fewer per step. It claims nothing unless the completion ended the step.
/// </summary>
public sealed class CompletionWrite(Guid stepId, Guid leaseToken, string outcome, string outputsJson, DateTimeOffset now, ClaimWrite? next = null)
    : BatchedWrite<bool>
{
    // The step's run, when that run is running: an SQL expression for the shared statements. Rows are found by primary
    // key and their status read from them, never filtered on (see migration 0002 for why).
    private const string RunningRunOfStep =
        "(SELECT st.run_id FROM steps st WHERE st.id = @stepId AND (SELECT rr.status FROM runs rr WHERE rr.id = st.run_id) = 'running')";

    // The run's row is locked before any step's, by the batch (the lock order of every run transition, see StepFencing).
    public override Guid? LocksRunOfStep => stepId;

    public override int BatchOrder => 1;

    public override bool WantsIndexOrder => next is not null;

    /// <summary>The step the next claim took, once committed.</summary>
    public ClaimedStep? Next => next?.Done.IsCompletedSuccessfully == true ? next.Done.Result : null;

    /// <summary>The attempt this write ended (read before the commit: trust it once the write's value is true).</summary>
    public AttemptEnd? Ended { get; private set; }

    public override void Append(NpgsqlBatch batch)
    {
        batch.BatchCommands.Add(Command(
            RunTransitions.SucceedFencedStep,
            new NpgsqlParameter("outcome", outcome),
            new NpgsqlParameter("outputs", NpgsqlDbType.Jsonb) { Value = outputsJson },
            new NpgsqlParameter("now", now),
            new NpgsqlParameter("stepId", stepId),
            new NpgsqlParameter("leaseToken", leaseToken)));
        batch.BatchCommands.Add(Command(
            $"""
            WITH readied AS ({RunTransitions.ReadySteps(RunningRunOfStep)} RETURNING 1),
                 finishing AS ({RunTransitions.RequestFinish(RunningRunOfStep)})
            SELECT n, CASE WHEN n > 0 THEN pg_notify('{ReadyListener.Channel}', '') IS NULL END FROM (SELECT count(*) AS n FROM readied) c
            """,
            new NpgsqlParameter("stepId", stepId),
            new NpgsqlParameter("now", now)));
        batch.BatchCommands.Add(Command(
            RunTransitions.FinishRun(RunningRunOfStep),
            new NpgsqlParameter("stepId", stepId),
            new NpgsqlParameter("now", now)));
        next?.Append(batch);
    }

    public override async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        Value = await reader.ReadAsync(cancellationToken);
        Ended = Value
            ? new AttemptEnd(reader.GetGuid(1), reader.GetGuid(0), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), now, outcome, null, reader.IsDBNull(6) ? null : reader.GetString(6))
            : null;
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        ReadiedSteps = reader.GetInt64(0) > 0;
        await reader.NextResultAsync(cancellationToken);
        EndedRunEnvironment = await reader.ReadAsync(cancellationToken) ? reader.GetString(0) : null;
        if (next is null) return;
        await reader.NextResultAsync(cancellationToken);
        await next.ReadAsync(reader, cancellationToken);
    }

    public override void Succeed()
    {
        next?.Succeed();
        base.Succeed();
    }

    public override void Fail(Exception exception)
    {
        next?.Fail(exception);
        base.Fail(exception);
    }

    public override void Reset()
    {
        Ended = null;
        next?.Reset();
        base.Reset();
    }
}
