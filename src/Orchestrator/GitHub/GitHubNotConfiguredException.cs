namespace Orchestrator.GitHub;

/// <summary>This orchestrator cannot call GitHub as things stand; retrying will not help until the configuration changes.</summary>
public sealed class GitHubNotConfiguredException(string message) : Exception(message)
{
    public GitHubNotConfiguredException() : this("GitHub is not configured.") { }
    public GitHubNotConfiguredException(string message, Exception inner) : this(message + " " + inner.Message) { }
}
