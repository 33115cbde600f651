namespace EngineImage.Checkpoints;

/// <summary>A checkpoint or tokenizer that cannot be served; the message is one line a person can act on.</summary>
public sealed class CheckpointInvalidException(string message, Exception? inner = null) : Exception(message, inner);
