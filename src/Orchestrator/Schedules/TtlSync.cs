using Microsoft.Extensions.Options;

namespace Orchestrator.Schedules;

/// <summary>
/// Moves the cost guard's teardown triggers to the environments' teardown times every
/// <see cref="SchedulingOptions.TtlSyncIntervalMilliseconds"/>: a cheap read on every instance, where a Quartz trigger
/// firing each second cost each instance about 4 % of a core while idle (its acquire, fire and complete rounds under
/// the cluster-wide lock). <see cref="CostGuard.SyncAsync"/> lets one instance at a time do it.
/// </summary>
public sealed partial class TtlSync(CostGuard guard, IOptions<SchedulingOptions> options, TimeProvider time, ILogger<TtlSync> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.TtlSyncIntervalMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await guard.SyncAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogSyncFailed(e);
            }
            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moving teardown triggers failed; trying again at the next interval")]
    private partial void LogSyncFailed(Exception exception);
}
