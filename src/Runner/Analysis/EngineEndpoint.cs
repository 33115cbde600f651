namespace Runner.Analysis;

/// <summary>One engine replica as an analysis reaches it: the base URL of its JetStream HTTP API (<c>/generate</c>) and
/// that of its <c>/metrics</c> (the same on the local target; another container's port on Kubernetes).</summary>
internal sealed record EngineEndpoint(string Url, string MetricsUrl);
