using Quartz;

namespace Orchestrator.Schedules;

/// <summary>
/// A schedule's Quartz trigger, named by its id in group <c>schedules</c>. The same builder gives the next fire times
/// the API shows, so they are Quartz's own. Across a DST change Quartz's cron triggers work in local wall-clock time:
/// a time that does not exist that day (spring forward) fires at the first valid time after it, and a time that
/// repeats (fall back) fires once.
/// </summary>
public static class ScheduleTriggers
{
    public const string Group = "schedules";

    public static TriggerKey KeyOf(Guid scheduleId) => new(scheduleId.ToString(), Group);

    public static ITrigger Build(ScheduleRow schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
        var builder = TriggerBuilder.Create()
            .WithIdentity(KeyOf(schedule.Id))
            .ForJob(ScheduleFireJob.Key)
            .WithDescription(schedule.Description)
            .StartAt(schedule.StartAt is { } start && start > now ? start : now)
            .WithCronSchedule(schedule.Cron, cron =>
            {
                cron.InTimeZone(zone);
                cron.WithMisfireInstruction(schedule.Misfire == ScheduleActions.MisfireSkip
                    ? CronTriggerMisfireInstruction.DoNothing : CronTriggerMisfireInstruction.FireAndProceed);
            });
        if (schedule.EndAt is { } end) builder = builder.EndAt(end);
        return builder.Build();
    }

    /// <summary>Up to <paramref name="count"/> fire times after <paramref name="now"/>.</summary>
    public static IReadOnlyList<DateTimeOffset> NextFireTimes(ScheduleRow schedule, DateTimeOffset now, int count)
    {
        var trigger = Build(schedule, now);
        var times = new List<DateTimeOffset>(count);
        DateTimeOffset? after = now;
        while (times.Count < count && trigger.GetFireTimeAfter(after) is { } next)
        {
            times.Add(next);
            after = next;
        }
        return times;
    }
}
