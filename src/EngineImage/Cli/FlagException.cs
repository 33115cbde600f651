namespace EngineImage.Cli;

/// <summary>Bad command-line input; its message is printed as one line and the process exits 2.</summary>
public sealed class FlagException(string message) : Exception(message);
