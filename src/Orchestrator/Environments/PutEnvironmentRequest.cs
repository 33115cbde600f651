namespace Orchestrator.Environments;

public sealed record PutEnvironmentRequest
{
    public string? TargetKind { get; init; }
}
