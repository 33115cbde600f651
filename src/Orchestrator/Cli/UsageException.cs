namespace Orchestrator.Cli;

/// <summary>The command line itself is wrong (unknown verb or flag, missing value, unreadable file): exit code 2.
/// <see cref="Hint"/> says where to read the usage; the default points at <c>orchestrator --help</c>.</summary>
public sealed class UsageException(string message, string? hint = null) : Exception(message)
{
    public string? Hint { get; } = hint;
}
