using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Orchestrator.GitHub;

/// <summary>
/// Group commit for recorded deliveries: deliveries that arrive while a batch is in the database wait and go together
/// in the next one (one INSERT and one commit for all of them), so a burst of releases costs a few commits rather
/// than one each, and a lone delivery waits for nobody. No caller's answer goes out before its row has committed.
/// A failed batch fails every delivery in it (each gets a 500, and GitHub's redelivery can be asked for).
/// </summary>
public sealed class DeliveryWrites(NpgsqlDataSource dataSource)
{
    private const int MaxBatch = 100;
    private const int MaxWriters = 2;
    private readonly ConcurrentQueue<Pending> _queue = new();
    private int _writers;

    public Task InsertAsync(ReleaseDelivery delivery, string? done, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = new Pending(delivery, done, now);
        _queue.Enqueue(pending);
        if (TryAddWriter()) _ = Task.Run(WriteQueuedAsync, CancellationToken.None);
        // The caller may stop waiting; the row still commits or fails with its batch.
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    private bool TryAddWriter()
    {
        for (var writers = Volatile.Read(ref _writers); writers < MaxWriters; writers = Volatile.Read(ref _writers))
            if (Interlocked.CompareExchange(ref _writers, writers + 1, writers) == writers) return true;
        return false;
    }

    private async Task WriteQueuedAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var pending)) batch.Add(pending);
            if (batch.Count == 0)
            {
                Interlocked.Decrement(ref _writers);
                // A delivery queued between the empty look and the release would otherwise wait for the next writer.
                if (_queue.IsEmpty || !TryAddWriter()) return;
                continue;
            }
            try
            {
                await WriteAsync(batch);
                foreach (var p in batch) p.Done.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var p in batch) p.Done.TrySetException(e);
            }
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO github_deliveries (delivery_id, event, action, repository, release_id, tag, prerelease, installation_id, received_at,
                                           outcome, detail, processed_at)
            SELECT d.id, d.event, d.action, d.repository, d.release_id, d.tag, d.prerelease, d.installation_id, d.received_at,
                   CASE WHEN d.done IS NOT NULL THEN 'ignored' END, d.done, CASE WHEN d.done IS NOT NULL THEN d.received_at END
            FROM unnest(@ids, @events, @actions, @repositories, @releaseIds, @tags, @prereleases, @installations, @receivedAt, @done)
                 AS d (id, event, action, repository, release_id, tag, prerelease, installation_id, received_at, done)
            ON CONFLICT (delivery_id) DO NOTHING
            """, new
        {
            ids = batch.Select(p => p.Delivery.DeliveryId).ToArray(),
            events = batch.Select(p => p.Delivery.Event).ToArray(),
            actions = batch.Select(p => p.Delivery.Action).ToArray(),
            repositories = batch.Select(p => p.Delivery.Repository).ToArray(),
            releaseIds = batch.Select(p => p.Delivery.ReleaseId).ToArray(),
            tags = batch.Select(p => p.Delivery.Tag).ToArray(),
            prereleases = batch.Select(p => p.Delivery.Prerelease).ToArray(),
            installations = batch.Select(p => p.Delivery.InstallationId).ToArray(),
            receivedAt = batch.Select(p => p.Now).ToArray(),
            done = batch.Select(p => p.DoneDetail).ToArray(),
        }));
    }

    private sealed record Pending(ReleaseDelivery Delivery, string? DoneDetail, DateTimeOffset Now)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
