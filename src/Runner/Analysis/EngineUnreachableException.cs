namespace Runner.Analysis;

/// <summary>The way to an engine failed before the engine could answer (the Kubernetes API server's pod proxy answered
/// for it, or could not be reached): an analysis counts such a request as no data, never as an error of the revision.</summary>
internal sealed class EngineUnreachableException(string message, Exception? inner = null) : HttpRequestException(message, inner);
