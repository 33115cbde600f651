namespace TestSupport;

/// <summary>Polling instead of fixed sleeps for what real processes and background services do: the machine is small
/// and shared, so waits are long but end as soon as the condition holds.</summary>
public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds, backing off from 50 ms to 500 ms between reads.</summary>
    public static async Task Async(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout}: {describe()}");
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(500, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (default 30 s), reading it every 50 ms.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (default 30 s), reading it every 100 ms.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for: {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>The first non-null value of <paramref name="read"/> within <paramref name="timeoutSeconds"/>; fails naming
    /// <paramref name="what"/> otherwise.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> read, string what, int timeoutSeconds = 20) where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            if (await read() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"No {what} within {timeoutSeconds} s.");
            await Task.Delay(100);
        }
    }
}
