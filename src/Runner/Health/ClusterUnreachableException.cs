namespace Runner.Health;

/// <summary>The cluster of an environment could not be reached or described (its cloud API refused or failed): the probe
/// saw nothing of the environment itself. The message says what failed, for the sample's error.</summary>
internal sealed class ClusterUnreachableException(string message, Exception inner) : Exception(message, inner);
