namespace Orchestrator.Cli;

/// <summary>The command line itself is wrong (unknown verb or flag, missing value, unreadable file): exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
