using Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

/// <summary>
/// Group commit on its own, against the real database. Every step a test seeds needs a label of that test's own, so
/// that claims in one test never take steps another left ready (a step needing no label suits every runner).
/// </summary>
public sealed class WriteBatcherTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private static readonly IOptions<DispatchOptions> OneBatchAtATime = Options.Create(new DispatchOptions { ConcurrentBatches = 1 });

    private WriteBatcher Build(ILogger<WriteBatcher> logger) =>
        new(new Database(database.DataSource), new RunProgress(new ReadySignal()), TimeProvider.System, OneBatchAtATime, logger);

    [Fact]
    public async Task WriteAsync_OneFailingWriteAmongClaims_FailsAloneAndTheClaimsCommit()
    {
        var environment = $"batch-{Guid.NewGuid():N}"[..16];
        string[] labels = ["only-" + environment];
        var runId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 30, environment);
        await database.ExecuteAsync("UPDATE steps SET required_labels = @labels WHERE run_id = @runId", new { labels, runId });
        var logger = new ListLogger<WriteBatcher>();
        var batcher = Build(logger);
        var runner = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;

        // The one writer is held in the database by the first write while the rest queue up behind it, so that they go
        // together (at most 64 to a batch): the failing write, in the middle, cannot be alone in its batch.
        var holding = batcher.WriteAsync(new SqlWrite("SELECT pg_sleep(0.3)"), CancellationToken.None);
        var claims = new List<Task<ClaimedStep?>>();
        Task<int>? failing = null;
        for (var i = 0; i < 40; i++)
        {
            if (i == 20) failing = batcher.WriteAsync(new SqlWrite("SELECT 1/0"), CancellationToken.None);
            claims.Add(batcher.WriteAsync(new ClaimWrite(runner, labels, Guid.NewGuid(), now.AddSeconds(30), now), CancellationToken.None));
        }
        var claimed = await Task.WhenAll(claims);
        var error = await Assert.ThrowsAsync<PostgresException>(() => failing!);
        await holding;

        Assert.Equal(PostgresErrorCodes.DivisionByZero, error.SqlState);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("failed; writing each alone", StringComparison.Ordinal));
        var taken = claimed.OfType<ClaimedStep>().ToList();
        Assert.Equal(30, taken.Count);
        Assert.Equal(30, taken.Select(c => c.StepId).Distinct().Count());
        Assert.All(taken, c => Assert.Equal(runId, c.RunId));
        var rows = (await database.QueryAsync<(Guid Id, string Status, Guid? LeaseToken, Guid? RunnerId, int Attempt)>(
            "SELECT id, status, lease_token, runner_id, attempt FROM steps WHERE run_id = @runId", new { runId })).ToDictionary(r => r.Id);
        Assert.Equal(taken.Select(c => c.StepId).Order(), rows.Keys.Order());
        Assert.All(taken, c =>
        {
            var row = rows[c.StepId];
            Assert.Equal((StepStatuses.Running, c.LeaseToken, runner, 1), (row.Status, row.LeaseToken, row.RunnerId, row.Attempt));
        });
    }

    [Fact]
    public async Task WriteAsync_CompletionOfTheLastStep_SucceedsTheRunAndStartsTheNextQueued()
    {
        var environment = $"done-{Guid.NewGuid():N}"[..16];
        var (runId, stepId, leaseToken) = await RunningRunOfOneRunningStepAsync(environment);
        var nextRunId = await Seed.QueuedRunWithPendingNoopStepsAsync(database.DataSource, 2, environment, "only-" + environment);
        var batcher = Build(new ListLogger<WriteBatcher>());

        var ended = await batcher.WriteAsync(
            new CompletionWrite(stepId, leaseToken, StepStatuses.Succeeded, """{"answer": 42}""", DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.True(ended);
        var step = await database.QuerySingleAsync<(string Status, Guid? LeaseToken, string Outputs)>(
            "SELECT status, lease_token, outputs::text FROM steps WHERE id = @stepId", new { stepId });
        Assert.Equal((StepStatuses.Succeeded, (Guid?)null), (step.Status, step.LeaseToken));
        Assert.Contains("\"answer\": 42", step.Outputs, StringComparison.Ordinal);
        Assert.Equal(RunStatuses.Succeeded, await database.ScalarAsync<string>("SELECT status FROM runs WHERE id = @runId", new { runId }));
        // The next run is started by the writer right after the commit, after the caller has heard of it.
        await WaitForAsync("SELECT status = 'running' FROM runs WHERE id = @nextRunId", new { nextRunId });
        Assert.Equal(2, await database.ScalarAsync<long>(
            "SELECT count(*) FROM steps WHERE run_id = @nextRunId AND status = 'ready'", new { nextRunId }));
    }

    [Fact]
    public async Task WriteAsync_CompletionWithAStaleLeaseToken_IsFalseAndChangesNothing()
    {
        var environment = $"stale-{Guid.NewGuid():N}"[..16];
        var (runId, stepId, leaseToken) = await RunningRunOfOneRunningStepAsync(environment);
        var batcher = Build(new ListLogger<WriteBatcher>());

        var ended = await batcher.WriteAsync(
            new CompletionWrite(stepId, Guid.NewGuid(), StepStatuses.Succeeded, "{}", DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.False(ended);
        Assert.Equal((StepStatuses.Running, (Guid?)leaseToken), await database.QuerySingleAsync<(string, Guid?)>(
            "SELECT status, lease_token FROM steps WHERE id = @stepId", new { stepId }));
        Assert.Equal(RunStatuses.Running, await database.ScalarAsync<string>("SELECT status FROM runs WHERE id = @runId", new { runId }));
    }

    /// <summary>A running run whose one step is running under a known lease token.</summary>
    private async Task<(Guid RunId, Guid StepId, Guid LeaseToken)> RunningRunOfOneRunningStepAsync(string environment)
    {
        var runId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 1, environment);
        var leaseToken = Guid.NewGuid();
        string[] labels = ["only-" + environment];
        await database.ExecuteAsync("""
            UPDATE steps SET status = 'running', attempt = 1, lease_token = @leaseToken, lease_expires_at = now() + interval '1 hour',
                             runner_id = @runnerId, attempt_started_at = now(), started_at = now(), not_before = NULL, required_labels = @labels
            WHERE run_id = @runId
            """, new { runId, leaseToken, runnerId = Guid.NewGuid(), labels });
        var stepId = await database.ScalarAsync<Guid>("SELECT id FROM steps WHERE run_id = @runId", new { runId });
        return (runId, stepId, leaseToken);
    }

    private async Task WaitForAsync(string condition, object parameters)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!await database.ScalarAsync<bool>(condition, parameters))
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"Not true within 5 s: {condition}");
            await Task.Delay(20);
        }
    }

    /// <summary>A write of one statement that returns a row: <c>SELECT 1/0</c> fails when the batch runs.</summary>
    private sealed class SqlWrite(string sql) : BatchedWrite<int>
    {
        public override void Append(NpgsqlBatch batch) => batch.BatchCommands.Add(Command(sql));

        public override async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
        {
            await reader.ReadAsync(cancellationToken);
            Value = 1;
        }
    }
}
