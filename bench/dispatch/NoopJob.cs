using Quartz;

namespace DispatchBench;

public sealed class NoopJob : IJob
{
    private static int _remaining;
    private static TaskCompletionSource _allDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static Task AllDone => _allDone.Task;

    public static void Reset(int jobs)
    {
        _remaining = jobs;
        _allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Decrement(ref _remaining) == 0) _allDone.TrySetResult();
        return ValueTask.CompletedTask;
    }
}
