using Npgsql;

namespace Orchestrator.Dispatch;

/// <summary>
/// One runner-protocol write that <see cref="WriteBatcher"/> can commit together with others. Its statements must
/// each return rows (so that result sets and statements line up one to one), must not depend on values the caller
/// reads between them, and must be correct whatever other writes share the transaction.
/// </summary>
public abstract class BatchedWrite
{
    /// <summary>True when losing this write in a database crash is harmless (a heartbeat): a batch of nothing else
    /// commits asynchronously.</summary>
    public virtual bool MayCommitAsynchronously => false;

    /// <summary>A step whose run this write changes: the batch locks all such runs first, in one order, so that
    /// concurrent batches (and the other run transitions, which take the run's lock before the step's) cannot
    /// deadlock on them.</summary>
    public virtual Guid? LocksRunOfStep => null;

    /// <summary>Where this write goes in its batch: heartbeats, then completions, then claims, so that a claim can take
    /// a step that a completion in the same batch made ready.</summary>
    public virtual int BatchOrder => 0;

    /// <summary>True for a statement that must walk an index in order, never sort (see <see cref="ClaimWrite"/>).</summary>
    public virtual bool WantsIndexOrder => false;

    /// <summary>Set by <see cref="ReadAsync"/> when steps became ready.</summary>
    public bool ReadiedSteps { get; protected set; }

    /// <summary>Set by <see cref="ReadAsync"/> when the write ended a run: its environment's next queued run is started
    /// right after the commit.</summary>
    public string? EndedRunEnvironment { get; protected set; }

    public abstract void Append(NpgsqlBatch batch);

    /// <summary>Reads this write's result sets. The reader stands on the first; move it with NextResultAsync between
    /// them, not past the last.</summary>
    public abstract Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken);

    /// <summary>Called after the commit: publish what was read.</summary>
    public abstract void Succeed();

    public abstract void Fail(Exception exception);

    /// <summary>Forgets what a failed batch read, before the write is tried again on its own.</summary>
    public abstract void Reset();

    protected static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }
}

/// <summary>A batched write whose caller awaits a value.</summary>
public abstract class BatchedWrite<T> : BatchedWrite
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Done => _done.Task;

    protected T Value { get; set; } = default!;

    public override void Succeed() => _done.TrySetResult(Value);

    public override void Fail(Exception exception) => _done.TrySetException(exception);

    public override void Reset()
    {
        Value = default!;
        ReadiedSteps = false;
        EndedRunEnvironment = null;
    }
}
