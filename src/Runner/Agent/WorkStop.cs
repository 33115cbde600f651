namespace Runner.Agent;

/// <summary>Records the first reason to stop a step's work and cancels the work; separately, carries the server's
/// request that work with no end of its own (a background analysis) finish successfully now. Thread safe.</summary>
internal sealed class WorkStop(CancellationTokenSource work) : IDisposable
{
    private readonly CancellationTokenSource _finish = new();
    private int _reason;

    public StopReason Reason => (StopReason)Volatile.Read(ref _reason);

    /// <summary>Cancelled when the server asks the step to finish (see <c>HeartbeatResponse.FinishRequested</c>).</summary>
    public CancellationToken FinishRequested => _finish.Token;

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

    public void RequestFinish()
    {
        try
        {
            _finish.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The work is over already.
        }
    }

    public void Dispose() => _finish.Dispose();
}
