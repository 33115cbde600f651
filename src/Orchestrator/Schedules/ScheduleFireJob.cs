using Quartz;

namespace Orchestrator.Schedules;

/// <summary>The one durable job every schedule's trigger fires; the trigger's name is the schedule's id.</summary>
public sealed class ScheduleFireJob(ScheduledRuns runs) : IJob
{
    public static readonly JobKey Key = new("schedule-fire", SchedulingSetup.Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Guid.TryParse(context.Trigger.Key.Name, out var scheduleId)) return;
        var fireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        if (!await runs.FireAsync(scheduleId, fireTime, cancellationToken))
            await context.Scheduler.UnscheduleJob(context.Trigger.Key, cancellationToken);
    }
}
