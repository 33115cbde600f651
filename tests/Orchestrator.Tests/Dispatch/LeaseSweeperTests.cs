using Contracts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Dispatch;
using Orchestrator.Persistence;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Dispatch;

/// <summary>The sweeper's pass on its own, with a hand-moved clock: no waiting for real leases to run out.</summary>
public sealed class LeaseSweeperTests(TestDatabase database) : IClassFixture<TestDatabase>
{
    private readonly IOptions<DispatchOptions> _options = Options.Create(new DispatchOptions { LeaseSeconds = 30, MaxAttempts = 2, RetryBackoffSeconds = 10 });

    private (StepClaimer Claimer, LeaseSweeper Sweeper, StepReports Reports) Build(ManualTime time)
    {
        var progress = new RunProgress(new ReadySignal());
        var outcomes = new AttemptOutcomes(progress, new RollbackEvents(new Orchestrator.Health.HealthNotifications(time)), _options);
        var db = new Database(database.DataSource);
        var batcher = new WriteBatcher(db, progress, time, _options, NullLogger<WriteBatcher>.Instance);
        var telemetry = new Orchestrator.Telemetry.StepTelemetry(new Orchestrator.Telemetry.OrchestratorMetrics());
        var claimer = new StepClaimer(database.DataSource, batcher, new ReadySignal(), time, _options, telemetry, ClaimTests.Secrets(database));
        return (claimer,
            new LeaseSweeper(db, outcomes, progress, time, _options, telemetry, NullLogger<LeaseSweeper>.Instance),
            new StepReports(db, batcher, claimer, outcomes, progress, time, _options, telemetry));
    }

    [Fact]
    public async Task RunOnce_ExpiredLease_MakesANewAttemptAfterBackoff_ThenFailsTheRun()
    {
        var environment = $"sweep-{Guid.NewGuid():N}"[..16];
        var runId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 1, environment);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var (claimer, sweeper, _) = Build(time);
        var runner = Guid.NewGuid();
        string[] labels = ["only-" + environment];
        await database.ExecuteAsync("UPDATE steps SET required_labels = @labels, max_attempts = 2 WHERE run_id = @runId", new { labels, runId });

        var first = await claimer.TryClaimAsync(runner, labels, CancellationToken.None);
        Assert.Equal(0, await sweeper.RunOnceAsync(CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await sweeper.RunOnceAsync(CancellationToken.None));
        Assert.Null(await claimer.TryClaimAsync(runner, labels, CancellationToken.None)); // still backing off
        time.Advance(TimeSpan.FromSeconds(13));
        var second = await claimer.TryClaimAsync(runner, labels, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await sweeper.RunOnceAsync(CancellationToken.None));

        Assert.NotNull(first);
        Assert.Equal(2, second!.Attempt);
        Assert.Equal(RunStatuses.Failed, await database.ScalarAsync<string>("SELECT status FROM runs WHERE id = @runId", new { runId }));
        Assert.Equal(StepStatuses.Failed, await database.ScalarAsync<string>("SELECT status FROM steps WHERE run_id = @runId", new { runId }));
    }

    [Fact]
    public async Task RunOnce_AnalysisWhoseRunnerDied_MeasuresAgainInsteadOfRollingBack()
    {
        var environment = $"lost-{Guid.NewGuid():N}"[..16];
        var runId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 1, environment);
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var (claimer, sweeper, _) = Build(time);
        string[] labels = ["only-" + environment];
        await database.ExecuteAsync("UPDATE steps SET required_labels = @labels, kind = 'canary.analyze' WHERE run_id = @runId", new { labels, runId });

        await claimer.TryClaimAsync(Guid.NewGuid(), labels, CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await sweeper.RunOnceAsync(CancellationToken.None));

