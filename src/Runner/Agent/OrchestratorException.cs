namespace Runner.Agent;

/// <summary>A non-transient answer from the orchestrator (4xx other than 409); <see cref="Status"/> tells which.</summary>
internal sealed class OrchestratorException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public bool IsUnauthorized => Status is 401 or 403;
}
