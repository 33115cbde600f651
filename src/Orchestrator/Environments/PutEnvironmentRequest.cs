namespace Orchestrator.Environments;

public sealed record PutEnvironmentRequest
{
    public string? TargetKind { get; init; }
    /// <summary>Run-level gate: every run of the environment waits for a user's approval before its first step.</summary>
    public ApprovalSettings? Approval { get; init; }
    /// <summary>Health probing interval and notification URLs; absent means every 30 s and no notifications.</summary>
    public HealthSettings? Health { get; init; }
}
