using Microsoft.Extensions.Options;
using Orchestrator.Persistence;
using Quartz;

namespace Orchestrator.Schedules;

/// <summary>
/// Quartz on the orchestrator's PostgreSQL (tables from migrations/0006), clustered: every instance runs a scheduler
/// and Quartz's row locks let exactly one of them fire each trigger; a dead instance's triggers are recovered by the
/// others after its check-in lapses. Two durable jobs: a schedule's fire and the cost guard's teardown; moving teardown
/// triggers to the environments' teardown times is a plain loop (<see cref="TtlSync"/>), not a Quartz trigger.
/// </summary>
public static class SchedulingSetup
{
    public const string Group = "orchestrator";

    public static IServiceCollection AddScheduling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(SchedulingOptions.Section).Get<SchedulingOptions>() ?? new SchedulingOptions();
        var connectionString = configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.ConnectionString)}"] ?? "";

        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "orchestrator";
                if (options.InstanceId.Length > 0) s.InstanceId = options.InstanceId;
                else s.GenerateInstanceId = true;
            });
            q.UsePersistentStore(store =>
            {
                store.ConfigureStore(s =>
                {
                    s.MisfireThreshold = TimeSpan.FromSeconds(options.MisfireThresholdSeconds);
                    s.TablePrefix = "qrtz_";
                    s.SchemaProvisioning = SchemaProvisioning.Validate;
                });
                store.UsePostgres(connectionString);
                store.UseSystemTextJsonSerializer();
                store.UseClustering(c =>
                {
                    c.CheckinInterval = TimeSpan.FromSeconds(options.CheckinIntervalSeconds);
                    c.CheckinMisfireThreshold = TimeSpan.FromSeconds(options.CheckinMisfireThresholdSeconds);
                });
            });
            q.AddJob<ScheduleFireJob>(j => j.WithIdentity(ScheduleFireJob.Key).StoreDurably().RequestRecovery());
            q.AddJob<TtlTeardownJob>(j => j.WithIdentity(TtlTeardownJob.Key).StoreDurably().RequestRecovery());
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddSingleton<ScheduleStore>();
        services.AddSingleton<ScheduleService>();
        services.AddSingleton<ScheduledRuns>();
        services.AddSingleton<CostGuard>();
        services.AddHostedService<ScheduleSync>();
        services.AddHostedService<TtlSync>();
        return services;
    }
}
