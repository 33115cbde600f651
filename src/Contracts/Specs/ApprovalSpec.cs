namespace Contracts.Specs;

/// <summary>A gate: the run waits until a user approves it (<c>POST /api/runs/{id}/approve</c>).</summary>
public sealed record ApprovalSpec
{
    /// <summary>Shown to whoever is asked to approve.</summary>
    public string? Message { get; init; }
}
