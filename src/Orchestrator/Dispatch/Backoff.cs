namespace Orchestrator.Dispatch;

/// <summary>Exponential, jittered delay before a failed or expired attempt is tried again.</summary>
public static class Backoff
{
    /// <param name="failures">Attempts that counted so far (1 after the first failure).</param>
    public static TimeSpan Delay(int failures, DispatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var seconds = Math.Min(options.RetryBackoffSeconds * Math.Pow(2, exponent), options.MaxRetryBackoffSeconds);
        // Jitter spreads retries of steps that failed together (e.g. after a database outage).
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromSeconds(seconds * jitter);
    }
}
