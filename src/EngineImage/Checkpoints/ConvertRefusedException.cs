namespace EngineImage.Checkpoints;

/// <summary><c>convert</c> will not run on this input; the message is one line naming what to fix.</summary>
public sealed class ConvertRefusedException(string message, Exception? inner = null) : Exception(message, inner);
