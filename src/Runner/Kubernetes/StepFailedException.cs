namespace Runner.Kubernetes;

/// <summary>A step that cannot succeed as asked (a stock-out, an incompatible existing resource, a crash-looping pod):
/// the message is the step's error, written for the person who reads the run.</summary>
internal sealed class StepFailedException(string message) : Exception(message);
