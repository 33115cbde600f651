namespace Orchestrator.GitHub;

/// <summary>Exponential backoff with ±20 % jitter, from <see cref="GitHubOptions"/>.</summary>
public static class Backoff
{
    public static TimeSpan Next(GitHubOptions options, int attempts)
    {
        ArgumentNullException.ThrowIfNull(options);
        var seconds = Math.Min(options.MaxBackoffSeconds, options.InitialBackoffSeconds * Math.Pow(2, Math.Min(30, attempts - 1)));
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}
