using Contracts.Protocol;

namespace Runner.Agent;

/// <summary>
/// Where a step's work reports how far it has come. Only the latest report matters: <see cref="StepJob"/> sends it
/// with a heartbeat soon after it changes (at most one such heartbeat per <see cref="StepJob.ProgressInterval"/>), and
/// a report that is overtaken before it is sent is never sent. Thread safe.
/// </summary>
internal sealed class ProgressReporter(TimeProvider time)
{
    private readonly Lock _lock = new();
    private StepProgress? _unsent;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The latest report, sent or not.</summary>
    public StepProgress? Latest { get; private set; }

    public void Report(double done, double? total, string unit, string? message = null)
    {
        var progress = new StepProgress
        {
            Done = done, Total = total, Unit = unit, UpdatedAt = time.GetUtcNow(),
            Message = message is { Length: > StepProgress.MaxMessageLength } ? message[..StepProgress.MaxMessageLength] : message,
        };
        TaskCompletionSource changed;
        lock (_lock)
        {
            Latest = _unsent = progress;
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public bool HasUnsent
    {
        get { lock (_lock) return _unsent is not null; }
    }

    /// <summary>Completes at the next report (at once if one came since the last call's task was taken).</summary>
    public Task NextReport()
    {
        lock (_lock) return _unsent is not null ? Task.CompletedTask : _changed.Task;
    }

    /// <summary>The report not yet sent, if any; it counts as sent from now on.</summary>
    public StepProgress? TakeUnsent()
    {
        lock (_lock)
        {
            var unsent = _unsent;
            _unsent = null;
            return unsent;
        }
    }

    /// <summary>Puts back a report whose heartbeat failed, unless a newer one came meanwhile.</summary>
    public void Restore(StepProgress progress)
    {
        lock (_lock) _unsent ??= progress;
    }
}
