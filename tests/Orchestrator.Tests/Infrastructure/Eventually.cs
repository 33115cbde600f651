namespace Orchestrator.Tests.Infrastructure;

/// <summary>Polls for what the real service does in the background (a Quartz fire, a sweep).</summary>
public static class Eventually
{
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
