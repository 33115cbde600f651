using System.Globalization;
using Dapper;
using Npgsql;
using Orchestrator.Environments;
using Orchestrator.Planning;
using Orchestrator.Rollouts;
using Orchestrator.Runs;
using Quartz;

namespace Orchestrator.Schedules;

/// <summary>
/// <c>cleanup.teardownAfter</c>, for real. A succeeded rollout sets its environment's <c>teardown_at</c> (in the same
/// statement that ends its run, see RunTransitions.FinishRun); <see cref="SyncAsync"/> moves a Quartz trigger per
/// environment (group <c>ttl</c>) to that time, and when it fires, <see cref="TearDownAsync"/> queues the teardown —
/// only if the time is still due, since a later rollout or <c>environments extend</c> may have moved it.
/// </summary>
public sealed class CostGuard(NpgsqlDataSource dataSource, RolloutService rollouts, ISchedulerFactory schedulers, TimeProvider time, ILogger<CostGuard> log)
{
    public const string TriggerGroup = "ttl";

    /// <summary>How early a teardown trigger may fire and still count as due (Quartz fires to the millisecond; clocks
    /// of two instances may differ by a little).</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    /// <summary>Key of the advisory lock under which one instance at a time moves triggers: two at once could read a
    /// time, be overtaken by an <c>extend</c>, and set the trigger back to the older time.</summary>
    private const long SyncLock = 0x54544C53594E43; // "TTLSYNC"

    /// <summary>Moves the teardown triggers of the environments whose teardown time changed; nothing when another
    /// instance is doing it now.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@SyncLock)", new { SyncLock }, cancellationToken: cancellationToken)))
            return;
        try
        {
            await SyncLockedAsync(connection, cancellationToken);
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@SyncLock)", new { SyncLock }, cancellationToken: CancellationToken.None));
        }
    }

    private async Task SyncLockedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var moved = (await connection.QueryAsync<(string Name, DateTime? TeardownAt)>(new CommandDefinition(
            "SELECT name, teardown_at FROM environments WHERE teardown_at IS DISTINCT FROM teardown_scheduled_at",
            cancellationToken: cancellationToken))).ToList();
        if (moved.Count == 0) return;
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var (name, teardownAt) in moved)
        {
            var key = new TriggerKey(name, TriggerGroup);
            if (teardownAt is not { } at)
            {
                await scheduler.UnscheduleJob(key, cancellationToken);
            }
            else
            {
                var when = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc));
                var trigger = TriggerBuilder.Create().WithIdentity(key).ForJob(TtlTeardownJob.Key).StartAt(when)
                    .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)).Build();
                await scheduler.ScheduleTrigger(trigger, TriggerConflict.Replace, cancellationToken);
                log.LogInformation("Environment {Environment} is torn down at {TeardownAt:o} (cleanup.teardownAfter)", name, when);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE environments SET teardown_scheduled_at = @teardownAt WHERE name = @name AND teardown_at IS NOT DISTINCT FROM @teardownAt",
                new { name, teardownAt }, cancellationToken: cancellationToken));
        }
    }

    /// <summary>Queues the environment's teardown if its teardown time is due; clears the time in the same transaction.</summary>
    public async Task TearDownAsync(string environment, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Contracts.Specs.RolloutSpec? spec;
        DateTime? teardownAt;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            teardownAt = await connection.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
                "SELECT teardown_at FROM environments WHERE name = @environment", new { environment }, cancellationToken: cancellationToken));
            spec = await LatestRollouts.LatestAsync(connection, environment, cancellationToken);
        }
        if (teardownAt is null || spec is null) return;
        var trigger = new TriggerDto
        {
            Kind = ScheduledRuns.TriggerKind, Actor = "cost-guard",
            Details = new Dictionary<string, string>
            {
                ["reason"] = "cleanup.teardownAfter",
                ["teardownAt"] = new DateTimeOffset(DateTime.SpecifyKind(teardownAt.Value, DateTimeKind.Utc)).ToString("o", CultureInfo.InvariantCulture),
            },
        };
        var due = now + Tolerance;
        try
        {
            var result = await rollouts.CreateAsync(spec, trigger, supersede: false, TeardownPlan.Plan(spec), async (connection, transaction, _) =>
            {
                var cleared = await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE environments SET teardown_at = NULL, teardown_scheduled_at = NULL WHERE name = @environment AND teardown_at <= @due",
                    new { environment, due }, transaction, cancellationToken: cancellationToken));
                return cleared > 0 ? true : throw new NotDueException();
            }, cancellationToken);
            if (result.Run is { } run)
                log.LogWarning("Environment {Environment} reached its teardown time: teardown run {Run} queued", environment, run.Id);
        }
        catch (NotDueException)
        {
            // Moved meanwhile: the sync has set the trigger to the new time.
        }
    }

    /// <summary>Moves the environment's teardown time by <paramref name="by"/> (from now, if it has passed); null when it
    /// has none.</summary>
    public async Task<DateTimeOffset?> ExtendAsync(string environment, TimeSpan by, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var at = await connection.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
            // From now when the time has passed already (a teardown waiting for its window, say): later, never still due.
            "UPDATE environments SET teardown_at = GREATEST(teardown_at, @now) + make_interval(secs => @seconds) WHERE name = @environment AND teardown_at IS NOT NULL RETURNING teardown_at",
            new { environment, seconds = by.TotalSeconds, now = time.GetUtcNow() }, cancellationToken: cancellationToken));
        if (at is null) return null;
        await SyncAsync(cancellationToken);
        return new DateTimeOffset(DateTime.SpecifyKind(at.Value, DateTimeKind.Utc));
    }

    private sealed class NotDueException : Exception;
}
