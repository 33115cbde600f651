namespace Orchestrator.Cli;

/// <summary>The service could not be reached at all; the message names the URL that was tried.</summary>
public sealed class ServerUnreachableException(string message, Exception inner) : Exception(message, inner);
