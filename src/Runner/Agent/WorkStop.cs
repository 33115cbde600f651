namespace Runner.Agent;

/// <summary>Records the first reason to stop a step's work and cancels the work. Thread safe.</summary>
internal sealed class WorkStop(CancellationTokenSource work)
{
    private int _reason;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    public void Request(StopReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)StopReason.None) == (int)StopReason.None)
        {
            try
            {
                work.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The work is over already.
            }
        }
    }
}
