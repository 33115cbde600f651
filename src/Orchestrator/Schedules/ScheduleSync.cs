using Quartz;

namespace Orchestrator.Schedules;

/// <summary>At start, gives every schedule row its trigger: the row and the trigger are written one after the other, so
/// a crash between the two leaves a row without a trigger (a trigger left without its row removes itself when it fires,
/// see <see cref="ScheduleFireJob"/>).</summary>
public sealed class ScheduleSync(ScheduleStore store, ScheduleService schedules, ISchedulerFactory schedulers, ILogger<ScheduleSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        var rows = await store.ListAsync(null, stoppingToken);
        foreach (var row in rows)
        {
            if (await scheduler.Exists(ScheduleTriggers.KeyOf(row.Id), stoppingToken)) continue;
            if (await schedules.ScheduleTriggerAsync(row, stoppingToken))
                log.LogWarning("Schedule {Schedule} had no trigger (the orchestrator stopped while creating it): added", row.Id);
        }
    }
}
