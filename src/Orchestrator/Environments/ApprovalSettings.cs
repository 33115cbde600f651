namespace Orchestrator.Environments;

/// <summary><c>{"required": true}</c>: runs wait at an <c>approval</c> step until a user approves them.</summary>
public sealed record ApprovalSettings
{
    public bool Required { get; init; }
}
