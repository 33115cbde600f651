namespace EndToEnd.Tests.Infrastructure;

/// <summary>Polling instead of fixed sleeps: the machine is small and shared, so waits are long but end early.</summary>
internal static class Eventually
{
    public static async Task Async(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout}: {describe()}");
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(500, delay.TotalMilliseconds * 2));
        }
    }
}
