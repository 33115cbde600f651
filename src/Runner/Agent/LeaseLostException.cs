namespace Runner.Agent;

/// <summary>The server answered 409: this runner's lease on the step is stale, so its work must stop at once.</summary>
internal sealed class LeaseLostException(string message) : Exception(message);
