using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Persistence;

namespace Orchestrator.Dispatch;

/// <summary>
/// Group commit for the runner protocol's frequent writes (claims, heartbeats, successful completions). Writes that
/// arrive while the batches in flight (<see cref="DispatchOptions.ConcurrentBatches"/>) are in the database wait, and
/// go together in the next one: one round trip and one commit for all of them, so the cost per step falls as runners
/// get busier, and a lone write waits for nobody. No caller hears of its write before the commit. A batch that fails
/// is rolled back and each of its writes is tried again alone, so one bad write (or a deadlock) fails only itself.
/// Dapper has no batch API (<see cref="System.Data.Common.DbBatch"/>), so this one place uses Npgsql's directly.
/// </summary>
public sealed partial class WriteBatcher(Database database, RunProgress progress, TimeProvider time, IOptions<DispatchOptions> options, ILogger<WriteBatcher> logger)
{
    private const int MaxBatch = 64;
    private const int MaxTriesAlone = 5;
    private readonly ConcurrentQueue<BatchedWrite> _queue = new();
    private int _writers;

    public Task<T> WriteAsync<T>(BatchedWrite<T> write, CancellationToken cancellationToken)
    {
        _queue.Enqueue(write);
        if (TryAddWriter()) _ = Task.Run(WriteQueuedAsync, CancellationToken.None);
        // The caller may stop waiting; the write itself still commits or fails with its batch.
        return write.Done.WaitAsync(cancellationToken);
    }

    private bool TryAddWriter()
    {
        var max = options.Value.ConcurrentBatches;
        for (var writers = Volatile.Read(ref _writers); writers < max; writers = Volatile.Read(ref _writers))
            if (Interlocked.CompareExchange(ref _writers, writers + 1, writers) == writers) return true;
        return false;
    }

    private async Task WriteQueuedAsync()
    {
        var batch = new List<BatchedWrite>(MaxBatch);
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var write)) batch.Add(write);
            if (batch.Count == 0)
            {
                Interlocked.Decrement(ref _writers);
                // A write queued between the empty look and the release would otherwise wait for the next writer.
                if (_queue.IsEmpty || !TryAddWriter()) return;
                continue;
            }
            var committed = await WriteAsync(batch);
            foreach (var environment in committed.Select(w => w.EndedRunEnvironment).OfType<string>().Distinct(StringComparer.Ordinal))
                await StartNextRunAsync(environment);
        }
    }

    private async Task<List<BatchedWrite>> WriteAsync(List<BatchedWrite> writes)
    {
        if (writes.Count > 1)
        {
            try
            {
                await WriteTogetherAsync(writes, CancellationToken.None);
                return writes;
            }
            catch (Exception ex)
            {
                LogBatchFailed(writes.Count, ex);
            }
        }
        var committed = new List<BatchedWrite>(writes.Count);
        foreach (var write in writes)
            if (await WriteAloneAsync(write)) committed.Add(write);
        return committed;
    }

    private async Task<bool> WriteAloneAsync(BatchedWrite write)
    {
        for (var attempt = 1; ; attempt++)
        {
            write.Reset();
            try
            {
                await WriteTogetherAsync([write], CancellationToken.None);
                return true;
            }
            catch (PostgresException ex) when (attempt < MaxTriesAlone && ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 50) * attempt));
            }
            catch (Exception ex)
            {
                write.Fail(ex);
                return false;
            }
        }
    }

    private async Task WriteTogetherAsync(IReadOnlyList<BatchedWrite> writes, CancellationToken cancellationToken)
    {
        var ordered = writes.OrderBy(w => w.BatchOrder).ToList();
        await using (var connection = await database.DataSource.OpenConnectionAsync(cancellationToken))
        // No explicit transaction: the statements of a batch run as one implicit transaction that commits at the end of
        // the batch (the protocol's Sync), so a batch is a single round trip. Any error rolls all of it back.
        await using (var batch = new NpgsqlBatch(connection))
        {
            // These statements are prepared and their best plans do not depend on the values: without this, the planner
            // keeps making custom plans for several of them, and planning cost more than running them (measured).
            // set_config, unlike SET, returns a row, which keeps result sets and statements in step.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(ordered.All(w => w.MayCommitAsynchronously)
                ? "SELECT set_config('plan_cache_mode', 'force_generic_plan', true), set_config('synchronous_commit', 'off', true)"
                : "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"));
            var runsOfSteps = ordered.Select(w => w.LocksRunOfStep).OfType<Guid>().ToArray();
            if (runsOfSteps.Length > 0)
                batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                    SELECT r.id FROM runs r WHERE r.id IN (SELECT s.run_id FROM steps s WHERE s.id = ANY (@steps)) ORDER BY r.id FOR UPDATE
                    """) { Parameters = { new NpgsqlParameter("steps", runsOfSteps) } });
            var firstWantingIndexOrder = ordered.FindIndex(w => w.WantsIndexOrder);
            for (var i = 0; i < ordered.Count; i++)
            {
                if (i == firstWantingIndexOrder) batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('enable_sort', 'off', true)"));
                ordered[i].Append(batch);
            }

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (runsOfSteps.Length > 0) await reader.NextResultAsync(cancellationToken);
            for (var i = 0; i < ordered.Count; i++)
            {
                if (i == firstWantingIndexOrder) await reader.NextResultAsync(cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                await ordered[i].ReadAsync(reader, cancellationToken);
            }
        }
        // Disposing the reader read up to the end of the batch: it is committed.
        if (ordered.Any(w => w.ReadiedSteps)) progress.PulseLocal();
        foreach (var write in ordered) write.Succeed();
    }

    /// <summary>A run ended in a batch: start its environment's next queued run. A crash before this is made good by the
    /// sweeper (<see cref="LeaseSweeper"/>), which starts queued runs of environments with nothing active.</summary>
    private async Task StartNextRunAsync(string environment)
    {
        try
        {
            var started = await database.InTransactionAsync(
                (connection, transaction) => progress.AdvanceQueueAsync(connection, transaction, environment, time.GetUtcNow(), CancellationToken.None),
                CancellationToken.None);
            if (started is not null) progress.PulseLocal();
        }
        catch (Exception ex)
        {
            // The writer loop must go on whatever happens here: the sweeper starts the run later.
            LogStartNextRunFailed(environment, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} dispatch writes failed; writing each alone")]
    private partial void LogBatchFailed(int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start the next queued run of {Environment}; the sweeper will")]
    private partial void LogStartNextRunFailed(string environment, Exception exception);
}
