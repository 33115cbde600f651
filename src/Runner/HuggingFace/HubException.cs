namespace Runner.HuggingFace;

/// <summary>A download that cannot succeed as asked (no access, no such repository or revision, a file that fails its
/// checksum): the message is the step's error, written for the person who reads the run, and never holds the token.</summary>
internal sealed class HubException(string message, Exception? inner = null) : Exception(message, inner);
