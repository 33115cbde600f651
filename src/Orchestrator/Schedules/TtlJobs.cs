using Quartz;

namespace Orchestrator.Schedules;

/// <summary>Fires at an environment's teardown time (the trigger's name is the environment).</summary>
public sealed class TtlTeardownJob(CostGuard guard) : IJob
{
    public static readonly JobKey Key = new("ttl-teardown", SchedulingSetup.Group);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await guard.TearDownAsync(context.Trigger.Key.Name, cancellationToken);
    }
}
