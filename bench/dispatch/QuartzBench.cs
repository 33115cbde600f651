using Quartz;

namespace DispatchBench;

/// <summary>
/// What a user might build this on instead: Quartz.NET with its ADO.NET job store on the same PostgreSQL, firing the
/// same number of one-shot jobs with 8 worker threads. Jobs are stored first with the scheduler in standby; the clock
/// runs from Start to the last job's execution.
/// </summary>
public static class QuartzBench
{
    public static async Task<double> JobsPerSecondAsync(string connectionString, int jobs)
    {
        NoopJob.Reset(jobs);
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.UseDefaultThreadPool(8);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseSystemTextJsonSerializer(_ => { });
                store.ProvisionSchema();
            });
        }).BuildScheduler();

        var batch = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        for (var i = 0; i < jobs; i++)
        {
            var job = JobBuilder.Create<NoopJob>().WithIdentity($"job-{i}", "bench").Build();
            batch[job] = [TriggerBuilder.Create().WithIdentity($"trigger-{i}", "bench").StartNow().Build()];
        }
        await scheduler.ScheduleJobs(batch, new ScheduleJobOptions { Replace = true });

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await scheduler.Start();
        await NoopJob.AllDone.WaitAsync(TimeSpan.FromMinutes(10));
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        await scheduler.Shutdown(waitForJobsToComplete: true);
        return jobs / elapsed.TotalSeconds;
    }
}
