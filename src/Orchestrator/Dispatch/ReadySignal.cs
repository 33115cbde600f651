namespace Orchestrator.Dispatch;

/// <summary>
/// In-process wake-up for waiting claims: pulsed by this instance's own commits and by the LISTEN connection when
/// another instance made steps ready. A hint only; a waiter re-checks the table on a timer as well.
/// </summary>
public sealed class ReadySignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Take the task before looking for work, so that a pulse between the look and the wait is not lost.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