        // A lost runner decided nothing: the analysis is ready for a new attempt and the run goes on.
        Assert.Equal(StepStatuses.Ready, await database.ScalarAsync<string>("SELECT status FROM steps WHERE run_id = @runId", new { runId }));
        Assert.Equal(RunStatuses.Running, await database.ScalarAsync<string>("SELECT status FROM runs WHERE id = @runId", new { runId }));
    }

    [Fact]
    public async Task RunOnce_HeartbeatedLease_IsLeftAlone()
    {
        var environment = $"beat-{Guid.NewGuid():N}"[..16];
        var runId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 1, environment);
        string[] labels = ["only-" + environment];
        await database.ExecuteAsync("UPDATE steps SET required_labels = @labels, timeout_seconds = 3600 WHERE run_id = @runId", new { labels, runId });
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var (claimer, sweeper, reports) = Build(time);

        var claim = (await claimer.TryClaimAsync(Guid.NewGuid(), labels, CancellationToken.None))!;
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(20));
            Assert.NotNull(await reports.HeartbeatAsync(claim.StepId, new Contracts.Protocol.HeartbeatRequest(claim.LeaseToken), CancellationToken.None));
            await sweeper.RunOnceAsync(CancellationToken.None);
        }

        Assert.Equal(StepStatuses.Running, await database.ScalarAsync<string>("SELECT status FROM steps WHERE id = @StepId", new { claim.StepId }));
    }

    [Fact]
    public async Task RunOnce_QueuedRunWithNothingActive_StartsItAndReadiesItsSteps()
    {
        var environment = $"idle-{Guid.NewGuid():N}"[..16];
        var runId = await Seed.QueuedRunWithPendingNoopStepsAsync(database.DataSource, 2, environment, "only-" + environment);
        var (_, sweeper, _) = Build(new ManualTime(DateTimeOffset.UtcNow));

        await sweeper.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RunStatuses.Running, await database.ScalarAsync<string>("SELECT status FROM runs WHERE id = @runId", new { runId }));
        Assert.Equal(2, await database.ScalarAsync<long>("SELECT count(*) FROM steps WHERE run_id = @runId AND status = 'ready'", new { runId }));
    }

    [Theory]
    [InlineData("running run")]
    [InlineData("cancelled run with a running step")]
    public async Task RunOnce_EnvironmentStillActive_LeavesTheQueuedRunQueued(string active)
    {
        var environment = $"busy-{Guid.NewGuid():N}"[..16];
        var activeRunId = await Seed.RunWithReadyNoopStepsAsync(database.DataSource, 1, environment);
        await database.ExecuteAsync("UPDATE steps SET required_labels = @labels WHERE run_id = @activeRunId",
            new { labels = new[] { "only-" + environment }, activeRunId });
        if (active == "cancelled run with a running step")
            // The step's runner has not heard of the cancel yet; its lease is far from expiring.
            await database.ExecuteAsync("""
                UPDATE runs SET status = 'cancelled', finished_at = now() WHERE id = @activeRunId;
                UPDATE steps SET status = 'running', attempt = 1, lease_token = gen_random_uuid(), lease_expires_at = now() + interval '1 hour',
                                 runner_id = gen_random_uuid(), attempt_started_at = now(), timeout_seconds = 3600
                WHERE run_id = @activeRunId;
                """, new { activeRunId });
        var queuedRunId = await Seed.QueuedRunWithPendingNoopStepsAsync(database.DataSource, 2, environment, "only-" + environment);
        var (_, sweeper, _) = Build(new ManualTime(DateTimeOffset.UtcNow));

        await sweeper.RunOnceAsync(CancellationToken.None);

        Assert.Equal(RunStatuses.Queued, await database.ScalarAsync<string>("SELECT status FROM runs WHERE id = @queuedRunId", new { queuedRunId }));
        Assert.Equal(2, await database.ScalarAsync<long>("SELECT count(*) FROM steps WHERE run_id = @queuedRunId AND status = 'pending'", new { queuedRunId }));
    }
}
