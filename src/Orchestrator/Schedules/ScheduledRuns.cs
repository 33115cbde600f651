using System.Globalization;
using System.Text.Json;
using Contracts;
using Contracts.Specs;
using Npgsql;
using Orchestrator.Environments;
using Orchestrator.Planning;
using Orchestrator.Rollouts;
using Orchestrator.Runs;

namespace Orchestrator.Schedules;

/// <summary>
/// What a schedule's fire does: one run per fire time, recorded in <c>schedule_fires</c> in the run's own transaction,
/// so that however Quartz re-fires or recovers a trigger, a fire time starts at most one run; a fire that cannot start
/// a run (no rollout to reprovision, an environment gone) records why.
/// </summary>
public sealed class ScheduledRuns(
    ScheduleStore store, RolloutService rollouts, NpgsqlDataSource dataSource, TimeProvider time, Telemetry.OrchestratorMetrics metrics, ILogger<ScheduledRuns> log)
{
    public const string TriggerKind = "schedule";

    /// <summary>False when the schedule no longer exists (its trigger should go).</summary>
    public async Task<bool> FireAsync(Guid scheduleId, DateTimeOffset fireTime, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        fireTime = fireTime.ToUniversalTime();
        var schedule = await store.GetAsync(scheduleId, cancellationToken);
        if (schedule is null) return false;

        var (spec, plan, why) = await WhatToRunAsync(schedule, cancellationToken);
        if (spec is null)
        {
            log.LogWarning("Schedule {Schedule} ({Action} of {Environment}) fired for {FireTime:o} and started nothing: {Why}", scheduleId, schedule.Action, schedule.Environment, fireTime, why);
            await store.RecordOutcomeAsync(scheduleId, fireTime, now, why!, cancellationToken);
            metrics.ScheduleFirings.WithLabels(schedule.Action, "nothing").Inc();
            return true;
        }

        var trigger = new TriggerDto
        {
            Kind = TriggerKind, Actor = $"schedule:{scheduleId}",
            Details = new Dictionary<string, string>
            {
                ["scheduleId"] = scheduleId.ToString(), ["action"] = schedule.Action, ["fireTime"] = fireTime.ToString("o", CultureInfo.InvariantCulture),
            },
        };
        RunCommandResult result;
        try
        {
            result = await rollouts.CreateAsync(spec, trigger, supersede: false, plan, async (connection, transaction, runId) =>
                await ScheduleStore.RecordFireAsync(connection, transaction, scheduleId, fireTime, now, runId, "started")
                    ? true : throw new AlreadyFiredException(), cancellationToken);
        }
        catch (AlreadyFiredException)
        {
            log.LogWarning("Schedule {Schedule} fired again for {FireTime:o}, which already started its run: nothing started", scheduleId, fireTime);
            await store.CountDuplicateAsync(scheduleId, fireTime, cancellationToken);
            metrics.ScheduleFirings.WithLabels(schedule.Action, "duplicate").Inc();
            return true;
        }
        if (result.Run is { } run)
        {
            log.LogInformation("Schedule {Schedule} fired for {FireTime:o}: run {Run} ({Action} of {Environment})", scheduleId, fireTime, run.Id, schedule.Action, schedule.Environment);
            metrics.ScheduleFirings.WithLabels(schedule.Action, "started").Inc();
            return true;
        }
        var reason = result.NotFound ? $"environment '{schedule.Environment}' does not exist"
            : $"the spec does not fit the environment: {string.Join("; ", result.Invalid!.ToDictionary().Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))}";
        log.LogWarning("Schedule {Schedule} fired for {FireTime:o} and started nothing: {Why}", scheduleId, fireTime, reason);
        await store.RecordOutcomeAsync(scheduleId, fireTime, now, reason, cancellationToken);
        metrics.ScheduleFirings.WithLabels(schedule.Action, "nothing").Inc();
        return true;
    }

    private async Task<(RolloutSpec? Spec, IReadOnlyList<PlannedStep>? Plan, string? Why)> WhatToRunAsync(ScheduleRow schedule, CancellationToken cancellationToken)
    {
        if (schedule.Action == ScheduleActions.Apply)
        {
            var stored = JsonSerializer.Deserialize<RolloutSpec>(schedule.Spec!, ContractJson.Options)!;
            return (ScheduleValidator.Fill(stored with { Environment = schedule.Environment }, schedule.ModelRevision), null, null);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (schedule.Action == ScheduleActions.Reprovision)
        {
            var last = await LatestRollouts.LastSucceededApplyAsync(connection, schedule.Environment, cancellationToken);
            return last is null ? (null, null, "the environment has no succeeded rollout to apply again") : (last, null, null);
        }
        var latest = await LatestRollouts.LatestAsync(connection, schedule.Environment, cancellationToken);
        if (latest is null) return (null, null, "the environment has no rollout: there is nothing to tear down");
        if (latest.Target.Kind != TargetKinds.Gke) return (null, null, $"target kind '{latest.Target.Kind}': teardown deletes gke resources only");
        return (latest, TeardownPlan.Plan(latest), null);
    }

    private sealed class AlreadyFiredException : Exception;
}
